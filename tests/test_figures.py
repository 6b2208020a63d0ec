"""Figure builders: real properties (colours, ids, mosaic layout, frames), not just that they build."""
import base64
import io
import itertools

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from colorspacious import cspace_convert
from PIL import Image

from aeviz import figures, i18n
from aeviz.figures import style

NAMES = [f"d{c}" for c in range(10)]


@pytest.fixture
def emb_data():
    rng = np.random.default_rng(0)
    labels = np.array([0, 1, 2, 3, 4, 6, 7, 8, 9] * 20)  # class 5 absent
    emb = rng.normal(size=(len(labels), 2))  # (N, 2)
    ids = rng.permutation(1000)[:len(labels)] + 5000  # (N,) ids that are not positions
    return emb, labels, ids


def _class_traces(fig):
    return [t for t in fig.data if t.name in NAMES]


@pytest.fixture
def pt():
    """The figures built inside speak Brazilian Portuguese."""
    token = i18n.use("pt")
    yield
    i18n._lang.reset(token)


def test_palette_is_fixed_per_class():
    assert len(figures.PALETTE) == 10 and len(set(figures.PALETTE)) == 10
    assert figures.class_color(3) == figures.PALETTE[3] == figures.class_color(13)
    assert figures.class_symbol(3) == figures.class_symbol(13)


def test_every_class_has_its_own_colour_and_its_own_shape():
    """No class depends on colour alone: the shapes alone tell the ten classes apart too."""
    pairs = [(figures.class_color(c), figures.class_symbol(c)) for c in range(10)]
    assert len({c for c, _ in pairs}) == 10 and len({s for _, s in pairs}) == 10
    for _, symbol in pairs:
        go.scatter.Marker(symbol=symbol)  # plotly refuses a symbol it does not know
    assert len(set(style.GLYPHS)) == 10 and figures.class_glyph(12) == style.GLYPHS[2]


def test_classes_sharing_a_3d_shape_stand_far_apart_in_colour():
    """plotly's 3-D scatter has 7 usable shapes (its "x" is an emoji): a pair of classes that share
    one must be among the colours farthest apart under every colour-vision simulation (at least
    twice the closest pair's distance), and no 3-D shape is plotly's "x"."""
    symbols = [figures.class_symbol_3d(c) for c in range(10)]
    for symbol in symbols:
        go.scatter3d.Marker(symbol=symbol)  # plotly refuses a symbol it does not know
    assert "x" not in symbols and len(set(symbols)) == 7 == len(figures.SYMBOLS_3D_UNIQUE)
    shared = figures.shared_shapes_3d(10)
    assert len(shared) == 3
    for cvd in (None, "deuteranomaly", "protanomaly", "tritanomaly"):
        rgb = _srgb(figures.PALETTE)
        if cvd:
            rgb = np.clip(cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)
        ucs = cspace_convert(rgb, "sRGB1", "CAM02-UCS")
        for a, b in shared:
            assert np.linalg.norm(ucs[a] - ucs[b]) >= 2 * CVD_MIN_DISTANCE, (cvd, a, b)


def test_a_3d_embedding_draws_every_point_once_and_greys_what_is_not_selected():
    rng = np.random.default_rng(0)
    emb, labels, ids = rng.normal(size=(60, 3)), rng.integers(0, 10, 60), np.arange(100, 160)
    fig = figures.embedding(emb, labels, ids=ids, selected=[0, 5, 7], title="t")
    classes = [t for t in fig.data if t.meta != "aeviz-drawn"]
    assert all(t.type == "scatter3d" for t in fig.data) and fig.layout.scene.aspectmode == "data"
    got = np.concatenate([t.customdata for t in classes])
    assert sorted(got) == list(ids)
    for t in classes:
        pos = np.searchsorted(ids, t.customdata)
        np.testing.assert_allclose(np.c_[t.x, t.y, t.z], emb[pos])
        lit = [c != "#D0D0D0" for c in t.marker.color]
        assert lit == [p in (0, 5, 7) for p in pos]
    drawn = [t for t in fig.data if t.meta == "aeviz-drawn"]
    assert len(drawn) == 1 and len(drawn[0].x) == 0  # where the page marks the user's own digit


