"""Numbers against numbers: loss curves, error against bottleneck, grouped lines, bars, histograms."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .. import i18n
from ..i18n import t
from .style import SERIES_PALETTE, _finish


def _series_traces(x, series: dict, mode: str = "lines+markers") -> list[go.Scatter]:
    """One line per series (name -> K values), coloured in order from SERIES_PALETTE."""
    return [go.Scatter(x=np.asarray(x), y=np.asarray(v, dtype=float), name=str(k), mode=mode,
                       line=dict(color=SERIES_PALETTE[i % len(SERIES_PALETTE)], width=2), marker=dict(size=7))
            for i, (k, v) in enumerate(series.items())]


def loss_curves(train: np.ndarray, val: np.ndarray, *, title: str | None = None,
                log_y: bool = True) -> go.Figure:
    """train (E,), val (E,) per-pixel MSE against epochs 1..E. title None: "Training", in the
    current language."""
    e = np.arange(1, len(train) + 1)
    fig = go.Figure(_series_traces(e, {t("figures.series.train"): train, t("figures.series.validation"): val}))
    fig.update_xaxes(title_text=t("figures.axis.epoch"))
    fig.update_yaxes(title_text=t("figures.axis.loss"), type="log" if log_y else "linear")
    fig.update_layout(legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"))
    return _finish(fig, "loss_curves", t("figures.title.training") if title is None else title, 340)


def error_vs_bottleneck(latent_sizes: np.ndarray, series: dict, *,
                        title: str | None = None) -> go.Figure:
    """latent_sizes (K,); series: name -> K held-out per-pixel MSEs. x on a log2 scale. title None:
    "Error vs bottleneck", in the current language."""
    k = np.asarray(latent_sizes)
    fig = go.Figure(_series_traces(k, series))
    fig.update_xaxes(title_text=t("figures.axis.bottleneck"), type="log", tickvals=k.tolist(),
                     ticktext=[str(v) for v in k.tolist()])
    fig.update_yaxes(title_text=t("figures.axis.held_out_loss"))
    return _finish(fig, "error_vs_bottleneck", t("figures.title.error_vs_bottleneck") if title is None else title,
                   380)


def grouped_lines(x: np.ndarray, series: dict, *, title: str = "", x_title: str = "",
                  y_title: str = "") -> go.Figure:
    """x (K,); series: name -> K values, one line each (e.g. PSNR against noise level)."""
    fig = go.Figure(_series_traces(x, series))
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    return _finish(fig, "grouped_lines", title, 380)


def bars(values: dict, *, title: str = "", y_title: str = "", fmt: str = ".3f") -> go.Figure:
    """One bar per name -> value, labelled with the value formatted by fmt (the current language's way)."""
    names, v = [str(k) for k in values], [float(x) for x in values.values()]
    fig = go.Figure(go.Bar(x=names, y=v, text=[i18n.number(x, fmt) for x in v], textposition="outside",
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
    fig.update_yaxes(title_text=t("figures.axis.count"))
    return _finish(fig, "histogram", title, 360)
