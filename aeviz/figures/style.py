"""The one look of every figure: palettes, font, margins, the class colours and the finishing touches.

One look everywhere: template "plotly_white", the Inter font, compact margins, short titles. Digit
class c has the colour `class_color(c)` in every figure. Every figure carries
`layout.meta = {"aeviz_figure": name}` so that exports can name their files.
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


def png_uri(pil: Image.Image) -> str:
    buf = io.BytesIO()
    pil.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
