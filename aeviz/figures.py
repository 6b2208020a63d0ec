"""Plotly figure builders: plain numpy results in, `plotly.graph_objects.Figure` out.

One look everywhere: template "plotly_white", the Inter font, compact margins, short titles. Digit
class c has the colour `class_color(c)` in every figure. Digits are black ink on white paper
(colorscale "gray_r" over [0, 1]) without ticks, at equal aspect. Every figure carries
`layout.meta = {"aeviz_figure": name}` so that exports can name their files. Nothing here shows or
saves a figure.

Images are flat rows: `images` is (N, D) with D = h * w for `image_shape` = (h, w).
"""
from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
from PIL import Image

PALETTE: list[str] = list(px.colors.qualitative.T10)  # colour of digit class c is PALETTE[c % 10]
SERIES_PALETTE: list[str] = list(px.colors.qualitative.Dark2)  # lines and bars that are not classes
FONT = "Inter, system-ui, sans-serif"
INK = "gray_r"  # black ink (1) on white paper (0)
# Colour of the 1 px gaps between digits in a mosaic: painted into image_grid's PNG; a heatmap's
# NaN cells show it as the plot background.
GAP = "#d4d4d4"
MARGIN = dict(l=50, r=20, t=50, b=40)


def class_color(c: int) -> str:
    """The palette colour of digit class c (the same in every figure)."""
    return PALETTE[int(c) % len(PALETTE)]


def _finish(fig: go.Figure, name: str, title: str, height: int, subtitle: str = "") -> go.Figure:
    """Apply the shared look, a short title (and subtitle) and the export name to fig."""
    t = dict(text=title, x=0.02, xanchor="left", font=dict(size=15))
    if subtitle:
        t["subtitle"] = dict(text=subtitle, font=dict(size=11, color="#555"))
    top = (72 if subtitle else 46) if title else 16
    fig.update_layout(template="plotly_white", font=dict(family=FONT, size=12), title=t, height=height,
                      margin={**MARGIN, "t": top}, meta={"aeviz_figure": name})
    return fig


def _shape(images: np.ndarray, image_shape: Sequence[int]) -> tuple[np.ndarray, int, int]:
    """images (N, D) as (N, h, w) floats, with h, w; ValueError if D != h * w."""
    h, w = int(image_shape[0]), int(image_shape[1])
    x = np.asarray(images, dtype=np.float64)
    x = x.reshape(1, -1) if x.ndim == 1 else x.reshape(len(x), -1)
    if x.shape[1] != h * w:
        raise ValueError(f"images have {x.shape[1]} values each, "
                         f"image_shape {tuple(image_shape)} needs {h * w}")
    return x.reshape(len(x), h, w), h, w


def _series_traces(x, series: dict, mode: str = "lines+markers") -> list[go.Scatter]:
    """One line per series (name -> K values), coloured in order from SERIES_PALETTE."""
    return [go.Scatter(x=np.asarray(x), y=np.asarray(v, dtype=float), name=str(k), mode=mode,
                       line=dict(color=SERIES_PALETTE[i % len(SERIES_PALETTE)], width=2), marker=dict(size=7))
            for i, (k, v) in enumerate(series.items())]


# ----------------------------------------------------------------------------- embeddings

def _class_traces(emb: np.ndarray, labels: np.ndarray, ids: np.ndarray, class_names, opacity: float,
                  selected: np.ndarray | None) -> list[go.Scatter]:
    """One scatter per present class; with `selected` (positions), per-trace selectedpoints."""
    traces = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)  # positions of class c in emb
        name = str(class_names[c]) if class_names is not None else str(c)
        tr = go.Scatter(x=emb[idx, 0], y=emb[idx, 1], mode="markers", name=name, legendgroup=name,
                        customdata=ids[idx], marker=dict(color=class_color(c), size=5, opacity=opacity),
                        hovertemplate=f"#%{{customdata}} · {name}<extra></extra>")
        # How a selection looks, whoever makes it (the figure here, or plotly.js in the browser).
        tr.selected = dict(marker=dict(opacity=1.0))
        tr.unselected = dict(marker=dict(opacity=0.12))
        if selected is not None:
            tr.selectedpoints = np.flatnonzero(np.isin(idx, selected)).tolist()  # indices within trace
        traces.append(tr)
    return traces