def _srgb(colors) -> np.ndarray:
    return np.array([[int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)] for c in colors])


# Closest pair allowed, in CAM02-UCS units, under simulated full deuteranopia, protanopia and
# tritanopia (Machado et al. 2009 at severity 100, colorspacious): 9. Paul Tol's own CVD-safe
# "vibrant" and "bright" schemes come to 8.8 and 7.4 under the same test, Okabe-Ito's 11.0, and a
# just-noticeable difference is 1-2 units for large patches (a few times that for small marks).
# Normal vision: 15.
CVD_MIN_DISTANCE = 9.0
NORMAL_MIN_DISTANCE = 15.0


@pytest.mark.parametrize("cvd", [None, "deuteranomaly", "protanomaly", "tritanomaly"])
def test_class_colours_stay_apart_under_colour_vision_deficiency(cvd):
    rgb = _srgb(figures.PALETTE)
    if cvd:
        rgb = np.clip(cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)
    ucs = cspace_convert(rgb, "sRGB1", "CAM02-UCS")  # (10, 3)
    closest = min((np.linalg.norm(ucs[i] - ucs[j]), i, j) for i, j in itertools.combinations(range(10), 2))
    assert closest[0] >= (CVD_MIN_DISTANCE if cvd else NORMAL_MIN_DISTANCE), (cvd, closest)


def _contrast_on_white(color: str) -> float:
    """WCAG contrast against white from colorspacious's CIE Y (the WCAG relative luminance is the
    sRGB Y), a check on style.contrast's own formula."""
    y = float(cspace_convert(_srgb([color])[0], "sRGB1", "XYZ1")[1])
    return 1.05 / (y + 0.05)


def test_class_colours_contrast_with_white():
    """WCAG AA: 3:1 for marks (markers, thumbnails' ink), 4.5:1 for text written in a class colour."""
    for c in range(10):
        mark, text = figures.class_color(c), figures.class_text_color(c)
        assert _contrast_on_white(mark) >= 3.0, (c, mark)
        assert _contrast_on_white(text) >= 4.5, (c, text)
        assert style.contrast(mark) == pytest.approx(_contrast_on_white(mark), rel=1e-3)
        if style.contrast(mark) >= 4.5:
            assert text == mark  # darkened only where needed
    assert style.contrast("#000000") == pytest.approx(21.0) and style.contrast("#ffffff") == pytest.approx(1.0)


def test_embedding_one_trace_per_present_class_with_palette_colour(emb_data):
    emb, labels, ids = emb_data
    fig = figures.embedding(emb, labels, title="AE", class_names=NAMES, ids=ids)
    traces = _class_traces(fig)
    assert [t.name for t in traces] == [NAMES[c] for c in np.unique(labels)]
    for t in traces:
        c = NAMES.index(t.name)
        assert t.marker.color == figures.class_color(c) and t.marker.symbol == figures.class_symbol(c)
        assert t.showlegend is not False  # the legend shows each class's shape with its colour
        pos = np.flatnonzero(labels == c)
        np.testing.assert_allclose(np.c_[t.x, t.y], emb[pos])
        np.testing.assert_array_equal(t.customdata, ids[pos])  # customdata maps each point back to its id
    assert fig.layout.dragmode == "lasso" and fig.layout.yaxis.scaleanchor == "x"
    # No automargin pass: it made plotly.js draw every point twice per new panel.
    assert fig.layout.xaxis.automargin is False and fig.layout.yaxis.automargin is False


def test_embedding_default_ids_are_positions(emb_data):
    emb, labels, _ = emb_data
    fig = figures.embedding(emb, labels, title="AE", class_names=NAMES)
    got = np.concatenate([t.customdata for t in fig.data])
    xy = np.concatenate([np.c_[t.x, t.y] for t in fig.data])
    np.testing.assert_allclose(emb[got], xy)


