"""The linked Latent panels' server side: plotly.js for the browser, figure identities."""
from pathlib import Path

import plotly
import pytest

from aeviz.ui import linked

PACKAGED = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@pytest.fixture
def static(tmp_path, monkeypatch):
    monkeypatch.setattr(linked, "STATIC", tmp_path / "static")
    monkeypatch.setitem(linked._state, "ok", None)
    return tmp_path / "static"


def test_plotly_js_is_copied_once_byte_for_byte(static):
    assert linked.ensure_plotly_js()
    copy = static / "plotly.min.js"
    assert copy.read_bytes() == PACKAGED.read_bytes()
    stamp = copy.stat().st_mtime_ns
    linked._state["ok"] = None  # a new server process: the copy is there already
    assert linked.ensure_plotly_js() and copy.stat().st_mtime_ns == stamp
    assert not list(static.glob("*.tmp"))


def test_a_stale_copy_is_replaced(static):
    static.mkdir()
    (static / "plotly.min.js").write_text("old plotly")
    assert linked.ensure_plotly_js()
    assert (static / "plotly.min.js").read_bytes() == PACKAGED.read_bytes()


def test_an_unwritable_folder_means_the_fallback(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(linked, "STATIC", blocker / "static")
    monkeypatch.setitem(linked._state, "ok", None)
    assert linked.ensure_plotly_js() is False


def test_the_static_folder_is_the_one_streamlit_serves():
    from streamlit.file_util import get_app_static_dir

    assert Path(get_app_static_dir(str(linked.ROOT / "app.py"))) == linked.STATIC


def test_figure_keys_are_stable_and_tell_figures_apart():
    a = linked.figure_key(("ae", "cfg", 1.0), "Autoencoder", False)
    assert a == linked.figure_key(("ae", "cfg", 1.0), "Autoencoder", False)
    assert a != linked.figure_key(("ae", "cfg", 1.0), "Autoencoder", True)
    assert a != linked.figure_key(("ae", "cfg", 2.0), "Autoencoder", False)


def test_streamlit_look_bolds_the_title_and_keeps_the_rest():
    layout = {"title": {"text": "UMAP", "x": 0.02}, "font": {"family": "Inter", "size": 12},
              "xaxis": {"title": {"text": "dim 1"}, "range": [0, 1]}, "height": 440}
    out = linked.streamlit_look(layout)
    assert out["title"]["text"] == "<b>UMAP</b>" and out["title"]["x"] == 0.02
    assert out["font"]["family"] == "Inter" and out["font"]["size"] == 12
    assert out["xaxis"]["title"]["text"] == "dim 1" and out["xaxis"]["range"] == [0, 1]
    assert out["height"] == 440 and layout["title"]["text"] == "UMAP"  # the input is not changed


def test_the_installed_plotly_js_is_the_one_linked_panel_js_was_written_for():
    """linked_panel.js paints selections through plotly.js internals; requirements.txt pins the
    plotly package whose plotly.js it was written against. A different one must be a decision."""
    import re

    from plotly.offline import get_plotlyjs_version

    js = (Path(linked.__file__).with_name("linked_panel.js")).read_text()
    written_for = re.search(r'const WRITTEN_FOR_PLOTLY_JS = "([^"]+)"', js).group(1)
    assert get_plotlyjs_version() == written_for
    assert f"* plotly.js v{written_for}\n" in PACKAGED.read_text()[:100]  # the copy the panels load
