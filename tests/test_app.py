"""Every page of the Streamlit app, run headless by AppTest on a small configuration."""
import base64
import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from aeviz import jobs
from aeviz.nets import infer
from aeviz.ui.shown import dataset, latent_view, training

ROOT = Path(__file__).resolve().parents[1]
SMALL = {"data": "digits", "epochs": "3"}


@pytest.fixture(autouse=True)
def fresh_view_caches():
    """Every test starts with empty page caches (figures, latent views, the Denoising page's numbers) and
    no prefetch still filling them, so no test finds what an earlier one left. Trained models stay
    in the jobs' registry: the tests here check what is drawn from them, not their training."""
    import streamlit as st

    jobs.prefetch(lambda: None).result(timeout=60)  # one worker: whatever was queued before is done
    st.cache_resource.clear()
    st.cache_data.clear()


def _wait_for_training(at: AppTest, timeout: float = 60) -> None:
    job = training(at.session_state["shown_config"])
    assert job is not None, "no training job was started"
    job.wait(timeout)
    assert job.finished_ok, job.error


def _wait_for_projection(method: str, name: str = "digits", seed: int = 0, timeout: float = 120) -> None:
    from aeviz.ui import baselines

    baselines.projection_job(method, dataset(name, seed), (name, seed)).wait(timeout)