def test_embedding_selected_marks_exactly_those_points(emb_data):
    emb, labels, ids = emb_data
    selected = np.array([0, 7, 8, 50, 101])
    fig = figures.embedding(emb, labels, title="AE", class_names=NAMES, selected=selected, ids=ids)
    marked = []
    for t in _class_traces(fig):
        assert t.selectedpoints is not None  # set on every class trace, [] fades the whole class
        marked += [t.customdata[i] for i in t.selectedpoints]
        assert t.unselected.marker.opacity < t.selected.marker.opacity
    assert sorted(marked) == sorted(ids[selected])
    extra = [t for t in fig.data if t.name not in NAMES]
    assert len(extra) == 1 and sorted(extra[0].customdata) == sorted(ids[selected])
    np.testing.assert_allclose(np.c_[extra[0].x, extra[0].y], emb[selected])
    assert list(extra[0].marker.symbol) == [figures.class_symbol(c) for c in labels[selected]]
    assert list(extra[0].marker.color) == [figures.class_color(c) for c in labels[selected]]
    plain = figures.embedding(emb, labels, title="AE", class_names=NAMES)
    assert all(t.selectedpoints is None for t in plain.data) and len(plain.data) == 9


def test_embedding_scores_in_subtitle(emb_data):
    emb, labels, _ = emb_data
    fig = figures.embedding(emb, labels, title="UMAP", class_names=NAMES,
                            scores={"trustworthiness": 0.93, "kNN accuracy": 0.81})
    assert fig.layout.title.text == "UMAP"
    sub = fig.layout.title.subtitle.text
    assert "trustworthiness 0.930" in sub and "kNN accuracy 0.810" in sub


def test_thumbnails_are_drawn_at_their_points_in_one_png(emb_data):
    emb, labels, _ = emb_data
    images = np.random.default_rng(1).random((len(emb), 64)) * 0.5 + 0.5  # ink in every pixel
    fig = figures.embedding_with_thumbnails(emb, images, (8, 8), labels, title="PCA", class_names=NAMES,
                                            max_thumbs=40, seed=3, resolution=400)
    (im,) = fig.layout.images
    drawn = fig.layout.meta["thumbnails"]
    assert len(drawn) == len(set(drawn)) == 40
    assert im.source.startswith("data:image/png;base64,") and im.xref == "x" and im.sizing == "stretch"
    pil = Image.open(io.BytesIO(base64.b64decode(im.source.split(",", 1)[1])))
    assert pil.format == "PNG" and pil.mode == "RGBA"
    # The image spans the axes' range, one scale on both axes (square thumbnails).
    assert (im.x, im.y) == (fig.layout.xaxis.range[0], fig.layout.yaxis.range[1])
    assert np.isclose(pil.size[0] / pil.size[1], im.sizex / im.sizey, rtol=0.02)
    assert max(pil.size) == 400
    alpha = np.asarray(pil)[..., 3]  # (rows, cols)
    col = (emb[:, 0] - im.x) / im.sizex * pil.size[0]
    row = (im.y - emb[:, 1]) / im.sizey * pil.size[1]
    inked = alpha[np.clip(row.astype(int), 0, pil.size[1] - 1), np.clip(col.astype(int), 0, pil.size[0] - 1)]
    assert (inked[drawn] > 0).all()  # every drawn digit covers its own point
    # Paper is transparent: pixels farther than a tile from every drawn point have no ink.
    rr, cc = np.mgrid[0:pil.size[1], 0:pil.size[0]]
    side = round(0.045 * 400)
    far = np.ones_like(alpha, dtype=bool)
    for i in drawn:
        far &= (np.abs(rr - row[i]) > side) | (np.abs(cc - col[i]) > side)
    assert far.any() and (alpha[far] == 0).all()
    few = figures.embedding_with_thumbnails(emb[:10], images[:10], (8, 8), labels[:10], class_names=NAMES)
    assert sorted(few.layout.meta["thumbnails"]) == list(range(10))  # never more thumbnails than samples
    again = figures.embedding_with_thumbnails(emb, images, (8, 8), labels, title="PCA", class_names=NAMES,
                                              max_thumbs=40, seed=3, resolution=400)
    assert again.layout.meta["thumbnails"] == drawn and again.layout.images[0].source == im.source  # seeded


