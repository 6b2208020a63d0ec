"""Each lesson's claim, checked on a small budget (few_digits=True: 800 training digits)."""
import os
from pathlib import Path

import numpy as np
import pytest

from aeviz import i18n, lessons
from aeviz.figures.lessons import lesson_figures
from aeviz.lessons.verdict import judge

ROOT = Path(__file__).resolve().parents[1]
# The chapter lives beside the repository (a checkout's shared/ folder), not in it: CI, which clones
# only the repository, skips the test that reads it. AEVIZ_CHAPTER names another copy.
CHAPTER = [Path(p) for p in [os.environ.get("AEVIZ_CHAPTER"), ROOT / "shared" / "chapter-autoencoders-pt.txt",
                             ROOT.parent / "shared" / "chapter-autoencoders-pt.txt"] if p]


def _run(name, **kw):
    seen = []
    les = lessons.run(name, few_digits=True, progress=lambda f, m: seen.append((f, m)), **kw)
    assert seen and all(0 <= f <= 1 for f, _ in seen)  # progress is reported
    assert les.name == name and isinstance(les.holds, bool) and str(les.criterion).startswith("Holds when")
    assert set(les.to_json()) == set(les.numbers) | {"holds", "criterion", "sentence"}
    assert str(les.sentence).startswith("The claim did not hold on this run") != les.holds
    assert les.sentence.render("pt") != les.sentence.render("en")  # worded when shown, in each language
    figs = lesson_figures(les)
    assert figs and all(f.to_json() for f in figs)
    return les.numbers


def test_bottleneck_error_falls_with_width_and_linear_tracks_pca():
    n = _run("bottleneck", dataset="digits")
    assert n["latent_sizes"] == sorted(n["latent_sizes"])
    assert np.all(np.diff(n["pca_error"]) < 0)  # PCA's optimum: strictly better with more components
    ae = np.array(n["ae_error"])
    assert ae[-1] < 0.8 * ae[0] and np.all(ae[1:] < 1.05 * ae[:-1])  # falls, up to training noise
    ratio = np.array(n["linear_error"]) / np.array(n["pca_error"])
    assert np.all(ratio > 0.97) and np.all(ratio < 1.25)  # never below PCA's optimum by more than noise


def test_linear_autoencoder_matches_pca():
    n = _run("linear-vs-pca", dataset="digits")
    assert n["k"] == 8 and n["error_ratio"] < 1.05
    assert n["mean_principal_angle_deg"] < 15


def test_structure_compresses_and_noise_does_not():
    n = _run("structure-vs-noise", dataset="digits")
    assert n["digits_relative_error"] < 0.5 < 0.8 < n["noise_relative_error"]


def test_kl_sparsity_reaches_rho():
    n = _run("sparsity", dataset="digits")
    assert abs(n["mean_activation_sparse"] - n["rho"]) < 0.03
    assert n["mean_activation_plain"] > 3 * n["rho"]


def test_overcomplete_net_copies_noise_and_does_not_denoise():
    n = _run("overcomplete", dataset="digits")
    assert n["noise_error_overcomplete"] < n["noise_error_undercomplete"]
    assert n["denoise_psnr_denoising"] > n["denoise_psnr_overcomplete"]
    assert n["train_error_overcomplete"] < 0.02  # near zero: per-pixel MSE (few_digits budget)


def test_denoising_first_helps_the_classifier_at_sigma_half():
    n = _run("denoise-then-classify", dataset="digits")
    j = n["noise_levels"].index(0.5)
    assert n["accuracy_denoised"][j] > n["accuracy_noisy"][j]
    assert n["accuracy_clean"] > 0.8


def test_chapter_example_has_the_chapters_numbers():
    n = _run("chapter-example")
    assert (n["n_inputs"], n["n_hidden"]) == (100, 50)
    assert 0 < n["ae_error"] < 0.05 and 0 < n["pca_error"] < 0.05


