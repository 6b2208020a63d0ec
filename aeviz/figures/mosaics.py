"""Digits as pictures: black ink on white paper (colorscale "gray_r" over [0, 1]), without ticks, at
equal aspect. Images are flat rows: `images` is (N, D) with D = h * w for `image_shape` = (h, w)."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
from PIL import Image

from ..i18n import t
from .style import GAP, INK, _finish, _shape, png_uri


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
    fig = go.Figure(go.Image(source=png_uri(Image.fromarray(rgb, "RGB")), x0=0, dx=1, y0=0, dy=1,
                             hoverinfo="skip"))
    _digit_axes(fig)
    if row_labels:
        fig.update_yaxes(showticklabels=True, tickvals=[r * (h + 1) + (h - 1) / 2 for r in range(rows)],
                         ticktext=list(row_labels)[:rows])
    for i, text in enumerate(titles or []):
        if text:
            r, c = divmod(i, cols)
            fig.add_annotation(x=c * (w + 1) + (w - 1) / 2, y=r * (h + 1) - 0.5, text=str(text), showarrow=False,
                               yanchor="bottom", font=dict(size=10))
    cell = max(30, min(80, 620 // cols))  # about square cells in a ~700 px wide container
    fig = _finish(fig, "image_grid", title, rows * cell + (110 if titles else 90))
    top = fig.layout.margin.t + (14 if titles else 0)
    fig.update_layout(margin=dict(l=100 if row_labels else 10, r=10, b=10, t=top))
    return fig


def triptych(noisy: np.ndarray, clean: np.ndarray, reconstructed: np.ndarray, image_shape: Sequence[int], *,
             title: str = "", labels: Sequence[str] | None = None) -> go.Figure:
    """Three rows of the same N digits: noisy, clean, reconstructed (each (N, D)); labels None:
    those three words in the current language."""
    if labels is None:
        labels = [t(f"figures.triptych.{row}") for row in ("noisy", "clean", "reconstructed")]
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


CONFIDENCE = [[0.0, "rgba(255,255,255,0.85)"], [1.0, "rgba(0,119,187,0.35)"]]  # unsure: washed out; sure: blue


def _confidence_layer(confidence: np.ndarray, readings, extent: Sequence[float], n: int) -> go.Heatmap:
    """One cell per lattice point over the mosaic: white wash where the classifier is unsure, a
    light blue tint where it is sure (Paul Tol's blue; no red-green distinction)."""
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    grid = confidence.reshape(n, n)[::-1]  # bottom row first, as the mosaic
    text = None if readings is None else np.asarray(readings, object).reshape(n, n)[::-1]
    return go.Heatmap(z=grid, x=np.linspace(xmin, xmax, n), y=np.linspace(ymin, ymax, n), zmin=0, zmax=1,
                      colorscale=CONFIDENCE, text=text, name="confidence",
                      colorbar=dict(title=dict(text=t("figures.confidence"), side="right"), thickness=12,
                                    tickformat=".0%"),
                      hovertemplate=("%{text} · " if text is not None else "") + "%{z:.0%}<extra></extra>")


def latent_grid(decoded: np.ndarray, image_shape: Sequence[int], extent: Sequence[float], n: int, *,
                title: str | None = None, confidence: np.ndarray | None = None,
                readings: Sequence[str] | None = None) -> go.Figure:
    """Digits decoded on an n x n lattice of the latent plane, as one mosaic on latent axes.

    decoded (n*n, D), row-major with row 0 at the top: decoded[r*n + c] is the decoding of
    (linspace(xmin, xmax, n)[c], linspace(ymax, ymin, n)[r]); extent = (xmin, xmax, ymin, ymax).
    The heatmap's x/y hold latent coordinates: each digit is centred on its lattice point.
    title None: "Decoded latent plane", in the current language.
    confidence (n*n,) in [0, 1], in decoded's order: a classifier's confidence in each cell, laid
    over the cells (light where it is unsure, so the holes between the clusters look faint), with
    `readings` (n*n names of what it read) in the hover.
    """
    _, h, w = _shape(decoded, image_shape)
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    z = mosaic(decoded, image_shape, n)[::-1]  # bottom pixel row first, so y increases upward
    sx = (xmax - xmin) / max(n - 1, 1) / (w + 1) or 1.0 / (w + 1)  # latent units per pixel
    sy = (ymax - ymin) / max(n - 1, 1) / (h + 1) or 1.0 / (h + 1)
    xs = xmin + (np.arange(z.shape[1]) - (w - 1) / 2) * sx
    ys = ymin + (np.arange(z.shape[0]) - (h - 1) / 2) * sy
    fig = go.Figure(_ink(z, x=xs, y=ys, hovertemplate="z = (%{x:.2f}, %{y:.2f}): %{z:.2f}<extra></extra>"))
    if confidence is not None:
        fig.add_trace(_confidence_layer(np.asarray(confidence, float), readings, extent, n))
    _digit_axes(fig, reversed_y=False)
    fig.update_xaxes(showticklabels=True, ticks="outside", title_text="z₁")
    fig.update_yaxes(showticklabels=True, ticks="outside", title_text="z₂", scaleratio=sx / sy)
    return _finish(fig, "latent_grid", t("figures.title.latent_grid") if title is None else title, 560)
