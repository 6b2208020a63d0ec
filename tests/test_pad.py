"""The user's own digit: MNIST's recipe (aeviz/upload/digit.py) and its twin in the page (pad.js's
aevizDigit, run in headless Chromium) give the same pixels; an uploaded image is read whichever way
its ink runs, and refused with a reason when it is not a digit's image; the sheet of training digits
the pad draws from; where each panel puts a new digit (the AE panel's map, UMAP's transform)."""
import io
import json

import numpy as np
import pytest
from browser import browser_page, find_chromium
from PIL import Image

from aeviz import analysis, projections
from aeviz.config import ModelConfig
from aeviz.nets import models
from aeviz.ui import linked
from aeviz.upload import UploadError, digit

needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="no Chromium found: browser tests skipped")


def _stroke_ink(rng, H=112, W=112) -> np.ndarray:
    """A few thick random strokes with soft edges, somewhere in an H x W grid: ink in [0, 1]."""
    yy, xx = np.mgrid[:H, :W]
    ink = np.zeros((H, W))
    for _ in range(rng.integers(1, 4)):
        (y0, x0), (y1, x1) = rng.uniform(0.1, 0.9, (2, 2)) * (H, W)
        for s in np.linspace(0, 1, 40):
            d = np.hypot(yy - (y0 + s * (y1 - y0)), xx - (x0 + s * (x1 - x0)))
            ink = np.maximum(ink, np.clip(5 - d, 0, 1))
    return ink


@needs_chromium
def test_the_page_prepares_a_drawing_as_the_server_does():
    rng = np.random.default_rng(0)
    run = "([ink, H, W, h, w, fill]) => Array.from(aevizDigit(ink, H, W, h, w, fill))"
    with browser_page(300, 200) as page:
        page.set_content("<!doctype html><title>pad</title>")
        page.add_script_tag(content=linked.WEBNET_JS + linked.PAD_JS)
        for i in range(12):
            H, W = (112, 112) if i < 8 else (90, 130)
            ink = _stroke_ink(rng, H, W)
            shape, fill = [((28, 28), digit.MNIST_BOX), ((8, 8), 1.0), ((10, 10), digit.MNIST_BOX),
                           ((12, 9), 0.8)][i % 4]
            ours = np.array(page.evaluate(run, [ink.ravel().tolist(), H, W, *shape, fill]))
            theirs = digit.preprocess(ink, shape, fill)
            assert ours.shape == theirs.shape == (shape[0] * shape[1],)
            assert np.abs(ours - theirs).max() < 1e-9
            assert theirs.max() > 0.3


def test_a_drawing_is_scaled_to_mnists_box_and_centred_by_its_mass():
    ink = np.zeros((112, 112))
    ink[10:90, 70:80] = 1.0  # a tall bar, off centre: 80 x 10
    out = digit.preprocess(ink, (28, 28)).reshape(28, 28)
    rows, cols = np.nonzero(out > 0.05)
    assert rows.max() - rows.min() + 1 == 20  # the longer side fills MNIST's 20-pixel box
    assert cols.max() - cols.min() + 1 <= 4
    cy = (out.sum(1) @ (np.arange(28) + 0.5)) / out.sum()
    cx = (out.sum(0) @ (np.arange(28) + 0.5)) / out.sum()
    assert abs(cy - 14) <= 0.5 and abs(cx - 14) <= 0.5
    assert out.sum() == pytest.approx(20 * 3)  # an area average: full ink over the scaled box (10 * 20/80 rounds to 3)
    assert not digit.preprocess(np.zeros((50, 50)), (28, 28)).any()  # nothing drawn: nothing


