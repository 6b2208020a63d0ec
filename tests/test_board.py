"""The class board (jobs.board): entries every process of the store's folder reads, kept over a
restart; one entry a session and configuration; names checked; the teacher's token alone sets the
task and hides; the 501st entry refused; shared models pinned in the store; the ranking and its task."""
import base64
import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from aeviz import figures, i18n, tables
from aeviz.config import DataConfig, ExperimentConfig, ModelConfig, TrainConfig
from aeviz.jobs import board, store
from aeviz.nets import loop

SCORES = {"knn_accuracy": 0.7, "trustworthiness": 0.9, "mse": 0.04}


@pytest.fixture(autouse=True)
def own_store(tmp_path, monkeypatch):
    monkeypatch.setenv("AEVIZ_CACHE", str(tmp_path))
    monkeypatch.setenv("AEVIZ_TEACHER_TOKEN", "s3cret-teacher")
    return tmp_path


def _cfg(k=2, seed=0, data="digits"):
    return ExperimentConfig(data=DataConfig(data), model=ModelConfig(latent_dim=k, hidden=(16,)),
                            train=TrainConfig(epochs=1, seed=seed))


@pytest.fixture
def stored(digits):
    """Two configurations trained (tiny) and in the store, as the app leaves them."""
    cfgs = [_cfg(2), _cfg(3)]
    for cfg in cfgs:
        store.save(cfg, loop.fit(digits.x_train[:200], digits.x_test[:40], (8, 8), cfg.model, cfg.train), (8, 8))
    return cfgs


def _share(name, cfg, session, **scores):
    return board.share(name, cfg, {**SCORES, **scores}, 3.5, "data:image/png;base64,", session)


def _key(exc_info) -> str:
    return exc_info.value.args[0].key


def test_entries_are_one_per_session_and_configuration_and_kept_over_a_restart(stored, own_store):
    a = _share("Ana", stored[0], "session-a")
    _share("Bruno", stored[0], "session-b")  # another session, the same configuration: its own entry
    again = _share("Ana M.", stored[0], "session-a")  # the same session and configuration: renamed
    _share("Ana", stored[1], "session-a")
    assert again.id == a.id and again.shared_at == a.shared_at
    assert sorted(e.name for e in board.entries()) == ["Ana", "Ana M.", "Bruno"]
    assert "session-a" not in (own_store / "board" / "entries" / f"{a.id}.json").read_text()
    # A fresh process (a restarted server, or another server on the same folder) reads the same board.
    code = "from aeviz.jobs import board; print(sorted(e.name for e in board.entries()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**__import__("os").environ, "AEVIZ_CACHE": str(own_store)}).stdout
    assert out.strip() == str(["Ana", "Ana M.", "Bruno"])
    assert board.entries()[0].cfg == stored[0]


@pytest.mark.parametrize("name, key", [("", "board.bad_name_length"), ("x" * 41, "board.bad_name_length"),
                                       ("Ana\nBob", "board.bad_name_chars"), ("a\u202eb", "board.bad_name_chars")])
def test_a_bad_name_is_refused_naming_what_is_accepted(stored, name, key):
    with pytest.raises(board.BoardError) as exc:
        _share(name, stored[0], "s")
    assert _key(exc) == key and "40" in str(exc.value.args[0]) if "length" in key else True
    assert board.entries() == []


def test_html_in_a_name_is_kept_as_typed(stored):
    name = '<img src=x onerror="alert(1)"> **Ana**'
    assert _share(name, stored[0], "s").name == name and board.entries()[0].name == name


def test_only_a_stored_model_of_a_built_in_data_set_is_shared(stored):
    with pytest.raises(board.BoardError) as exc:
        _share("Ana", _cfg(5), "s")  # never trained to the end: nobody could open it
    assert _key(exc) == "board.not_stored"
    with pytest.raises(board.BoardError) as exc:
        _share("Ana", _cfg(2, data="upload:abc"), "s")
    assert _key(exc) == "board.upload_not_shared"


def test_the_501st_entry_is_refused_with_a_message_and_a_renaming_still_passes(stored):
    for i in range(board.MAX_ENTRIES):
        _share(f"student {i}", stored[0], f"s{i}")
    with pytest.raises(board.BoardError) as exc:
        _share("one too many", stored[0], "late")
    assert _key(exc) == "board.full" and "500" in i18n.text(exc.value.args[0], "en")
    _share("student 0, renamed", stored[0], "s0")  # not a new entry
    assert len(board.entries()) == board.MAX_ENTRIES
    board.set_hidden(board.entries()[0].id, True, "s3cret-teacher")  # the teacher hides one: a place frees
    _share("one too many, now in", stored[0], "late")
    assert len(board.entries()) == board.MAX_ENTRIES