def _app(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in {**SMALL, **params}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    _wait_for_training(at)
    return at.run()


def _linked_panels(at: AppTest) -> list:
    """The Latent page's linked panels (a custom component, aeviz/ui/linked.py), without the
    sidebar's instance that only fetches plotly.js."""
    return [e for e in at.get("bidi_component")
            if e.proto.component_name == "aeviz_linked_panel" and "figure" in json.loads(e.proto.json)]


def _charts(at: AppTest) -> list:
    """Streamlit's charts plus the Latent page's linked panels."""
    return at.get("plotly_chart") + _linked_panels(at)


def test_latent_page_shows_three_panels_and_scores():
    at = _app()
    _wait_for_projection("umap")
    at.run()
    assert not at.exception, at.exception
    assert len(_charts(at)) == 3  # autoencoder, PCA, UMAP
    captions = " ".join(c.value for c in at.caption)
    assert captions.count("trustworthiness") == 3 and "kNN accuracy" in captions
    assert at.metric[0].label.startswith("Held-out reconstruction error")
    assert not at.error


def test_latent_panels_are_linked_and_carry_the_selection_held_by_the_server():
    at = _app()
    _wait_for_projection("umap")
    at.run()
    panels = _linked_panels(at)
    assert len(panels) == 3
    data = [json.loads(p.proto.json) for p in panels]
    assert {d["group"] for d in data} == {"digits"} and all(d["linked"] and d["selected"] == [] for d in data)
    # Each figure's points are the held-out digits, once each; their ids are what a selection names.
    fig = json.loads(data[0]["figure"])
    assert fig["layout"]["datarevision"] and "template" not in fig["layout"] and "meta" not in fig["layout"]
    assert [t["name"] for t in fig["data"]] == [str(d) for d in range(10)]  # one trace per class
    points = sum(len(base64.b64decode(t["x"]["bdata"])) // np.dtype(t["x"]["dtype"]).itemsize for t in fig["data"])
    assert points == len(dataset("digits").x_test)  # every held-out digit, once
    at.session_state["selection:digits"] = [1, 3, 4]  # as a selection in the browser leaves it
    at.run()
    again = [json.loads(e.proto.json) for e in _linked_panels(at)]
    assert all(d["selected"] == [1, 3, 4] for d in again)
    assert any("3 selected" in c.value for c in at.caption)  # the gallery follows the selection


def _points(fig: dict) -> np.ndarray:
    """A linked panel's points (plotly JSON, arrays as base64), every trace's: (N, 2)."""
    def column(trace, axis):
        return np.frombuffer(base64.b64decode(trace[axis]["bdata"]), np.dtype(trace[axis]["dtype"]))

    return np.concatenate([np.stack([column(t, "x"), column(t, "y")], axis=1) for t in fig["data"]])


def test_the_pca_panel_and_the_umap_job_are_those_of_the_shown_split_seed():
    """A model of the digits split with seed 1 (a loaded model's config can say so) is shown beside
    PCA and UMAP of its own held-out digits, not those of the seed-0 split: the baselines' caches
    and jobs carry the split seed as well as the data set's name."""
    from dataclasses import replace

    from aeviz import analysis, data
    from aeviz.config import ProjectionConfig

    at = _app()
    cfg = at.session_state["shown_config"]
    cfg = replace(cfg, data=replace(cfg.data, seed=1))
    ds = data.load("digits", seed=1)
    assert not np.array_equal(ds.x_test, data.load("digits", seed=0).x_test)  # another split
    assert jobs.backend().train(cfg, ds).wait(60).finished_ok
    at.session_state["shown_config"] = cfg
    at.slider(key="w_epochs").set_value(11).run()  # the sidebar now differs, untrained: cfg stays shown
    assert not at.exception, at.exception
    assert at.session_state["shown_config"] == cfg
    figs = [json.loads(json.loads(p.proto.json)["figure"]) for p in _linked_panels(at)]
    [pca] = [f for f in figs if f["layout"]["title"]["text"] == "<b>PCA</b>"]
    expected = analysis.baseline_projection("pca", ds)  # (N, 2) of the seed-1 held-out digits
    assert np.allclose(np.sort(_points(pca), axis=0), np.sort(expected, axis=0), atol=1e-5)
    assert jobs.backend().projections.get(("umap", ("digits", 1), ProjectionConfig())) is not None


def test_denoising_page_finds_its_numbers_computed_by_the_prefetch(monkeypatch):
    from aeviz import noise
    from aeviz.ui import denoising

    calls = []
    real = noise.corrupt
    def counted(*a, **k):  # the page's own corruptions only (training corrupts with other seeds)
        if k.get("seed") == denoising.NOISE_SEED:
            calls.append(a[1:])
        return real(*a, **k)

    monkeypatch.setattr(noise, "corrupt", counted)
    at = _app(kind="denoising", noise="gaussian", level="0.3")
    _wait_for_projection("umap")
    at.run()  # the Latent page is complete: the prefetch starts
    jobs.prefetch(lambda: None).result(timeout=60)  # one worker: the prefetch is done
    assert calls == [denoising.DENOISE_DEFAULTS]
    at.switch_page("aeviz/ui/page_denoise.py").run()
    assert not at.exception, at.exception
    assert calls == [denoising.DENOISE_DEFAULTS]  # nothing computed again on the first visit
    at.slider(key="dn_level").set_value(0.7).run()
    assert calls[-1] == ("gaussian", 0.7)


def test_first_thumbnails_view_finds_its_figures_built_by_the_prefetch(monkeypatch):
    from aeviz import figures

    built = []
    real = figures.embedding_with_thumbnails
    monkeypatch.setattr(figures, "embedding_with_thumbnails",
                        lambda *a, **k: built.append(k.get("title")) or real(*a, **k))
    at = _app()
    _wait_for_projection("umap")
    at.run()
    jobs.prefetch(lambda: None).result(timeout=60)
    assert "Autoencoder (2-D code)" in built
    before = list(built)
    at.toggle[1].set_value(True).run()  # "Digit thumbnails"
    assert not at.exception, at.exception
    assert built == before  # the toggle found every thumbnails figure ready


def test_every_download_of_the_latent_page_makes_its_file(monkeypatch):
    """The download buttons' files are made when pressed (charts.deferred), outside any rerun, so
    a page run alone never calls them: here each one is made once."""
    import io
    import zipfile

    from aeviz import export
    from aeviz.ui import charts

    makers = {}
    real = charts.deferred
    monkeypatch.setattr(charts, "deferred", lambda make, key: makers.setdefault(key, make) and real(make, key))
    monkeypatch.setattr(export, "figure_bytes", lambda fig, fmt, **kw: b"PNG")  # no Chromium needed
    _app()
    files = {key: makers[key]() for key in ("dl_codes", "dl_metrics", "dl_weights", "dl_config", "dl_report")}
    assert files["dl_codes"].decode().splitlines()[0].startswith("sample_id,label,")
    assert "trustworthiness" in json.dumps(json.loads(files["dl_metrics"]))
    assert json.loads(files["dl_config"]) and files["dl_weights"]
    assert {"metrics.json", "codes.csv", "model.safetensors", "README.txt"} <= \
        set(zipfile.ZipFile(io.BytesIO(files["dl_report"])).namelist())


def test_latent_page_falls_back_to_streamlit_charts_without_static_files(monkeypatch):
    from aeviz.ui import linked

    monkeypatch.setitem(linked._state, "ok", False)  # as when static/ cannot be written
    at = _app()
    _wait_for_projection("umap")
    at.run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 3 and not _linked_panels(at)


def test_a_different_bottleneck_gives_a_different_latent_shape():
    at = _app()
    at.slider(key="w_k").set_value(3)
    at.button(key="train_button").click()
    at.run()
    _wait_for_training(at)
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["shown_config"].model.latent_dim == 3
    assert any("3-D code" in str(c.proto) for c in _charts(at))
    assert at.query_params["k"] in ("3", ["3"])  # the link reproduces the view


@pytest.mark.parametrize("page, charts", [("page_denoise", 2), ("page_decoder", 3), ("page_replay", 1),
                                          ("page_inside", 1)])
def test_every_page_renders_its_charts_without_errors(page, charts):
    at = _app()
    at.switch_page(f"aeviz/ui/{page}.py").run()
    assert not at.exception, at.exception
    # denoising: the rows and PCA's row; decoder: the grid, a point, a walk; replay: the one animation;
    # inside: the layer view's figure (the view itself runs in the page)
    assert len(_charts(at)) == charts
    assert at.expander[0].label == "About this view"


def test_denoise_page_trains_its_denoiser_and_cnn_and_shows_their_numbers():
    """Whatever the sidebar's bottleneck, the page trains its own denoiser (config.DENOISER) on the
    page's noise and the lessons' CNN on the clean digits, and shows the denoiser's row with PSNR and
    the CNN's readings of every row, each computed here directly."""
    from aeviz import analysis, config, metrics, noise
    from aeviz.config import ClassifierConfig, NoiseConfig
    from aeviz.nets import classifier
    from aeviz.ui import denoising

    at = _app(epochs="6")
    at.switch_page("aeviz/ui/page_denoise.py").run()
    assert not at.exception, at.exception
    cfg = at.session_state["shown_config"]
    den_cfg = denoising.denoiser_config(cfg, *denoising.DENOISE_DEFAULTS)
    assert den_cfg == config.denoiser(cfg.data, NoiseConfig(*denoising.DENOISE_DEFAULTS))
    assert den_cfg.model.kind == "denoising" and den_cfg.model.latent_dim >= 32 > cfg.model.latent_dim
    den, cnn = training(den_cfg), training(ClassifierConfig(cfg.data))
    assert den is not None and cnn is not None  # both started by opening the page
    den.wait(120), cnn.wait(120)
    assert den.finished_ok and cnn.finished_ok, (den.error, cnn.error)
    at.run()
    assert not at.exception, at.exception
    psnr = {m.label.split(": ")[0]: m.value for m in at.metric if m.label.endswith(": PSNR")}
    assert list(psnr) == ["noisy", "denoiser", "this model", f"PCA-{cfg.model.latent_dim}"]
    ds = dataset("digits")
    x = ds.x_test[analysis.view_indices(ds)]
    y = ds.y_test[analysis.view_indices(ds)]
    noisy = noise.corrupt(x, *denoising.DENOISE_DEFAULTS, seed=denoising.NOISE_SEED)
    cleaned = infer.reconstruct(den.result.model, noisy)
    assert psnr["denoiser"] == f"{metrics.psnr(x, cleaned):.2f} dB"
    assert metrics.psnr(x, cleaned) > metrics.psnr(x, noisy)
    reads = {m.label.split(": ")[0]: m.value for m in at.metric if m.label.endswith(": CNN reads")}
    assert list(reads) == ["noisy", "denoiser", "this model", f"PCA-{cfg.model.latent_dim}", "clean"]
    right = {"denoiser": cleaned, "clean": x, "noisy": noisy}
    for role, images in right.items():
        assert reads[role] == f"{100 * np.mean(classifier.predict(cnn.result, images) == y):.1f}% right"
    at.slider(key="dn_level").set_value(0.7).run()  # another noise: trained only when asked
    assert training(denoising.denoiser_config(cfg, "gaussian", 0.7)) is None
    assert at.button(key="train_denoiser").label == "Train the denoiser for this noise"


def test_denoise_page_reports_psnr_for_noisy_autoencoder_and_pca():
    from aeviz import analysis, metrics, noise
    from aeviz.ui import denoising

    at = _app(kind="denoising", noise="gaussian", level="0.3")
    at.switch_page("aeviz/ui/page_denoise.py").run()
    # Each row's numbers are that row's, computed here directly (the page's denoiser included).
    cfg = at.session_state["shown_config"]
    job, ds = training(cfg), dataset("digits")
    den = training(denoising.denoiser_config(cfg, *denoising.DENOISE_DEFAULTS)).wait(120)
    at.run()
    view = latent_view(job.result.model, ds, cfg, job.finished)
    noisy = noise.corrupt(view.x, *denoising.DENOISE_DEFAULTS, seed=denoising.NOISE_SEED)
    k = view.codes.shape[1]
    rows = {"noisy": noisy, "denoiser": infer.reconstruct(den.result.model, noisy),
            "this model": infer.reconstruct(job.result.model, noisy),
            f"PCA-{k}": analysis.pca_denoise(ds.x_train, noisy, k)}
    shown = {m.label.split(": ")[0]: m.value for m in at.metric if m.label.endswith(": PSNR")}
    assert list(shown) == list(rows)
    assert shown == {name: f"{metrics.psnr(view.x, x):.2f} dB" for name, x in rows.items()}
    ssim = [c.value for c in at.caption if c.value.startswith("SSIM")]
    assert ssim == [f"SSIM **{metrics.ssim(view.x, x, ds.image_shape):.3f}** · "
                    f"MSE **{metrics.reconstruction_error(view.x, x):.4f}**" for x in rows.values()]


def test_divergence_shows_a_plain_message_not_a_traceback():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in {**SMALL, "lr": "10.0", "epochs": "6"}.items():
        at.query_params[k] = v
    at.run()
    training(at.session_state["shown_config"]).wait(60)
    at.run()
    assert not at.exception
    assert [e.value.startswith("**Training failed.**") and "lower it" in e.value for e in at.error] == [True]
    assert at.button(key="retry_training").label == "Retry"


def test_a_failed_umap_is_shown_once_with_retry_and_never_rerun_by_itself(monkeypatch):
    from aeviz.config import ProjectionConfig

    key = ("umap", ("digits", 0), ProjectionConfig())
    projections = jobs.backend().projections
    before = projections.get(key)
    if before is not None:  # an earlier test's UMAP of these digits: this test needs a fresh one
        before.wait(120)
        with projections._lock:
            projections._jobs.pop(key)
    calls = []

    def broken(fn, report, method, *args):
        calls.append(method)
        raise ValueError("No threading layer could be loaded.\nHINT: the rest of numba's message")

    monkeypatch.setattr(jobs.backend().runner, "in_worker", broken)
    monkeypatch.setattr(jobs.store, "load_points", lambda name: None)  # computed here, not read back
    at = _app()
    projections.get(key).wait(30)
    for _ in range(3):  # reruns (a poll, a click elsewhere) never resubmit it
        at.run()
    assert not at.exception, at.exception
    assert calls == ["umap"]
    assert [e.value for e in at.error] == ["**UMAP failed.** No threading layer could be loaded."]
    assert len(_linked_panels(at)) == 2  # the autoencoder and PCA panels are there
    assert at.metric[0].label.startswith("Held-out reconstruction error")
    at.button(key="retry_umap").click().run()  # Retry runs it again, once
    projections.get(key).wait(30)
    at.run()
    assert calls == ["umap", "umap"] and len(at.error) == 1
    monkeypatch.undo()  # the cause is fixed: the next Retry draws the panel
    at.button(key="retry_umap").click().run()
    projections.get(key).wait(120)
    at.run()
    assert not at.error and len(_linked_panels(at)) == 3


def test_bad_link_values_are_reported_and_replaced():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params.update(data="digits", epochs="3", k="999", kind="vae")
    at.run()
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert "k=999" in warnings and "kind=vae" in warnings
    assert not at.exception
    assert at.slider(key="w_k").value == 2 and at.selectbox(key="w_kind").value == "undercomplete"  # the defaults
    assert at.selectbox(key="w_data").value == "digits"  # the valid values are kept


def _badges(at: AppTest) -> list[str]:
    """The lesson badges the page shows (st.badge is markdown: :color-badge[icon word])."""
    return [m.value for m in at.markdown if "-badge[" in m.value]


def test_lessons_page_lists_the_lessons_then_runs_one_and_shows_its_verdict():
    from aeviz import lessons

    at = _app()
    at.switch_page("aeviz/ui/page_lessons.py").run()
    assert not at.exception, at.exception
    assert not at.success and not at.warning  # nothing is claimed before a lesson has run
    assert len(_badges(at)) == len(lessons.LESSONS) and all("Not run yet" in b for b in _badges(at))
    assert not [m for m in at.markdown if m.value.startswith("> “")]  # the contents: no lesson's text yet
    at.sidebar.selectbox(key="lesson_data").set_value("digits").run()
    at.query_params["lesson"] = "linear-vs-pca"
    at.run()
    assert not at.exception, at.exception
    [quote] = [m.value for m in at.markdown if m.value.startswith("> “")]  # one lesson, quoting the chapter
    assert quote.startswith(f"> “{lessons.LESSONS['linear-vs-pca'].quote}”") and "— chapter “" in quote
    for epochs, verdict, word in [(0, "**Held on this run.**", "Held"), (1, "**Did not hold on this run.**",
                                                                        "Did not hold")]:
        at.sidebar.number_input(key="lesson_epochs").set_value(epochs).run()
        at.button(key="run_linear-vs-pca").click().run()
        job = jobs.backend().lessons.get(("lesson", "linear-vs-pca", "digits", 0, epochs))
        job.wait(120)
        assert job.finished_ok, job.error
        at.run()
        assert not at.exception, at.exception
        shown = [e.value for e in (at.success if epochs == 0 else at.warning)]
        assert shown == [f"{verdict} {job.result.sentence}"]
        assert f"Criterion: {job.result.criterion}" in [c.value for c in at.caption]
        assert [b for b in _badges(at) if b.endswith(f" {word}]")]
    assert job.result.holds is False and "epoch" in str(job.result.sentence)
    assert len(_charts(at)) == 2  # the principal angles and the two bases
    del at.query_params["lesson"]
    at.run()  # back on the contents: this lesson's row says it did not hold (epochs 1), the rest not run
    badges = _badges(at)  # in the registry's order: linear-vs-pca is the second
    assert badges[1].endswith("Did not hold]") and sum("Not run yet" in b for b in badges) == 7, badges


def test_run_all_over_the_budget_starts_nothing_and_each_badge_says_so(monkeypatch):
    from aeviz import lessons

    at = _app()
    at.switch_page("aeviz/ui/page_lessons.py").run()
    at.sidebar.number_input(key="lesson_seed").set_value(7).run()  # settings no other test has run
    monkeypatch.setenv("AEVIZ_MAX_JOB_S", "0.01")  # every lesson costs more than this
    at.button(key="run_all").click().run()
    assert not at.exception, at.exception
    assert all("Over the budget" in b for b in _badges(at)), _badges(at)
    assert all(jobs.backend().lessons.get(("lesson", n, lessons.LESSONS[n].dataset, 7, 0)) is None
               for n in lessons.LESSONS)  # nothing started
    monkeypatch.setenv("AEVIZ_MAX_JOB_S", "120")
    at.query_params["lesson"] = "sparsity"
    at.run()  # the lesson's own page says why, where its Run is
    [refusal] = [e.value for e in at.error]
    assert "over" in refusal.lower() and "limit" in refusal.lower(), refusal


def test_a_link_to_no_lesson_says_so_and_names_the_lessons():
    from aeviz import lessons

    at = _app()
    at.switch_page("aeviz/ui/page_lessons.py")
    at.query_params["lesson"] = "sparsty"
    at.run()
    assert not at.exception, at.exception
    [warning] = [w.value for w in at.warning]
    assert "“sparsty”" in warning and all(name in warning for name in lessons.LESSONS)
    assert len(_badges(at)) == len(lessons.LESSONS)  # the contents, as without the link


def test_the_lessons_sidebar_holds_the_lessons_settings_only_and_the_model_settings_survive():
    at = _app()
    at.slider(key="w_k").set_value(5).run()
    at.switch_page("aeviz/ui/page_lessons.py").run()
    assert not at.exception, at.exception
    keys = {w.key for kind in ("selectbox", "slider", "number_input", "text_input", "button")
            for w in getattr(at.sidebar, kind)}
    assert not {k for k in keys if k and k.startswith("w_") and k != "w_lang"}, keys  # no model setting
    assert {"lesson_data", "lesson_seed", "lesson_epochs"} <= keys and "train_button" not in keys
    data_controls = [s for s in at.selectbox if s.label.lower().startswith("data set")]
    assert [s.key for s in data_controls] == ["lesson_data"]  # one data-set control on the page
    at.switch_page("aeviz/ui/page_latent.py").run()
    assert not at.exception, at.exception
    assert at.slider(key="w_k").value == 5  # what the user had set is still there


LONG_LINK = {"data": "mnist-5k", "hidden": "2048,2048,2048", "k": "64", "epochs": "100", "lr": "0.0001", "bs": "16"}


def test_a_costly_link_fills_the_sidebar_waits_for_train_and_is_refused_over_the_budget():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for k, v in LONG_LINK.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    cfg = at.session_state["sidebar_config"]
    assert cfg.model.hidden == (2048, 2048, 2048) and cfg.train.epochs == 100
    assert "shown_config" not in at.session_state and training(cfg) is None  # nothing started
    [info] = [i.value for i in at.info if i.value.startswith("This link asks for a training of about")]
    [caption] = [c.value for c in at.sidebar.caption if c.value.startswith("Training: about")]
    assert "over this server's limit" in caption
    at.button(key="train_button").click().run()
    [refusal] = [e.value for e in at.sidebar.error]
    assert "over its limit" in refusal and "epochs instead of 100" in refusal
    assert training(cfg) is None and "shown_config" not in at.session_state


def test_the_sidebar_says_what_train_would_cost():
    at = _app(epochs="4")
    assert [c.value for c in at.sidebar.caption if c.value.startswith("Trained already")]
    at.slider(key="w_epochs").set_value(9).run()
    [caption] = [c.value for c in at.sidebar.caption if c.value.startswith("Training: about")]
    assert caption.endswith("s.") and "limit" not in caption


def test_the_decoded_plane_is_painted_with_the_cnns_confidence_on_asking():
    """The toggle trains the lessons' CNN in the background, then lays its confidence in each decoded
    cell over the plane: the overlay's values are the CNN's own, cell by cell, and the caption's
    share of sure cells is computed from them."""
    from aeviz.nets import classifier
    from aeviz.ui import denoising

    at = _app()
    at.switch_page("aeviz/ui/page_decoder.py").run()
    at.toggle(key="dec_confidence").set_value(True).run()
    cfg = at.session_state["shown_config"]
    job = training(denoising.classifier_config(cfg))
    assert job is not None
    job.wait(120)
    assert job.finished_ok, job.error
    at.run()
    assert not at.exception, at.exception
    plane = json.loads(json.loads([e for e in _linked_panels(at)][0].proto.json)["figure"])
    layer = [tr for tr in plane["data"] if tr.get("name") == "confidence"]
    assert len(layer) == 1
    shown = at.session_state["shown_config"]

    def array(v):
        if isinstance(v, dict):
            out = np.frombuffer(base64.b64decode(v["bdata"]), np.dtype(v["dtype"]))
            return out.reshape([int(d) for d in str(v["shape"]).split(",")]) if "shape" in v else out
        return np.array(v, float)

    model = training(shown).result.model
    xs, ys = array(layer[0]["x"]), array(layer[0]["y"])
    n = len(xs)
    grid = np.array([[x, y] for y in ys[::-1] for x in xs], np.float32)  # rows from the top, as the page
    want = classifier.predict_proba(job.result, infer.decode(model, grid)).max(1).reshape(n, n)[::-1]
    got = array(layer[0]["z"]).reshape(n, n)
    np.testing.assert_allclose(got, want, atol=1e-4)
    share = float((want >= 0.9).mean())
    assert any(f"{share:.0%}" in c.value and "90%" in c.value for c in at.caption)


def test_a_tsne_over_the_budget_is_refused_where_its_panel_would_be_and_the_rest_stays(monkeypatch):
    from aeviz import cost
    from aeviz.config import ProjectionConfig

    key = ("tsne", ("digits", 0), ProjectionConfig())
    projections = jobs.backend().projections
    if (before := projections.get(key)) is not None:  # an earlier test's t-SNE of these digits
        before.wait(120)
        with projections._lock:
            projections._jobs.pop(key)
    at = _app()
    _wait_for_projection("umap")
    at.run()
    # 1 s a digit: the 360 held-out digits take 6 min, over the 2 min budget; 120 of them would fit
    monkeypatch.setattr(cost, "projection_seconds", lambda method, n: float(n) if method == "tsne" else 1.0)
    at.toggle[0].set_value(True).run()  # "Add t-SNE"
    assert not at.exception, at.exception
    said = [w.value for w in at.warning if w.value.startswith("t-SNE was not started:")]
    assert said == ["t-SNE was not started: This would take about 6 min by this server's estimate, over its limit "
                    "of about 2 min a job (AEVIZ_MAX_JOB_S). Its cost grows with the number of digits: about 120 "
                    "of these 360 would fit."]
    assert projections.get(key) is None  # nothing started
    assert len(_linked_panels(at)) == 3  # the autoencoder, PCA and UMAP panels stay
