"""The class board in the app (AppTest): a student shares from the Latent page and another opens that
model from the board without training; a name is shown as typed; a wrong teacher token sets nothing;
the teacher's task shows above every page and ranks the board."""
import shutil

import pytest
from test_app import _app, fresh_view_caches  # noqa: F401 (an autouse fixture of these tests too)

from aeviz import i18n
from aeviz.jobs import board, store
from aeviz.ui.share import plain

NAME = '<b>**Ana**</b> :material/home:'  # HTML, markdown and an icon: shown as typed


@pytest.fixture(autouse=True)
def empty_board(monkeypatch):
    monkeypatch.setenv("AEVIZ_TEACHER_TOKEN", "teacher-token")
    shutil.rmtree(board.folder(), ignore_errors=True)
    yield
    shutil.rmtree(board.folder(), ignore_errors=True)


def _share(at, name: str):
    at.text_input(key="share_name").input(name)
    [button] = [b for b in at.button if b.form_id == "share_form"]  # in either language
    return button.click().run()


def _board_page(at):
    at.switch_page("aeviz/ui/page_board.py").run()
    assert not at.exception, at.exception
    return at


def test_a_shared_model_is_on_the_board_as_typed_and_another_session_opens_it_from_the_store():
    ana = _app()
    _share(ana, NAME)
    assert not ana.exception, ana.exception
    assert not ana.error, [e.value for e in ana.error]
    [done] = ana.success
    assert "On the class board as" in done.value and "<b>" not in done.value  # escaped for markdown
    [entry] = board.entries()
    assert entry.name == NAME and entry.cfg == ana.session_state["shown_config"] and store.contains(entry.cfg)

    bruno = _app(k="3")
    _board_page(bruno)
    [table] = bruno.dataframe
    assert list(table.value["name"]) == [NAME]  # a table cell: text, never HTML
    assert table.value["k"].tolist() == [2] and len(bruno.get("plotly_chart")) == 1
    [opened] = [b for b in bruno.button if b.key == "board_open"]
    opened.click().run()
    assert not bruno.exception, bruno.exception
    assert bruno.session_state["shown_config"] == entry.cfg and bruno.slider(key="w_k").value == 2
    assert bruno.header[0].value == "Latent space"  # taken to its map


def test_a_bad_name_is_refused_in_place_and_nothing_is_added():
    at = _app()
    _share(at, " \t ")  # the text box stops at 40 characters; the server checks the rest
    assert [e.value for e in at.error] == ["A name has 1 to 40 characters; this one has 0."]
    assert not at.success and board.entries() == []


def test_a_wrong_token_sets_no_task_and_the_teacher_s_task_ranks_the_board_and_shows_on_every_page():
    student = _app()
    _share(student, "Ana")
    teacher = _board_page(_app())
    [token] = [w for w in teacher.text_input if w.label == "Teacher token"]
    token.input("guess")
    [sign_in] = [b for b in teacher.button if b.label == "Sign in"]
    sign_in.click().run()
    assert [e.value for e in teacher.error] == ["That is not this deployment's teacher token."]
    assert not [w for w in teacher.text_input if w.label.startswith("Task")]  # no task form
    [token] = [w for w in teacher.text_input if w.label == "Teacher token"]
    token.input("teacher-token")
    [sign_in] = [b for b in teacher.button if b.label == "Sign in"]
    sign_in.click().run()
    [text] = [w for w in teacher.text_input if w.label.startswith("Task")]
    text.input("Best kNN accuracy with a 2-number code, under 30 s of training")
    [set_task] = [b for b in teacher.button if b.label == "Set the task"]
    set_task.click().run()
    assert not teacher.exception, teacher.exception
    assert board.task() == board.Task("Best kNN accuracy with a 2-number code, under 30 s of training",
                                      "knn_accuracy", 2, 30.0)
    [table] = teacher.dataframe
    assert table.value["rank"].tolist() == ["1"] and table.value["meets"].tolist() == [True]
    student.switch_page("aeviz/ui/page_denoise.py").run()
    assert any(plain("Best kNN accuracy with a 2-number code") in i.value for i in student.info)
    assert any("a 2-number code" in i.value and "30 s" in i.value for i in student.info)


def test_the_board_exports_its_csv_and_scatter_in_the_page_s_language(monkeypatch):
    """Each file is made when its button is pressed (charts.deferred): here once, from what the page held."""
    import csv
    import io
    import json

    from aeviz.ui import charts

    makers = {}
    real = charts.deferred
    monkeypatch.setattr(charts, "deferred", lambda make, key: makers.setdefault(key, make) and real(make, key))
    speaking = i18n.use("pt")  # AppTest words the sidebar's menus in this thread when it reruns the page
    try:
        at = _app(lang="pt")
        _share(at, "=cmd|' /C calc'!A0")  # a spreadsheet formula as a name
        _board_page(at)
    finally:
        i18n._lang.reset(speaking)
    [header, row] = list(csv.reader(io.StringIO(makers["board_csv"]().decode())))
    assert header[:3] == ["Posição", "Cumpre", "Nome"] and header[-1] == "config"
    assert row[2] == "'=cmd|' /C calc'!A0"  # neutralised, still readable
    assert json.loads(row[-1]) == board.entries()[0].config and float(row[header.index("MSE de teste")]) > 0
    page = makers["board_html"]().decode()
    assert "Os modelos da turma" in page and "plotly" in page