def _highlight_trace(emb: np.ndarray, labels: np.ndarray, ids: np.ndarray,
                     selected: np.ndarray) -> go.Scatter:
    """The selected points again, full opacity with a dark outline (customdata = their ids)."""
    return go.Scatter(x=emb[selected, 0], y=emb[selected, 1], mode="markers", name="selected",
                      showlegend=False, customdata=ids[selected],
                      hovertemplate="#%{customdata}<extra></extra>",
                      marker=dict(color=[class_color(c) for c in labels[selected]], size=7, opacity=1.0,
                                  line=dict(color="#111", width=1.2)))


def _scatter_axes(fig: go.Figure) -> None:
    """Axes of a 2-D embedding: titled, no tick labels, equal scaling, lasso by default.

    No automargin (plotly_white turns it on): without tick labels there is nothing to fit, and the
    automargin pass makes plotly.js draw all the points a second time, which doubled the time a
    page takes to show a new panel. The margins must leave room for the axis titles (>= 30 px).
    """
    fig.update_xaxes(title_text="dim 1", showticklabels=False, zeroline=False, automargin=False)
    fig.update_yaxes(title_text="dim 2", showticklabels=False, zeroline=False, scaleanchor="x", scaleratio=1,
                     automargin=False)
    fig.update_layout(dragmode="lasso", legend=dict(itemsizing="constant", tracegroupgap=0),
                      hoverlabel=dict(font_family=FONT))


