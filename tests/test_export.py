"""export: static figures decode at the size asked for, CSV is injection-safe, weights round-trip
bit-exactly without pickle, concurrent exports never swap images, a hung export times out."""
import csv
import io
import json
import re
import threading
import time
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from aeviz import export, report, tables

needs_browser = pytest.mark.skipif(
    export.find_browser() is None,
    reason="no Chrome/Chromium found (apt-get install -y chromium, or plotly_get_chrome): static export untestable")

HOSTILE = "=cmd|' /C calc'!A0"


def _figure(width=300, height=200, colour="white", name="trace-zeta"):
    layout = {"width": width, "height": height, "paper_bgcolor": colour, "plot_bgcolor": colour}
    return go.Figure(go.Scatter(x=np.arange(4), y=[1.0, -2.0, 3.0, 0.5], name=name), layout=layout)


def _solid(colour: str):
    """A figure that is one colour everywhere: no axes, no traces."""
    layout = {"width": 120, "height": 80, "paper_bgcolor": colour, "plot_bgcolor": colour,
              "xaxis": {"visible": False}, "yaxis": {"visible": False}}
    return go.Figure(layout=layout)


@needs_browser
@pytest.mark.parametrize("width,height,scale", [(300, 200, 2), (410, 230, 1)])
def test_png_has_layout_size_times_scale(width, height, scale):
    png = export.figure_bytes(_figure(width, height), "png", scale=scale)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG" and img.size == (width * scale, height * scale)


@needs_browser
def test_svg_parses_and_pdf_has_magic():
    root = ET.fromstring(export.figure_bytes(_figure(), "svg", scale=2))
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("viewBox") == "0 0 300 200"
    assert root.get("width") == "600"  # kaleido scales a vector's nominal size too
    assert export.figure_bytes(_figure(), "pdf").startswith(b"%PDF")


def test_unknown_format_names_valid_ones():
    with pytest.raises(ValueError, match="png, svg, pdf"):
        export.figure_bytes(_figure(), "bmp")


def test_missing_browser_says_how_to_install_and_html_still_works(monkeypatch):
    monkeypatch.setattr(export, "_engine", None)  # restored afterwards
    monkeypatch.setattr(export, "find_browser", lambda: None)
    with pytest.raises(export.ExportError, match=r"apt-get install -y chromium.*plotly_get_chrome"):
        export.figure_bytes(_figure(), "png")
    assert b"trace-zeta" in export.figure_html(_figure())


def test_html_is_standalone_with_the_figure():
    html = export.figure_html(_figure()).decode("utf-8")
    assert html.lower().startswith("<!doctype html>") and "trace-zeta" in html and "Plotly.newPlot" in html
    assert re.search(r"<script[^>]*\ssrc=", html) is None  # nothing fetched from a CDN
    assert len(html) > 1_000_000  # plotly.js (several MB) is inlined, so it opens offline