def _png(grey: np.ndarray, fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.fromarray(grey.astype(np.uint8), mode="L").save(out, format=fmt)
    return out.getvalue()


def test_an_uploaded_digit_reads_the_same_dark_on_light_or_light_on_dark():
    ink = np.zeros((60, 40))
    ink[10:50, 18:24] = 1.0
    dark_on_light = digit.read_image(_png(240 - 200 * ink))  # a photo's off-white paper
    light_on_dark = digit.read_image(_png(255 * ink))
    assert np.allclose(dark_on_light, ink, atol=0.01) and np.allclose(light_on_dark, ink, atol=0.01)
    assert np.allclose(digit.preprocess(dark_on_light, (28, 28)), digit.preprocess(light_on_dark, (28, 28)), atol=0.01)


def test_what_is_not_a_digits_image_is_refused_with_its_reason(monkeypatch):
    with pytest.raises(UploadError, match="no ink"):
        digit.read_image(_png(np.full((30, 30), 200)))
    with pytest.raises(UploadError, match="PNG or JPEG"):
        digit.read_image(b"%PDF-1.4 not an image")
    monkeypatch.setattr(digit, "MAX_SIDE", 20)
    with pytest.raises(UploadError, match="at most 20 a side"):
        digit.read_image(_png(np.zeros((30, 30))))
    monkeypatch.setattr(digit, "MAX_BYTES", 10)
    with pytest.raises(UploadError, match="at most 0 MB"):
        digit.read_image(_png(np.zeros((30, 30))))


def test_the_sheet_holds_digit_i_at_its_row_and_column():
    from aeviz.ui import pad

    x = np.random.default_rng(0).uniform(0, 1, (70, 6 * 5))
    sheet = np.asarray(Image.open(io.BytesIO(pad.sprite_png(x, (6, 5), cols=8))))
    assert sheet.shape == (9 * 6, 8 * 5)
    for i in (0, 7, 8, 69):
        r, c = divmod(i, 8)
        tile = sheet[r * 6:(r + 1) * 6, c * 5:(c + 1) * 5].astype(float)
        assert np.abs(tile - (255 - 255 * x[i].reshape(6, 5))).max() <= 0.5


@pytest.mark.parametrize("k", [1, 2, 5])
def test_the_ae_panel_map_puts_a_code_where_the_panel_draws_it(digits, k):
    """panel_map carries a code to the AE panel's axes, where latent_view drew the held-out digits."""
    import types

    import torch

    from aeviz.ui import pad

    torch.manual_seed(0)
    model = models.build(ModelConfig(latent_dim=k, hidden=(32,)), digits.image_shape).eval()
    view = analysis.latent_view(model, digits)
    weight, bias = pad.panel_map(types.SimpleNamespace(view=view))
    assert np.allclose(view.codes @ weight.T + bias, view.emb, atol=1e-3)


def test_umap_places_a_held_out_digit_where_its_own_point_is(digits):
    x, y = digits.x_test[:300], digits.y_test[:300]
    emb = projections.project("umap", x, seed=0)
    placed = projections.place_umap(x, emb, x[:40])
    size = np.linalg.norm(emb.max(0) - emb.min(0))
    assert np.median(np.linalg.norm(placed - emb[:40], axis=1)) < 0.05 * size
    nearest = np.linalg.norm(emb[None, 40:] - placed[:, None], axis=2).argmin(1)  # among the other digits
    assert (y[40:][nearest] == y[:40]).mean() >= 0.7
    with pytest.raises(ValueError, match="place_umap needs"):
        projections.place_umap(x, emb[:10], x[:2])


def test_the_pad_spec_carries_the_training_codes(digits):
    """The encoder the pad loads holds every training digit's code and label, in order."""
    import base64

    import torch

    from aeviz.nets import infer, webnet

    torch.manual_seed(0)
    model = models.build(ModelConfig(latent_dim=2, hidden=(32,)), digits.image_shape).eval()
    codes = infer.encode(model, digits.x_train)
    spec = webnet.encoder_spec(model, train_codes=codes, train_labels=digits.y_train.tolist())
    spec = json.loads(webnet.to_json(spec)[0])
    back = np.frombuffer(base64.b64decode(spec["train_codes"]), "<f4").reshape(-1, 2)
    assert np.allclose(back, codes, atol=1e-6) and spec["train_labels"] == digits.y_train.tolist()


MARKS = """() => [...document.querySelectorAll('.aeviz-panel')].map(gd => {
  const m = gd.parentElement.querySelector(':scope > .aeviz-drawn');
  if (!m || m.style.display !== 'block') return null;
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, x = parseFloat(m.style.left) - gd.offsetLeft - xa._offset,
    y = parseFloat(m.style.top) - gd.offsetTop - ya._offset;
  return [x / xa._length, y / ya._length]; })"""


@needs_chromium
def test_a_drawn_one_lands_among_the_ones_and_umap_places_it_when_the_pen_lifts(tmp_path):
    from browser import streamlit_server, wait_idle

    with streamlit_server(env={"AEVIZ_CACHE": str(tmp_path)}) as url, browser_page(1500, 1300) as page:
        sent = []  # every websocket message the page sends: drawing must send none until the pen lifts
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
        page.goto(url + "/?epochs=10")
        page.wait_for_function("() => document.querySelectorAll('.aeviz-panel').length === 3", timeout=180_000)
        page.locator(".aeviz-pad-ink").wait_for(timeout=60_000)
        wait_idle(page)
        page.wait_for_function("() => document.querySelector('.aeviz-pad-near canvas')", timeout=30_000)
        box = page.locator(".aeviz-pad-ink").bounding_box()
        x = box["x"] + box["width"] / 2
        before = len(sent)
        page.mouse.move(x, box["y"] + 0.15 * box["height"])
        page.mouse.down()
        for s in range(1, 21):  # a vertical stroke: a "1"
            page.mouse.move(x + 0.1 * s, box["y"] + (0.15 + 0.035 * s) * box["height"])
            page.wait_for_timeout(30)
        frames = int(page.locator(".aeviz-pad").get_attribute("data-frames"))
        assert len(sent) == before and frames >= 5, (len(sent) - before, frames)  # encoded live, in the page
        marks = page.evaluate(MARKS)
        assert marks[0] is not None and marks[1] is not None and marks[2] is None  # AE and PCA mark it at once
        assert all(0 <= v <= 1 for v in marks[0] + marks[1])
        page.mouse.up()
        labels = page.evaluate("() => [...document.querySelectorAll('.aeviz-pad-near figure')]"
                               ".map(f => f.dataset.label)")
        assert labels.count("1") >= 3, labels
        page.wait_for_function(f"() => ({MARKS})()[2] !== null", timeout=90_000)  # UMAP places it once the pen lifts
        assert len(sent) > before
        assert "1" in page.locator(".aeviz-pad-status").text_content()
        # Without a pointer: an uploaded photo of a "0" (dark ring on grey paper) replaces the drawing.
        wait_idle(page)
        yy, xx = np.mgrid[:120, :100]
        ring = np.abs(np.hypot((yy - 60) / 1.3, xx - 50) - 32) < 6
        photo = tmp_path / "zero.png"
        photo.write_bytes(_png(np.where(ring, 50, 210)))
        page.locator("[data-testid='stFileUploaderDropzoneInput']").last.set_input_files(str(photo))
        page.wait_for_function("() => { const l = [...document.querySelectorAll('.aeviz-pad-near figure')]"
                               ".map(f => f.dataset.label); return l.filter(v => v === '0').length >= 3; }",
                               timeout=60_000)
        blank = tmp_path / "blank.png"
        blank.write_bytes(_png(np.full((40, 40), 128)))
        page.locator("[data-testid='stFileUploaderDropzoneInput']").last.set_input_files(str(blank))
        page.get_by_text("The image holds no ink").wait_for(timeout=30_000)  # refused, and said why
        assert page.evaluate(MARKS)[0] is not None  # the digit the session had stays