def _padded_range(emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The axes' range of an embedding: its bounding box padded by 5% of each span."""
    lo, hi = emb.min(axis=0), emb.max(axis=0)
    pad = 0.05 * np.maximum(hi - lo, 1e-9)
    return lo - pad, hi + pad


def embedding(emb: np.ndarray, labels: np.ndarray, *, title: str = "", class_names=None,
              selected: np.ndarray | None = None, scores: dict | None = None,
              ids: np.ndarray | None = None, opacity: float = 0.8) -> go.Figure:
    """Scatter of a 2-D embedding, one trace per class.

    emb (N, 2); labels (N,) ints; ids (N,) ints (default arange(N)) become each point's customdata,
    so a Streamlit selection maps back to digits. selected: positions into emb (not ids); those
    points stay opaque (selectedpoints) and get an outlined highlight trace, the rest fade; None or
    empty selects nothing.
    scores: name -> value, shown as a subtitle.
    """
    emb, labels = np.asarray(emb, dtype=float), np.asarray(labels).astype(int)
    ids = np.arange(len(emb)) if ids is None else np.asarray(ids)
    sel = None if selected is None else np.asarray(selected, dtype=int).reshape(-1)
    sel = None if sel is None or not len(sel) else sel  # an empty selection fades nothing
    fig = go.Figure(_class_traces(emb, labels, ids, class_names, opacity, sel))
    if sel is not None and len(sel):
        fig.add_trace(_highlight_trace(emb, labels, ids, sel))
    _scatter_axes(fig)
    lo, hi = _padded_range(emb)
    # Fixed ranges (not autorange): the same panel with and without thumbnails has the same axes,
    # so the browser restyles it instead of moving every point.
    fig.update_xaxes(range=[lo[0], hi[0]])
    fig.update_yaxes(range=[lo[1], hi[1]])
    sub = " · ".join(f"{k} {v:.3f}" for k, v in (scores or {}).items())
    return _finish(fig, "embedding", title, 420, subtitle=sub)


def _tile(img: np.ndarray, color: str, side: int) -> Image.Image:
    """One digit img (h, w) in [0, 1] as a side x side RGBA tile: class-coloured ink, transparent paper."""
    h, w = img.shape
    rgba = np.zeros((h, w, 4), dtype=np.uint8)  # (h, w, RGBA)
    rgba[..., :3] = px.colors.hex_to_rgb(color)
    rgba[..., 3] = np.round(np.clip(img, 0, 1) * 255).astype(np.uint8)
    # Small digits (8x8) stay crisp blocks; 28x28 ones are smoothed when scaled.
    resample = Image.NEAREST if side >= 3 * max(h, w) else Image.BILINEAR
    return Image.fromarray(rgba, "RGBA").resize((side, side), resample)


def _png_uri(pil: Image.Image) -> str:
    buf = io.BytesIO()
    pil.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def embedding_with_thumbnails(emb: np.ndarray, images: np.ndarray, image_shape: Sequence[int],
                              labels: np.ndarray, *, title: str = "", class_names=None, max_thumbs: int = 150,
                              seed: int = 0, ids: np.ndarray | None = None,
                              scores: dict | None = None, resolution: int = 800) -> go.Figure:
    """The faded embedding scatter with a seeded random subset of digits drawn at their positions.

    emb (N, 2); images (N, D); labels (N,). At most max_thumbs digits (ink in the class colour),
    each about 4.5% of the larger axis span wide, centred on its point. They are composited into
    one transparent PNG of `resolution` pixels along the larger span, laid over the axes' range:
    one image for the browser to decode and place instead of 150.
    layout.meta["thumbnails"] lists the positions drawn, in drawing order.
    """
    emb, labels = np.asarray(emb, dtype=float), np.asarray(labels).astype(int)
    x, _, _ = _shape(images, image_shape)
    fig = embedding(emb, labels, title=title, class_names=class_names, ids=ids, scores=scores, opacity=0.25)
    lo, hi = _padded_range(emb)
    span = hi - lo  # (2,) data units
    px_per_unit = resolution / float(np.max(span))  # the same on both axes: thumbnails stay square
    width, height = (np.maximum(np.round(span * px_per_unit), 1)).astype(int)
    side = max(1, round(0.045 * resolution))
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(emb), size=min(max_thumbs, len(emb)), replace=False)
    # A margin of one tile on every side, cropped at the end: tiles of points near an edge are cut,
    # not refused (alpha_composite takes no negative offsets).
    canvas = Image.new("RGBA", (int(width) + 2 * side, int(height) + 2 * side), (0, 0, 0, 0))
    for i in pick:
        cx = (emb[i, 0] - lo[0]) * px_per_unit + side  # pixel column of the point
        cy = (hi[1] - emb[i, 1]) * px_per_unit + side  # pixel row (image rows run downwards)
        canvas.alpha_composite(_tile(x[i], class_color(labels[i]), side),
                               dest=(int(round(cx - side / 2)), int(round(cy - side / 2))))
    canvas = canvas.crop((side, side, side + int(width), side + int(height)))
    fig.update_layout(images=[dict(source=_png_uri(canvas), xref="x", yref="y", x=lo[0], y=hi[1],
                                   sizex=span[0], sizey=span[1], xanchor="left", yanchor="top",
                                   sizing="stretch", layer="above")])
    fig.layout.meta = {"aeviz_figure": "embedding_thumbnails", "thumbnails": [int(i) for i in pick]}
    return fig


# ----------------------------------------------------------------------------- digit mosaics

def mosaic(images: np.ndarray, image_shape: Sequence[int], ncols: int) -> np.ndarray:
    """images (N, D) tiled row-major into (rows*(h+1)-1, cols*(w+1)-1) with NaN gaps and empty slots.

    cols = min(ncols, N), rows = ceil(N / cols); digit i's top-left pixel is at
    ((i // cols) * (h+1), (i % cols) * (w+1)).
    """
    x, h, w = _shape(images, image_shape)
    cols = max(1, min(int(ncols), len(x)))
    rows = max(1, -(-len(x) // cols))
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan, dtype=np.float32)
    for i, img in enumerate(x):
        r, c = divmod(i, cols)
        out[r * (h + 1):r * (h + 1) + h, c * (w + 1):c * (w + 1) + w] = img
    return out


def _digit_axes(fig: go.Figure, reversed_y: bool = True) -> None:
    """Axes of a digit picture: no ticks or grid, equal aspect, grey plot background for the gaps."""
    fig.update_xaxes(showticklabels=False, showgrid=False, zeroline=False, ticks="", constrain="domain")
    fig.update_yaxes(showticklabels=False, showgrid=False, zeroline=False, ticks="", scaleanchor="x",
                     scaleratio=1, constrain="domain", autorange="reversed" if reversed_y else True)
    fig.update_layout(plot_bgcolor=GAP)


def _ink(z: np.ndarray, **kw) -> go.Heatmap:
    """A heatmap of pixel values z drawn as black ink on white paper."""
    kw.setdefault("hovertemplate", "%{z:.2f}<extra></extra>")
    return go.Heatmap(z=z, colorscale=INK, zmin=0.0, zmax=1.0, showscale=False, **kw)


def _ink_rgb(z: np.ndarray) -> np.ndarray:
    """Pixel values z (..., ) in [0, 1] (clipped) as INK's grey levels, uint8 (..., 3): 0 white, 1 black."""
    grey = np.round(255 * (1 - np.clip(z, 0, 1))).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=-1)


