"""One digit through a net, stage by stage: each stage's activations as a picture, the way the
page's layer view draws them (its script, layer_view.js): a dense layer's units in a near-square grid, a
convolution's feature maps side by side, each scaled by its largest magnitude on a purple-white-
orange scale (Brewer's PuOr, readable without red-green vision); the input and the output digits
as ink on paper."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .mosaics import _digit_axes
from .style import INK, _finish

PUOR = [[0.0, "rgb(84,39,136)"], [0.5, "rgb(247,247,247)"], [1.0, "rgb(179,88,6)"]]


def stage_picture(a: np.ndarray) -> np.ndarray:
    """One stage's activations for one digit, (n,) or (c, H, W), as a 2-D picture with NaN gaps:
    n units in ceil(sqrt(2n)) columns (as layer_view.js's lvGrid); c maps, at most 8 a row, 1 px apart."""
    a = np.asarray(a, np.float64)
    if a.ndim == 3:
        c, h, w = a.shape
        per_row = min(c, 8)
        rows = -(-c // per_row)
        out = np.full((rows * (h + 1) - 1, per_row * (w + 1) - 1), np.nan)
        for i in range(c):
            r, col = divmod(i, per_row)
            out[r * (h + 1):r * (h + 1) + h, col * (w + 1):col * (w + 1) + w] = a[i]
        return out
    n = a.size
    cols = int(np.ceil(np.sqrt(2 * n)))
    out = np.full(-(-n // cols) * cols, np.nan)
    out[:n] = a.ravel()
    return out.reshape(-1, cols)


def layer_view(digit: np.ndarray, stages: list[tuple[str, np.ndarray]], output: np.ndarray, image_shape,
               *, title: str, input_title: str, output_title: str) -> go.Figure:
    """The input digit (h*w,), every stage [(name, activations)], and the output digit, one row each."""
    h, w = image_shape
    names = [input_title, *[f"{name} ({np.asarray(a).size})" for name, a in stages], output_title]
    fig = make_subplots(rows=len(names), cols=1, subplot_titles=names, vertical_spacing=0.25 / len(names))
    fig.add_trace(go.Heatmap(z=np.asarray(digit).reshape(h, w), colorscale=INK, zmin=0, zmax=1, showscale=False,
                             hovertemplate="%{z:.2f}<extra></extra>"), row=1, col=1)
    for i, (_, a) in enumerate(stages, start=2):
        z = stage_picture(a)
        scale = np.nanmax(np.abs(z)) or 1.0
        fig.add_trace(go.Heatmap(z=z / scale, colorscale=PUOR, zmin=-1, zmax=1, showscale=False,
                                 customdata=z, hovertemplate="%{customdata:.3f}<extra></extra>"), row=i, col=1)
    fig.add_trace(go.Heatmap(z=np.asarray(output).reshape(h, w), colorscale=INK, zmin=0, zmax=1, showscale=False,
                             hovertemplate="%{z:.2f}<extra></extra>"), row=len(names), col=1)
    _digit_axes(fig)
    for r in range(1, len(names) + 1):  # equal aspect in each row: a cell is a square
        fig.update_yaxes(scaleanchor=f"x{'' if r == 1 else r}", row=r, col=1)
    for ann in fig.layout.annotations:
        ann.font = dict(size=11)
    return _finish(fig, "layers", title, height=110 * len(names) + 60)