def _pixels(fig) -> np.ndarray:
    """The RGB pixels of an image_grid figure's one Image trace (a PNG data URI)."""
    (im,) = fig.data
    assert im.type == "image" and im.source.startswith("data:image/png;base64,")
    assert (im.x0, im.dx, im.y0, im.dy) == (0, 1, 0, 1)  # pixel (r, c) at x = c, y = r
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(im.source.split(",", 1)[1]))).convert("RGB"))


def _ink(v) -> np.ndarray:
    """Grey level of pixel values v under plotly's gray_r scale (0 white, 1 black), as 0..255."""
    return 255 * (1 - np.clip(v, 0, 1))


@pytest.mark.parametrize("n, ncols, h, w", [(23, 10, 8, 8), (5, 10, 7, 4), (30, 6, 3, 5)])
def test_image_grid_mosaic_shape_and_placement(n, ncols, h, w):
    images = np.random.default_rng(n).random((n, h * w)) * 1.2 - 0.1  # some out of [0, 1]: clipped
    fig = figures.image_grid(images, (h, w), ncols=ncols)
    rgb = _pixels(fig)
    cols = min(ncols, n)
    rows = -(-n // cols)
    assert rgb.shape == (rows * (h + 1) - 1, cols * (w + 1) - 1, 3)
    assert (rgb == rgb[..., :1]).all()  # grey
    digit = np.zeros(rgb.shape[:2], dtype=bool)
    for i in range(n):
        r, c = divmod(i, cols)
        cell = (slice(r * (h + 1), r * (h + 1) + h), slice(c * (w + 1), c * (w + 1) + w))
        np.testing.assert_allclose(rgb[cell][..., 0], _ink(images[i].reshape(h, w)), atol=0.5)
        digit[cell] = True
    gap = np.array([int(figures.GAP[i:i + 2], 16) for i in (1, 3, 5)])  # "#rrggbb"
    empty = np.zeros_like(digit)
    empty[(rows - 1) * (h + 1):, (n % cols) * (w + 1) if n % cols else rgb.shape[1]:] = True
    assert (rgb[empty] == 255).all()  # blank paper in the last row's empty slots
    assert (rgb[~digit & ~empty] == gap).all()  # grey gaps between digits
    assert fig.layout.yaxis.autorange == "reversed"


def test_image_grid_row_labels_and_titles():
    images = np.random.default_rng(0).random((12, 16))
    fig = figures.image_grid(images, (4, 4), ncols=6, row_labels=["top", "bottom"],
                             titles=[f"t{i}" for i in range(12)])
    assert list(fig.layout.yaxis.ticktext) == ["top", "bottom"]
    np.testing.assert_allclose(fig.layout.yaxis.tickvals, [1.5, 6.5])  # middle of each 4-px row
    assert [a.text for a in fig.layout.annotations] == [f"t{i}" for i in range(12)]
    assert fig.layout.annotations[7].x == 1 * 5 + 1.5
    with pytest.raises(ValueError, match="image_shape"):
        figures.image_grid(images, (3, 3))


def test_triptych_three_labelled_rows():
    rng = np.random.default_rng(0)
    noisy, clean, recon = (rng.random((6, 64)) for _ in range(3))
    fig = figures.triptych(noisy, clean, recon, (8, 8), title="gaussian")
    assert list(fig.layout.yaxis.ticktext) == ["noisy", "clean", "reconstructed"]
    rgb = _pixels(fig)[..., 0]
    assert rgb.shape == (3 * 9 - 1, 6 * 9 - 1)
    np.testing.assert_allclose(rgb[18:26, 9:17], _ink(recon[1].reshape(8, 8)), atol=0.5)  # row 2, column 1
    np.testing.assert_allclose(rgb[0:8, 0:8], _ink(noisy[0].reshape(8, 8)), atol=0.5)


def test_loss_curves_and_lines():
    fig = figures.loss_curves(np.array([0.1, 0.05, 0.03]), np.array([0.12, 0.07, 0.05]))
    assert [t.name for t in fig.data] == ["train", "validation"]
    assert list(fig.data[0].x) == [1, 2, 3] and fig.layout.yaxis.type == "log"
    assert figures.loss_curves(np.ones(2), np.ones(2), log_y=False).layout.yaxis.type == "linear"
    evb = figures.error_vs_bottleneck(np.array([2, 4, 8, 16]), {"AE": [4, 3, 2, 1], "PCA": [5, 4, 3, 2]},
                                      title="k")
    assert evb.layout.xaxis.type == "log" and list(evb.layout.xaxis.ticktext) == ["2", "4", "8", "16"]
    assert len(evb.data) == 2 and all("markers" in t.mode for t in evb.data)
    gl = figures.grouped_lines([0.1, 0.2], {"a": [1, 2], "b": [3, 4]}, title="t", x_title="noise",
                               y_title="PSNR")
    assert [t.name for t in gl.data] == ["a", "b"] and gl.layout.xaxis.title.text == "noise"


def test_bars_and_histogram():
    b = figures.bars({"AE": 0.912, "PCA": 0.85}, title="t", y_title="score", fmt=".2f")
    assert list(b.data[0].x) == ["AE", "PCA"] and list(b.data[0].text) == ["0.91", "0.85"]
    h = figures.histogram({"sparse": np.full(50, 0.05), "plain": np.linspace(0, 1, 50)}, title="a",
                          x_title="mean activation", vline=0.05, vline_label="rho")
    assert len(h.data) == 2 and all(t.opacity == 0.6 for t in h.data) and h.layout.barmode == "overlay"
    assert h.data[0].xbins.size == h.data[1].xbins.size  # shared bins, comparable bars
    assert h.layout.shapes[0].x0 == 0.05 and h.layout.annotations[0].text == "rho"


def test_replay_frames_slider_and_ranges_that_hold_every_epoch():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 25)
    codes = rng.normal(size=(6, 100, 2)) * np.arange(1, 7)[:, None, None]  # (E+1, N, 2), E = 5
    codes[0, 7] = [50.0, -40.0]  # one far point at epoch 0 stays in the frame too
    val = [0.5, 0.3, 0.2, 0.15, 0.1]
    fig = figures.replay(codes, labels, class_names=NAMES, val_loss=val)
    assert len(fig.frames) == 6 and [f.name for f in fig.frames] == [str(e) for e in range(6)]
    (slider,) = fig.layout.sliders  # the one scrubber
    assert len(slider.steps) == 6 and slider.currentvalue.prefix.strip() == "epoch"
    assert [s.args[0][0] for s in slider.steps] == [f.name for f in fig.frames]
    for f in fig.frames:
        assert [t.marker.color for t in f.data[:4]] == [figures.class_color(c) for c in range(4)]
        assert [t.marker.symbol for t in f.data[:4]] == [figures.class_symbol(c) for c in range(4)]
    for axis, d in ((fig.layout.xaxis, 0), (fig.layout.yaxis, 1)):
        lo, hi = codes[..., d].min(), codes[..., d].max()
        assert axis.range[0] < lo and axis.range[1] > hi
        assert axis.range[1] - axis.range[0] == pytest.approx(1.1 * (hi - lo))
    # the shown epoch's validation loss: in the subtitle and as the marker on the loss curve
    assert fig.layout.title.subtitle.text == "Epoch 5 · validation error 0.1000"
    assert [f.layout.title.subtitle.text for f in fig.frames[:2]] == ["Epoch 0", "Epoch 1 · validation error 0.5000"]
    curve = [tr for tr in fig.data if tr.mode == "lines"]
    assert len(curve) == 1 and list(curve[0].y) == val and curve[0].yaxis == "y2"
    assert [list(f.data[-1].x) for f in fig.frames] == [[], [1], [2], [3], [4], [5]]
    assert fig.frames[3].traces == (0, 1, 2, 3, 5)  # the class traces and the marker move; the curve stays
    labels_of_buttons = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert any("Play" in s for s in labels_of_buttons) and any("Pause" in s for s in labels_of_buttons)
    assert len(figures.replay(codes, labels, class_names=NAMES).data) == 4  # no loss: no curve