def test_one_registry_names_every_lesson_and_its_figures():
    from aeviz.figures.lessons import BUILDERS

    assert list(BUILDERS) == list(lessons.LESSONS)
    assert all(les.claim and les.about and les.quote and les.name == name for name, les in lessons.LESSONS.items())
    # one module per lesson, named after it
    assert all(les.nets.__module__ == les.measure.__module__ == f"aeviz.lessons.{name.replace('-', '_')}"
               for name, les in lessons.LESSONS.items())


def _words(text: str) -> str:
    return " ".join(text.split())


def test_every_lesson_quotes_the_chapter_verbatim_in_portuguese():
    found = [p for p in CHAPTER if p.is_file()]
    if not found:
        pytest.skip("the chapter is not beside this checkout (shared/chapter-autoencoders-pt.txt); "
                    "set AEVIZ_CHAPTER to its path")
    chapter = _words(found[0].read_text(encoding="utf-8"))
    for name in lessons.LESSONS:
        quote = _words(i18n.t(f"lessons.{name}.quote", "pt"))
        assert quote in chapter, f"{name}: not the chapter's words: {quote!r}"
        assert i18n.t(f"lessons.{name}.quote", "en") != quote  # the English is a translation


def test_a_lesson_s_words_follow_the_reader_and_keep_their_numbers():
    checks = [lessons.Check(True, i18n.Msg("lessons.bottleneck.falls", first=0.0123, k0=1, last=0.0045, k1=16),
                                i18n.Msg("lessons.bottleneck.rises", ks="2, 4"))]
    les = judge("bottleneck", {"x": 1.5}, i18n.Msg("lessons.bottleneck.criterion", narrow="1, 2, 4"),
                               i18n.Msg("lessons.bottleneck.finding"), checks, i18n.Msg("lessons.advice.epochs",
                               note=i18n.Msg("lessons.epochs_note.many", n=3)))
    assert les.sentence.render("en") == ("A narrower code loses more: the autoencoder's error falls from 0.0123 "
                                         "at k = 1 to 0.0045 at k = 16.")
    assert "0,0123" in les.sentence.render("pt") and "0.0123" not in les.sentence.render("pt")
    token = i18n.use("pt")
    try:
        worded = les.to_json()
    finally:
        i18n._lang.reset(token)
    assert worded["sentence"] == les.sentence.render("pt") and worded["x"] == 1.5
    assert worded["criterion"] == les.criterion.render("pt") != les.to_json()["criterion"]
    failed = judge("bottleneck", {}, les.criterion, i18n.Msg("lessons.bottleneck.finding"),
                                  [lessons.Check(False, c.held, c.failed) for c in checks],
                                  i18n.Msg("lessons.advice.epochs", note=i18n.Msg("lessons.epochs_note.one", n=1)))
    assert str(failed.sentence) == ("The claim did not hold on this run: the autoencoder's error rose as the code "
                                    "widened (at k = 2, 4). More epochs would likely change it (this run trained "
                                    "1 epoch).")
    import pickle

    assert pickle.loads(pickle.dumps(failed)).sentence.render("pt") == failed.sentence.render("pt")


def test_a_starved_linear_autoencoder_does_not_learn_pca_and_says_so():
    full = lessons.run("linear-vs-pca", few_digits=True)
    starved = lessons.run("linear-vs-pca", few_digits=True, epochs=1)
    assert full.holds and full.numbers["max_principal_angle_deg"] <= 5
    assert not starved.holds and starved.numbers["max_principal_angle_deg"] > 5
    assert str(starved.sentence) != str(full.sentence) and "1 epoch" in str(starved.sentence)


def test_unknown_lesson_names_the_valid_ones():
    with pytest.raises(ValueError, match="valid: bottleneck, linear-vs-pca"):
        lessons.run("vae")


def test_latent_holes_are_read_by_the_cnn(monkeypatch):
    """The fractions come from the classifier's probabilities: one that is never sure reads nothing."""
    n = _run("latent-holes", dataset="digits", epochs=3)
    assert n["kinds"] == ["undercomplete", "variational", "parametric-umap"]
    assert len(n["confident_fraction"]) == 3 and all(0 <= f <= 1 for f in n["confident_fraction"])
    assert len(n["empty_fraction"]) == 3 and all(0 <= f <= 1 for f in n["empty_fraction"])
    from aeviz.nets import classifier

    monkeypatch.setattr(classifier, "predict_proba", lambda clf, x: np.full((len(x), 10), 0.1))
    unsure = lessons.run("latent-holes", dataset="digits", few_digits=True, epochs=3).numbers
    assert unsure["confident_fraction"] == [0.0, 0.0, 0.0]