def image_grid(images: np.ndarray, image_shape: Sequence[int], *, ncols: int = 10,
               titles: list[str] | None = None, row_labels: list[str] | None = None,
               title: str = "") -> go.Figure:
    """Digits images (N, D) as one mosaic picture (see `mosaic`), 1 px gaps, row-major.

    The mosaic is one PNG (`_ink_rgb` grey levels, GAP grey gaps, white empty slots) in an Image
    trace whose pixel (r, c) sits at x = c, y = r, drawn pixelated. A heatmap of the same mosaic
    sent every value as JSON text (200 KB for a gallery of 20 28x28 digits and their reconstructions,
    NaN gaps rule out plotly's binary arrays) and the browser painted it cell by cell; the PNG is a
    few KB. row_labels (one per row) become y tick labels at each row's middle; titles (one per image,
    "" for none) become small annotations above the images.
    """
    x, h, w = _shape(images, image_shape)
    z = mosaic(x.reshape(len(x), -1), image_shape, ncols)
    rows, cols = (z.shape[0] + 1) // (h + 1), (z.shape[1] + 1) // (w + 1)
    rgb = _ink_rgb(np.nan_to_num(z))
    rgb[np.isnan(z)] = px.colors.hex_to_rgb(GAP)
    n_img = len(x)
    if rows * cols > n_img:  # blank paper, not gap grey, in the empty slots of the last row
        rgb[(rows - 1) * (h + 1):, (n_img % cols) * (w + 1):] = 255
    fig = go.Figure(go.Image(source=_png_uri(Image.fromarray(rgb, "RGB")), x0=0, dx=1, y0=0, dy=1,
                             hoverinfo="skip"))
    _digit_axes(fig)
    if row_labels:
        fig.update_yaxes(showticklabels=True, tickvals=[r * (h + 1) + (h - 1) / 2 for r in range(rows)],
                         ticktext=list(row_labels)[:rows])
    for i, t in enumerate(titles or []):
        if t:
            r, c = divmod(i, cols)
            fig.add_annotation(x=c * (w + 1) + (w - 1) / 2, y=r * (h + 1) - 0.5, text=str(t), showarrow=False,
                               yanchor="bottom", font=dict(size=10))
    cell = max(30, min(80, 620 // cols))  # about square cells in a ~700 px wide container
    fig = _finish(fig, "image_grid", title, rows * cell + (110 if titles else 90))
    top = fig.layout.margin.t + (14 if titles else 0)
    fig.update_layout(margin=dict(l=100 if row_labels else 10, r=10, b=10, t=top))
    return fig


def triptych(noisy: np.ndarray, clean: np.ndarray, reconstructed: np.ndarray, image_shape: Sequence[int], *,
             title: str = "", labels: Sequence[str] = ("noisy", "clean", "reconstructed")) -> go.Figure:
    """Three rows of the same N digits: noisy, clean, reconstructed (each (N, D))."""
    n = len(np.asarray(clean).reshape(len(clean), -1))
    fig = image_grid(np.concatenate([np.asarray(a).reshape(n, -1) for a in (noisy, clean, reconstructed)]),
                     image_shape, ncols=n, row_labels=list(labels), title=title)
    fig.layout.meta = {"aeviz_figure": "triptych"}
    return fig


def image(img: np.ndarray, image_shape: Sequence[int], *, title: str = "") -> go.Figure:
    """One digit img (D,), small."""
    x, _, _ = _shape(img, image_shape)
    fig = go.Figure(_ink(x[0]))
    _digit_axes(fig)
    fig = _finish(fig, "image", title, 260)
    fig.update_layout(margin=dict(l=10, r=10, b=10))
    return fig


def latent_grid(decoded: np.ndarray, image_shape: Sequence[int], extent: Sequence[float], n: int, *,
                title: str = "Decoded latent plane") -> go.Figure:
    """Digits decoded on an n x n lattice of the latent plane, as one mosaic on latent axes.

    decoded (n*n, D), row-major with row 0 at the top: decoded[r*n + c] is the decoding of
    (linspace(xmin, xmax, n)[c], linspace(ymax, ymin, n)[r]); extent = (xmin, xmax, ymin, ymax).
    The heatmap's x/y hold latent coordinates: each digit is centred on its lattice point.
    """
    _, h, w = _shape(decoded, image_shape)
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    z = mosaic(decoded, image_shape, n)[::-1]  # bottom pixel row first, so y increases upward
    sx = (xmax - xmin) / max(n - 1, 1) / (w + 1) or 1.0 / (w + 1)  # latent units per pixel
    sy = (ymax - ymin) / max(n - 1, 1) / (h + 1) or 1.0 / (h + 1)
    xs = xmin + (np.arange(z.shape[1]) - (w - 1) / 2) * sx
    ys = ymin + (np.arange(z.shape[0]) - (h - 1) / 2) * sy
    fig = go.Figure(_ink(z, x=xs, y=ys, hovertemplate="z = (%{x:.2f}, %{y:.2f}): %{z:.2f}<extra></extra>"))
    _digit_axes(fig, reversed_y=False)
    fig.update_xaxes(showticklabels=True, ticks="outside", title_text="z₁")
    fig.update_yaxes(showticklabels=True, ticks="outside", title_text="z₂", scaleratio=sx / sy)
    return _finish(fig, "latent_grid", title, 560)


# ----------------------------------------------------------------------------- curves and bars

def loss_curves(train: np.ndarray, val: np.ndarray, *, title: str = "Training",
                log_y: bool = True) -> go.Figure:
    """train (E,), val (E,) per-pixel MSE against epochs 1..E."""
    e = np.arange(1, len(train) + 1)
    fig = go.Figure(_series_traces(e, {"train": train, "validation": val}))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="per-pixel MSE", type="log" if log_y else "linear")
    fig.update_layout(legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"))
    return _finish(fig, "loss_curves", title, 340)


def error_vs_bottleneck(latent_sizes: np.ndarray, series: dict, *,
                        title: str = "Error vs bottleneck") -> go.Figure:
    """latent_sizes (K,); series: name -> K held-out per-pixel MSEs. x on a log2 scale."""
    k = np.asarray(latent_sizes)
    fig = go.Figure(_series_traces(k, series))
    fig.update_xaxes(title_text="bottleneck size k", type="log", tickvals=k.tolist(),
                     ticktext=[str(v) for v in k.tolist()])
    fig.update_yaxes(title_text="held-out per-pixel MSE")
    return _finish(fig, "error_vs_bottleneck", title, 380)


def grouped_lines(x: np.ndarray, series: dict, *, title: str = "", x_title: str = "",
                  y_title: str = "") -> go.Figure:
    """x (K,); series: name -> K values, one line each (e.g. PSNR against noise level)."""
    fig = go.Figure(_series_traces(x, series))
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return _finish(fig, "grouped_lines", title, 380)


def bars(values: dict, *, title: str = "", y_title: str = "", fmt: str = ".3f") -> go.Figure:
    """One bar per name -> value, labelled with the value formatted by fmt."""
    names, v = [str(k) for k in values], [float(x) for x in values.values()]
    fig = go.Figure(go.Bar(x=names, y=v, text=[format(x, fmt) for x in v], textposition="outside",
                           cliponaxis=False,
                           marker_color=[SERIES_PALETTE[i % len(SERIES_PALETTE)] for i in range(len(v))]))
    fig.update_yaxes(title_text=y_title)
    return _finish(fig, "bars", title, 360)


def histogram(samples: dict, *, title: str = "", x_title: str = "", vline: float | None = None,
              vline_label: str = "", nbins: int = 50) -> go.Figure:
    """Overlaid histograms of samples (name -> 1-D array) on shared bins, optional dashed line at vline."""
    arrays = {str(k): np.asarray(s, dtype=float).ravel() for k, s in samples.items()}
    pooled = np.concatenate([a[np.isfinite(a)] for a in arrays.values()] + [np.zeros(0)])
    lo, hi = (float(pooled.min()), float(pooled.max())) if len(pooled) else (0.0, 1.0)
    bins = dict(start=lo, end=hi, size=(hi - lo) / nbins or 1.0)  # the same bins for every sample
    fig = go.Figure([go.Histogram(x=a, name=k, opacity=0.6, xbins=bins,
                                  marker_color=SERIES_PALETTE[i % len(SERIES_PALETTE)])
                     for i, (k, a) in enumerate(arrays.items())])
    fig.update_layout(barmode="overlay")
    if vline is not None:
        fig.add_vline(x=float(vline), line=dict(color="#222", dash="dash", width=1.5),
                      annotation_text=vline_label, annotation_position="top right")
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text="count")
    return _finish(fig, "histogram", title, 360)


# ----------------------------------------------------------------------------- animation

def _robust_range(a: np.ndarray) -> list[float]:
    """The 1st-99th percentile range of a (M,), padded by 5% on each side."""
    lo, hi = np.percentile(a, [1, 99])
    pad = 0.05 * max(hi - lo, 1e-9)
    return [float(lo - pad), float(hi + pad)]


def _animation_controls(names: list[str]) -> dict:
    """Play/pause buttons and an "epoch" slider over frames called names."""
    step = dict(mode="immediate", frame=dict(duration=350, redraw=False), transition=dict(duration=250))
    play = dict(label="▶ Play", method="animate", args=[None, {**step, "fromcurrent": False}])
    stop = dict(mode="immediate", frame=dict(duration=0), transition=dict(duration=0))
    pause = dict(label="❚❚ Pause", method="animate", args=[[None], stop])
    slider = dict(active=len(names) - 1, currentvalue=dict(prefix="epoch "), x=0.22, len=0.78, y=0,
                  yanchor="top", pad=dict(t=45, b=0), steps=[dict(label=n, method="animate", args=[[n], step])
                                                           for n in names])
    buttons = dict(type="buttons", direction="left", buttons=[play, pause], x=0.2, xanchor="right", y=0,
                   yanchor="top", pad=dict(t=70, r=10), showactive=False)
    return dict(updatemenus=[buttons], sliders=[slider])


def replay(codes_per_epoch: np.ndarray, labels: np.ndarray, *, class_names=None,
           title: str = "How the latent space formed") -> go.Figure:
    """An animation of the 2-D codes, one frame per epoch (frame "0" = before training).

    codes_per_epoch (E+1, N, 2); labels (N,). Axis ranges are fixed over all frames (1-99
    percentiles, padded 5%). The figure first shows the last epoch; Play runs from epoch 0.
    """
    codes, labels = np.asarray(codes_per_epoch, dtype=float), np.asarray(labels).astype(int)
    ids = np.arange(codes.shape[1])
    names = [str(e) for e in range(len(codes))]
    frames = [go.Frame(name=n, data=_class_traces(c, labels, ids, class_names, 0.8, None))
              for n, c in zip(names, codes, strict=True)]
    fig = go.Figure(data=frames[-1].data, frames=frames)
    _scatter_axes(fig)
    fig.update_xaxes(range=_robust_range(codes[..., 0].ravel()), autorange=False)
    fig.update_yaxes(range=_robust_range(codes[..., 1].ravel()), autorange=False)
    fig.update_layout(dragmode="zoom", **_animation_controls(names))
    fig = _finish(fig, "replay", title, 520)
    fig.update_layout(margin=dict(b=110))
    return fig
