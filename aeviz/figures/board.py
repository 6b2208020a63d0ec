"""The class board's pictures: a model's map as a thumbnail, and every entry on one scatter."""
from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw

from ..i18n import t
from .style import PALETTE, SYMBOLS, _finish, png_uri


def map_thumbnail(emb: np.ndarray, labels: np.ndarray, size: int = 96) -> str:
    """emb (N, >=2) (its first two axes) as a size x size PNG data URI: a 2x2 dot per digit in its class
    colour, in a seeded order (no class drawn over all the others). Drawn with PIL: a kaleido render
    takes seconds and one browser for every server's thread."""
    xy = np.asarray(emb, dtype=np.float64)[:, :2]
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    pad = 4
    scaled = (xy - lo) / np.where(hi > lo, hi - lo, 1.0) * (size - 2 * pad - 2) + pad
    scaled[:, 1] = size - 2 - scaled[:, 1]  # y up, as in the panels
    pil = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(pil)
    for i in np.random.default_rng(0).permutation(len(xy)):
        x, y = scaled[i]
        draw.rectangle([x, y, x + 1, y + 1], fill=PALETTE[int(labels[i]) % len(PALETTE)])
    return png_uri(pil)


def class_board(rows: Sequence[dict], kinds: dict[str, str], *, title: str | None = None) -> go.Figure:
    """Every entry at (its bottleneck, its held-out per-pixel MSE), one colour and one marker shape
    per kind of autoencoder; rows: dicts with name, kind, latent_dim, mse and meets (True, False or
    None: no task); kinds: kind -> its label, in the order the colours follow. Entries that meet the
    task wear a black ring. Names are escaped: plotly draws some HTML in hover text."""
    fig = go.Figure()
    for i, (kind, label) in enumerate(kinds.items()):
        mine = [r for r in rows if r["kind"] == kind]
        if not mine:
            continue
        k = np.array([r["latent_dim"] for r in mine], dtype=float)
        nth = np.zeros(len(mine))  # the entries that share a bottleneck stand side by side around it
        for value in set(k):
            at = np.flatnonzero(k == value)
            nth[at] = (np.arange(len(at)) % 7 + 1) // 2 * (-1) ** np.arange(len(at))  # 0, -1, 1, -2, 2, ...
        spread = 1.06 ** (nth + 0.6 * (i - (len(kinds) - 1) / 2) / len(kinds))  # and each kind a little apart
        fig.add_trace(go.Scatter(
            x=k * spread, y=[r["mse"] for r in mine], mode="markers", name=label,
            hovertext=[html.escape(r["name"]) for r in mine],
            hovertemplate=(f"%{{hovertext}}<br>{html.escape(label)}<br>k = %{{customdata}}<br>MSE %{{y:.4f}}"
                           "<extra></extra>"),
            customdata=[r["latent_dim"] for r in mine],
            marker=dict(color=PALETTE[i % len(PALETTE)], symbol=SYMBOLS[i % len(SYMBOLS)], size=11, opacity=0.9,
                        line=dict(color="black", width=[2.5 if r.get("meets") else 0 for r in mine]))))
    ks = sorted({int(r["latent_dim"]) for r in rows}) or [1, 2]
    fig.update_xaxes(title_text=t("figures.axis.bottleneck"), type="log", tickvals=ks, ticktext=[str(v) for v in ks],
                     range=[np.log10(min(ks) / 1.5), np.log10(max(ks) * 1.5)])
    top = max((r["mse"] for r in rows), default=0.05)
    fig.update_yaxes(title_text=t("figures.axis.held_out_loss"), range=[0, 1.15 * top])  # from a perfect 0
    fig.update_layout(legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"))
    return _finish(fig, "class_board", t("figures.title.class_board") if title is None else title, 420,
                   subtitle=t("figures.subtitle.class_board", n=len(rows)))