def test_latent_grid_coordinates_span_extent():
    n, h, w = 5, 4, 3
    decoded = np.random.default_rng(0).random((n * n, h * w))
    extent = (-2.0, 3.0, -1.0, 1.0)
    fig = figures.latent_grid(decoded, (h, w), extent, n, title="plane")
    (hm,) = fig.data
    x, y, z = np.asarray(hm.x), np.asarray(hm.y), np.asarray(hm.z)
    assert z.shape == (len(y), len(x)) == (n * (h + 1) - 1, n * (w + 1) - 1)
    assert x.min() <= extent[0] and x.max() >= extent[1] and y.min() <= extent[2] and y.max() >= extent[3]
    centres_x = x[[c * (w + 1) + (w - 1) // 2 for c in range(n)]]  # w odd: a pixel at each centre
    np.testing.assert_allclose(centres_x, np.linspace(extent[0], extent[1], n))
    assert np.all(np.diff(y) > 0)  # y increases upward, so row 0 (largest y) is on top
    top_left = z[::-1][:h, :w]  # row 0 of the mosaic is the last row of z
    np.testing.assert_allclose(top_left, decoded[0].reshape(h, w), atol=1e-6)
    assert y[-1] > y[0] and fig.layout.xaxis.showticklabels


def _decoded(value):
    """A value as plotly.js reads it: a typed array ({dtype, bdata, shape}) is base64 of the raw
    values, which plotly.py encodes but does not decode."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return flat.reshape([int(n) for n in str(shape).split(",")]) if shape else flat
    return np.asarray(value)


def test_every_figure_keeps_every_value_through_json_and_has_its_own_name(emb_data):
    """What an HTML export or a browser receives is the figure itself: every coordinate, image and
    text survives the JSON round trip (typed arrays, NaN gaps and all)."""
    emb, labels, ids = emb_data
    rng = np.random.default_rng(0)
    images = rng.random((len(emb), 16))
    figs = [
        figures.embedding(emb, labels, title="a", class_names=NAMES, selected=[1, 2], scores={"s": 1.0},
                          ids=ids),
        figures.embedding_with_thumbnails(emb, images, (4, 4), labels, title="b", class_names=NAMES,
                                          max_thumbs=5),
        figures.image_grid(images[:7], (4, 4), ncols=3, titles=list("abcdefg"),
                           row_labels=["r1", "r2", "r3"]),
        figures.triptych(images[:3], images[:3], images[:3], (4, 4)),
        figures.loss_curves(np.ones(3), np.ones(3)),
        figures.error_vs_bottleneck([2, 4], {"AE": [1.0, 0.5]}, title="e"),
        figures.bars({"a": 1.0}, title="b", y_title="y"),
        figures.grouped_lines([0, 1], {"a": [1, 2]}, title="g", x_title="x", y_title="y"),
        figures.histogram({"a": rng.random(20)}, title="h", x_title="x", vline=0.5),
        figures.replay(rng.normal(size=(3, 30, 2)), labels[:30], class_names=NAMES),
        figures.latent_grid(images[:9], (4, 4), (0, 1, 0, 1), 3, title="l"),
        figures.image(images[0], (4, 4), title="i"),
        figures.embedding(rng.normal(size=(20, 3)), labels[:20], title="3d"),
        figures.layer_view(images[0], [("a", rng.normal(size=5)), ("b", rng.normal(size=(3, 2, 2)))], images[1],
                           (4, 4), title="v", input_title="in", output_title="out"),
    ]
    names = set()
    for fig in figs:
        assert isinstance(fig, go.Figure) and fig.layout.height
        back = pio.from_json(fig.to_json())
        assert back.layout.meta["aeviz_figure"] == fig.layout.meta["aeviz_figure"]
        assert back.layout.template.layout.font is not None and "Inter" in back.layout.font.family
        assert len(back.data) == len(fig.data)
        for before, after in zip(fig.data, back.data):
            for attr in ("x", "y", "z", "source", "text", "customdata"):
                if attr in before:
                    mine, theirs = before[attr], after[attr]
                    assert (mine is None) == (theirs is None), (fig.layout.meta, attr)
                    if mine is not None:
                        np.testing.assert_array_equal(_decoded(theirs), np.asarray(mine),
                                                      err_msg=f"{fig.layout.meta['aeviz_figure']}.{attr}")
        names.add(fig.layout.meta["aeviz_figure"])
    assert len(names) == len(figs)  # every builder names its figure differently


def test_embedding_empty_selection_fades_nothing(emb_data):
    emb, labels, _ = emb_data
    fig = figures.embedding(emb, labels, class_names=NAMES, selected=np.array([], dtype=int))
    assert len(fig.data) == 9 and all(t.selectedpoints is None for t in fig.data)


def test_numbers_follow_the_language(emb_data, pt):
    emb, labels, _ = emb_data
    fig = figures.embedding(emb, labels, title="UMAP", class_names=NAMES,
                            scores={"trustworthiness": 0.93, "kNN accuracy": 0.81})
    assert fig.layout.separators == ",."  # plotly writes 1.234,5 in hovers and ticks
    assert fig.layout.title.subtitle.text == "confiabilidade 0,930 · acurácia kNN 0,810"
    assert list(figures.bars({"AE": 0.912}, fmt=".2f").data[0].text) == ["0,91"]
    i18n.use("en")  # the fixture puts the language back afterwards
    assert figures.bars({"AE": 0.912}).layout.separators == ".,"


def test_built_in_words_speak_the_language_and_titles_stay_the_caller_s(emb_data, pt):
    emb, labels, _ = emb_data
    fig = figures.embedding(emb, labels, title="Meu título", class_names=NAMES)
    assert fig.layout.title.text == "Meu título" and fig.layout.xaxis.title.text == "dimensão 1"
    loss = figures.loss_curves(np.ones(3), np.ones(3))
    assert [t.name for t in loss.data] == ["treino", "validação"] and loss.layout.title.text == "Treinamento"
    assert loss.layout.xaxis.title.text == "época" and loss.layout.yaxis.title.text == "MSE por pixel"
    rng = np.random.default_rng(0)
    replay = figures.replay(rng.normal(size=(3, 30, 2)), labels[:30], class_names=NAMES)
    assert replay.layout.title.text == "Como o espaço latente se formou"
    assert [b.label for b in replay.layout.updatemenus[0].buttons] == ["▶ Reproduzir", "❚❚ Pausar"]
    assert replay.layout.sliders[0].currentvalue.prefix == "época "
    assert figures.replay(rng.normal(size=(3, 30, 2)), labels[:30], title="").layout.title.text == ""
    images = rng.random((3, 16))
    assert list(figures.triptych(images, images, images, (4, 4)).layout.yaxis.ticktext) == [
        "com ruído", "limpo", "reconstruído"]
    assert figures.latent_grid(rng.random((4, 16)), (4, 4), (0, 1, 0, 1), 2).layout.title.text == \
        "Plano latente decodificado"
    assert figures.histogram({"a": rng.random(9)}).layout.yaxis.title.text == "contagem"


def test_a_figure_in_words_counts_what_is_drawn(emb_data):
    """The text alternative of a map names its title, every point and every class, and its axes."""
    emb, labels, _ = emb_data
    text = figures.describe(figures.embedding(emb, labels, title="UMAP", class_names=NAMES))
    present = sorted(set(int(c) for c in labels))
    assert text.startswith("Chart “UMAP”.")
    assert f"{len(emb):,} points in {len(present)} groups ({', '.join(NAMES[c] for c in present)})" in text
    assert "Horizontal axis: dim 1; vertical axis: dim 2." in text
    assert "2 lines (train, validation)" in figures.describe(figures.loss_curves(np.ones(3), np.ones(3)))


def test_a_stage_picture_holds_every_activation_where_the_page_draws_it():
    """Units row-major in ceil(sqrt(2n)) columns; maps 8 a row, 1 px apart (as layer_view.js)."""
    from aeviz.figures.layers import stage_picture

    units = np.arange(1, 13, dtype=float)
    pic = stage_picture(units)
    assert pic.shape == (3, 5) and np.array_equal(pic.ravel()[:12], units) and np.isnan(pic.ravel()[12:]).all()
    maps = np.arange(10 * 2 * 3, dtype=float).reshape(10, 2, 3)
    pic = stage_picture(maps)
    assert pic.shape == (2 * 3 - 1, 8 * 4 - 1)
    assert np.array_equal(pic[0:2, 4:7], maps[1]) and np.array_equal(pic[3:5, 4:7], maps[9])
    assert np.isnan(pic[2]).all() and np.isnan(pic[:, 3]).all()