def test_a_wrong_token_can_neither_set_the_task_nor_hide_an_entry(stored, monkeypatch):
    entry = _share("Ana", stored[0], "s")
    task = board.Task("Best kNN accuracy with a 2-number code", "knn_accuracy", 2, 30.0)
    for token in (None, "", "wrong", "s3cret-teacher "[:-2]):
        with pytest.raises(board.BoardError) as exc:
            board.set_task(task, token)
        assert _key(exc) == "board.not_teacher"
        with pytest.raises(board.BoardError):
            board.set_hidden(entry.id, True, token)
    assert board.task() is None and board.entries()[0].hidden is False
    board.set_task(task, "s3cret-teacher")
    board.set_hidden(entry.id, True, "s3cret-teacher")
    assert board.task() == task and board.entries() == [] and board.entries(with_hidden=True)[0].hidden
    _share("Ana again", stored[0], "s")  # re-sharing does not undo the teacher's hiding
    assert board.entries() == []
    monkeypatch.setenv("AEVIZ_TEACHER_TOKEN", "")  # no token set: nobody is the teacher
    assert not board.is_teacher("") and not board.teacher_token_set()


def test_the_task_ranks_the_entries_that_meet_it_first(stored):
    fast = _share("fast", stored[0], "a", knn_accuracy=0.6, mse=0.01)
    best = _share("best", stored[0], "b", knn_accuracy=0.8, mse=0.02)
    wide = _share("wide", stored[1], "c", knn_accuracy=0.9, mse=0.03)  # a 3-number code
    order = board.ranked(board.entries(), "knn_accuracy")
    assert [(r, e.name) for r, e in order] == [(1, "wide"), (2, "best"), (3, "fast")]
    assert [e.name for _, e in board.ranked(board.entries(), "mse")] == ["fast", "best", "wide"]  # lower first
    task = board.Task("2-number codes", "knn_accuracy", latent_dim=2)
    assert [(r, e.id) for r, e in board.ranked(board.entries(), "mse", task)] == \
        [(1, best.id), (2, fast.id), (None, wide.id)]
    assert not board.meets(best, board.Task("quick", max_seconds=3.0))  # it trained 3.5 s
    with pytest.raises(board.BoardError):
        board.set_task(board.Task("x", "silhouette"), "s3cret-teacher")


def test_a_shared_model_is_never_evicted_from_the_store(stored):
    _share("Ana", stored[1], "s")
    dropped = store.evict(limit=0)
    assert store.key(stored[0]) in dropped and store.key(stored[1]) not in dropped
    assert store.load(stored[1]) is not None


def test_the_board_csv_neutralises_formulas_and_keeps_numbers():
    data = tables.rows_csv(["name", "knn"], [["=HYPERLINK(\"x\")", 0.75], ["Ana, \"A\"", None]])
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert rows == [["name", "knn"], ["'=HYPERLINK(\"x\")", "0.75"], ["Ana, \"A\"", ""]]
    with pytest.raises(ValueError):
        tables.rows_csv(["a"], [[1, 2]])


def test_the_thumbnail_draws_each_digit_in_its_class_colour_where_the_map_puts_it():
    emb = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    uri = figures.map_thumbnail(emb, np.array([0, 1, 2]), size=40)
    pil = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB")
    px = np.asarray(pil)
    colour = {tuple(int(figures.PALETTE[c][i:i + 2], 16) for i in (1, 3, 5)): c for c in range(3)}
    found = {colour[tuple(px[y, x])]: (x, y) for y, x in zip(*np.nonzero((px != 255).any(axis=2)))}
    (x0, y0), (x1, y1), (x2, y2) = found[0], found[1], found[2]
    assert x0 < x1 and y0 > y1  # y up, as in the panels
    assert x2 == x0 and y2 == y1


def test_the_scatter_has_a_shape_and_colour_per_kind_and_escapes_names():
    rows = [{"name": "<b>Ana</b>", "kind": "undercomplete", "latent_dim": 2, "mse": 0.04, "meets": True},
            {"name": "Bruno", "kind": "variational", "latent_dim": 8, "mse": 0.02, "meets": False}]
    fig = figures.class_board(rows, {"undercomplete": "AE", "sparse": "S", "variational": "VAE"})
    assert [tr.name for tr in fig.data] == ["AE", "VAE"]
    assert len({tr.marker.symbol for tr in fig.data}) == 2 and len({tr.marker.color for tr in fig.data}) == 2
    assert fig.data[0].hovertext == ("&lt;b&gt;Ana&lt;/b&gt;",)
    assert list(fig.data[0].marker.line.width) == [2.5] and list(fig.data[1].marker.line.width) == [0]
    json.loads(fig.to_json())