@needs_browser
def test_concurrent_exports_each_get_their_own_image():
    colours = {"red": (255, 0, 0), "blue": (0, 0, 255), "lime": (0, 255, 0)}
    got, start = {c: [] for c in colours}, threading.Barrier(len(colours))

    def work(colour):
        start.wait()
        for _ in range(3):
            img = Image.open(io.BytesIO(export.figure_bytes(_solid(colour), "png"))).convert("RGB")
            got[colour].append(img.getpixel((img.width // 2, img.height // 2)))

    threads = [threading.Thread(target=work, args=(c,)) for c in colours]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert got == {c: [rgb] * 3 for c, rgb in colours.items()}


@needs_browser
def test_hung_export_times_out_releases_lock_and_recovers(monkeypatch):
    export.figure_bytes(_solid("red"), "png")  # a live engine, so only the render itself hangs

    async def hang(*args):
        time.sleep(3)

    with monkeypatch.context() as m:
        m.setattr(export, "_calc", hang)
        t0 = time.perf_counter()
        with pytest.raises(export.ExportError, match="timed out after 0.5 s"):
            export.figure_bytes(_solid("red"), "png", timeout=0.5)
        assert time.perf_counter() - t0 < 2.0
    assert export._LOCK.acquire(blocking=False)
    export._LOCK.release()
    png = export.figure_bytes(_solid("blue"), "png")  # a fresh engine, not the hung one
    assert Image.open(io.BytesIO(png)).convert("RGB").getpixel((60, 40)) == (0, 0, 255)


def test_timeout_waiting_for_the_lock():
    with export._LOCK, pytest.raises(export.ExportError, match="waiting for another export"):
        export.figure_bytes(_figure(), "png", timeout=0.05)


def _rows(data: bytes):
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def test_points_csv_rows_columns_injection_and_numbers():
    rng = np.random.default_rng(0)
    n = 7
    code = rng.normal(size=(n, 3)).astype(np.float32)  # (N, 3): has negatives
    emb = rng.normal(size=(n, 2))  # (N, 2)
    labels = np.arange(n) % 3
    names = [HOSTILE, "+1", "ok"]
    rows = _rows(tables.points_csv(np.arange(100, 100 + n), labels, "test",
                                  {"code": code, "autoencoder": emb}, class_names=names))
    assert rows[0] == ["sample_id", "label", "split", "code_0", "code_1", "code_2",
                       "autoencoder_x", "autoencoder_y"]
    assert len(rows) == n + 1
    body = np.array([[float(v) for v in r[3:]] for r in rows[1:]])
    assert np.array_equal(body[:, :3].astype(np.float32), code)  # float32 round-trips exactly
    assert np.array_equal(body[:, 3:], emb)
    assert (body < 0).any()  # negatives stayed numbers
    assert [r[1] for r in rows[1:4]] == ["'" + HOSTILE, "'+1", "ok"]
    assert all(r[0] == str(100 + i) and r[2] == "test" for i, r in enumerate(rows[1:]))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_points_csv_neutralises_every_formula_start_in_text_cells(text):
    rows = _rows(tables.points_csv([0], [text], [text], {"z": np.array([-1.5])}))
    assert rows[1][1] == rows[1][2] == "'" + text and rows[1][3] == "-1.5"


def test_points_csv_rejects_ragged_inputs():
    with pytest.raises(ValueError, match="rows"):
        tables.points_csv([0, 1], [0, 1], "test", {"code": np.zeros((3, 2))})


def test_metrics_json_converts_numpy_and_nulls_non_finite():
    d = {"b": np.float32(0.5), "a": np.int64(3), "arr": np.array([1.0, np.nan, np.inf]),
         "nested": {"t": (np.bool_(True), -np.inf)}}
    text = tables.metrics_json(d).decode("utf-8")
    assert json.loads(text) == {"a": 3, "arr": [1.0, None, None], "b": 0.5, "nested": {"t": [True, None]}}
    assert text.index('"a"') < text.index('"arr"') < text.index('"b"') and '\n  "a": 3' in text


def test_report_zip_and_dir_hold_every_file_and_a_readme(tmp_path):
    files = {"config.json": b"{}", "metrics.json": b"{}", "codes.csv": b"a\n", "model.safetensors": b"x",
             "model.json": b"{}", "latent.html": b"<html>", "latent.png": b"\x89PNG", "other.bin": b"?"}
    with zipfile.ZipFile(io.BytesIO(report.zip_bytes(files))) as zf:
        assert zf.testzip() is None and set(zf.namelist()) == {*files, "README.txt"}
        assert all(zf.read(n) == b for n, b in files.items())
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in zf.infolist())
        readme = zf.read("README.txt").decode()
    assert all(f"{n}: {report.file_description(n)}" in readme for n in files)
    assert "opens offline in a browser" in readme and "static figure at 2x" in readme
    paths = report.write_dir(files, tmp_path / "out")
    assert sorted(p.name for p in paths) == sorted([*files, "README.txt"])
    assert (tmp_path / "out" / "README.txt").read_text() == readme
    with pytest.raises(ValueError, match="bad report file name"):
        report.zip_bytes({"../evil.txt": b""})