def test_a_grid_cell_is_empty_when_no_code_comes_within_a_step():
    from aeviz.lessons.latent_holes import empty_fraction

    xs = np.linspace(0, 1, 5)
    cells = np.array([[x, y] for y in xs for x in xs])  # a 5 x 5 grid, step 0.25
    step = np.array([0.25, 0.25])
    assert empty_fraction(cells, cells, step) == 0.0  # a code on every cell
    corners = np.array([[0.0, 0.0], [1.0, 1.0]])  # two clusters, the plane between them empty
    # a cell within one step of (0, 0) or (1, 1): 3 + 3 around each corner plus the corner itself
    assert empty_fraction(corners, cells, step) == pytest.approx(1 - 6 / 25)
    # steps are per axis: the same codes, stretched along x, are as near in steps
    assert empty_fraction(corners * [4, 1], cells * [4, 1], step * [4, 1]) == pytest.approx(1 - 6 / 25)


TOY_LESSON = '''
"""A toy lesson: a 2-number code loses more than an 8-number one."""
from aeviz.i18n import Msg
from aeviz.lessons.planner import Lesson
from aeviz.lessons.recipes import ae_error, net, steps
from aeviz.lessons.verdict import Check, judge


def nets(setting, widths=(2, 8)):
    return [setting.net(net(latent_dim=k), steps(epochs=3)) for k in widths]


def measure(setting, trained, progress=None, widths=(2, 8)):
    ds = setting.digits()
    narrow, wide = [ae_error(m, ds.x_test) for m in trained]
    ok = Msg("lessons.bottleneck.finding")
    return judge("toy", {"narrow": narrow, "wide": wide}, ok, ok, [Check(narrow > wide, ok, ok)], ok)


LESSON = Lesson("toy", nets, measure, dataset="digits")
'''


def test_a_lesson_is_one_file_and_one_registry_line(tmp_path, monkeypatch):
    """What the README promises a lesson's author: a module with a LESSON, and one line in the
    registry; then it runs, is planned (priced) without training, and runs as a job's work."""
    import importlib.util

    from aeviz import cost
    from aeviz.config import ExperimentConfig
    from aeviz.jobs import work

    (tmp_path / "toy.py").write_text(TOY_LESSON)
    spec = importlib.util.spec_from_file_location("toy", tmp_path / "toy.py")
    toy = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(toy)
    monkeypatch.setitem(lessons.LESSONS, toy.LESSON.name, toy.LESSON)  # the registry line

    planned = lessons.plan("toy", few_digits=True)
    assert [type(p) for p in planned] == [ExperimentConfig] * 2 and planned[0].data.few_digits
    assert [p.model.latent_dim for p in planned] == [2, 8] and planned[0].data.name == "digits"
    assert cost.lesson_seconds("toy", {"few_digits": True}) > 0
    verdict = work.run_lesson(work.quiet, "toy", {"few_digits": True, "seed": 1})
    assert verdict.name == "toy" and verdict.numbers["narrow"] > verdict.numbers["wide"] and verdict.holds
    with pytest.raises(TypeError, match="widths"):
        lessons.plan("toy", width=3)  # a misspelt parameter names the lesson's own


def test_planning_a_lesson_trains_nothing(monkeypatch):
    """plan() only reads the lesson's plan: a train_net that fails shows it was never called."""
    from aeviz.lessons import planner

    monkeypatch.setattr(planner, "train_net", lambda cfg: pytest.fail("plan trained a net"))
    planned = lessons.plan("denoise-then-classify", dataset="digits", few_digits=True, epochs=2)
    assert [type(p).__name__ for p in planned] == ["ClassifierConfig", "ExperimentConfig"]
    assert planned[0].epochs == 2 and planned[1].train.epochs == 2 and planned[1].noise.level == 0.5
