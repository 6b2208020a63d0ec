"""A figure in words: the text alternative a screen reader reads in place of the plot."""
from __future__ import annotations

import plotly.graph_objects as go

from ..i18n import t


def _n(values) -> int:
    return 0 if values is None else len(values)


def describe(fig: go.Figure) -> str:
    """'Chart “UMAP”: 360 points in 10 groups (0, 1, …); horizontal axis dim 1, vertical axis dim 2.'
    Built from the figure itself, so it says what is drawn, in the current language."""
    title = (fig.layout.title.text or "").split("<br>")[0]
    parts = [t("figures.describe.chart", title=title) if title else t("figures.describe.untitled")]
    scatters = [tr for tr in fig.data if tr.type in ("scatter", "scattergl", "scatter3d") and _n(tr.x)]
    points = sum(_n(tr.x) for tr in scatters)
    named = [tr.name for tr in scatters if tr.name and tr.showlegend is not False]
    if points and (tr_modes := {tr.mode or "" for tr in scatters}) and all("lines" in m for m in tr_modes):
        parts.append(t("figures.describe.lines", n=len(scatters), names=", ".join(named[:10])))
    elif points:
        parts.append(t("figures.describe.points", n=points, groups=len(scatters), names=", ".join(named[:10])))
    if any(tr.type in ("image", "heatmap") for tr in fig.data):
        parts.append(t("figures.describe.image"))
    if any(tr.type == "bar" for tr in fig.data):
        bars = [tr for tr in fig.data if tr.type == "bar"]
        parts.append(t("figures.describe.bars", n=sum(_n(tr.x) for tr in bars)))
    x, y = fig.layout.xaxis.title.text, fig.layout.yaxis.title.text
    if any(tr.type == "scatter3d" for tr in fig.data):
        axes = fig.layout.scene
        parts.append(t("figures.describe.axes_3d", x=axes.xaxis.title.text or "-", y=axes.yaxis.title.text or "-",
                       z=axes.zaxis.title.text or "-"))
    elif x or y:
        parts.append(t("figures.describe.axes", x=x or "-", y=y or "-"))
    return " ".join(parts)
