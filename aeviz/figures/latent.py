"""Maps of codes: one point per digit, coloured and shaped by class; with digit thumbnails; a replay over epochs."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.express as px
import plotly.graph_objects as go
from PIL import Image

from .. import i18n
from ..i18n import t
from .style import FONT, MARGIN, MARKER_SIZE, _finish, _shape, class_color, class_symbol, class_symbol_3d, png_uri

UNLIT_3D = "#D0D0D0"  # a 3-D panel's points outside a selection (WebGL's scatter has no per-point opacity)
DRAWN = "aeviz-drawn"  # the meta of a 3-D panel's trace for the user's own digit (the page moves it)
# Up to this many points a map is SVG (crisp, every shape plotly has); above it, WebGL (scattergl):
# 14,000 SVG points a panel put 42,000 nodes in the page, and WebGL is drawn by the GPU where
# there is one (headless Chromium's software WebGL draws 14,000 either way in ~0.5 s). The classes
# keep their shapes in WebGL (plotly.js draws each of SYMBOLS as a distance field); export.py
# turns the points back into SVG for a static file.
SVG_MAX_POINTS = 2000
THUMBNAILS = 150  # digits drawn as pictures on a map with thumbnails (a seeded random choice)

# Score names the figures know (a metric's key or the name the app shows) -> their catalogue key;
# any other name is shown as given.
_SCORE_KEYS = {"trustworthiness": "trustworthiness", "knn_accuracy": "knn_accuracy",
               "kNN accuracy": "knn_accuracy", "silhouette": "silhouette"}


def _class_traces(emb: np.ndarray, labels: np.ndarray, ids: np.ndarray, class_names, opacity: float,
                  selected: np.ndarray | None) -> list[go.Scatter | go.Scattergl]:
    """One scatter per present class, in its colour and its shape (per trace, not per point: the
    browser's linked panels restyle points trace by trace); with `selected` (positions),
    per-trace selectedpoints. WebGL above SVG_MAX_POINTS points."""
    traces, kind = [], scatter_type(len(emb))
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)  # positions of class c in emb
        name = str(class_names[c]) if class_names is not None else str(c)
        tr = kind(x=emb[idx, 0], y=emb[idx, 1], mode="markers", name=name, legendgroup=name,
                        customdata=ids[idx],
                        marker=dict(color=class_color(c), symbol=class_symbol(c), size=MARKER_SIZE, opacity=opacity),
                        hovertemplate=f"#%{{customdata}} · {name}<extra></extra>")
        # How a selection looks, whoever makes it (the figure here, or plotly.js in the browser).
        tr.selected = dict(marker=dict(opacity=1.0))
        tr.unselected = dict(marker=dict(opacity=0.12))
        if selected is not None:
            tr.selectedpoints = np.flatnonzero(np.isin(idx, selected)).tolist()  # indices within trace
        traces.append(tr)
    return traces


def scatter_type(n: int) -> type:
    """The trace type that draws n points of a 2-D map: go.Scatter (SVG) or go.Scattergl."""
    return go.Scatter if n <= SVG_MAX_POINTS else go.Scattergl


def _class_traces_3d(emb: np.ndarray, labels: np.ndarray, ids: np.ndarray, class_names,
                     selected: np.ndarray | None) -> list[go.Scatter3d]:
    """_class_traces in 3-D: one scatter3d per class; points outside `selected` (positions) grey."""
    traces = []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        name = str(class_names[c]) if class_names is not None else str(c)
        color = class_color(c) if selected is None else [class_color(c) if i in set(selected) else UNLIT_3D
                                                          for i in idx]
        traces.append(go.Scatter3d(x=emb[idx, 0], y=emb[idx, 1], z=emb[idx, 2], mode="markers", name=name,
                                   legendgroup=name, customdata=ids[idx],
                                   marker=dict(color=color, symbol=class_symbol_3d(c), size=3),
                                   hovertemplate=f"#%{{customdata}} · {name}<extra></extra>"))
    # Where the page marks the user's own digit (pad.js): empty until then.
    traces.append(go.Scatter3d(x=[], y=[], z=[], mode="markers", meta=DRAWN, showlegend=False, hoverinfo="skip",
                               marker=dict(color="#000000", symbol="diamond", size=9,
                                           line=dict(color="#FFFFFF", width=2))))
    return traces


def _scene(fig: go.Figure, emb: np.ndarray) -> None:
    """A 3-D embedding's scene: titled axes without tick labels over the padded bounding box, drawn
    to scale (aspectmode "data", as the 2-D panels' equal axes); turntable rotation, kept across
    updates (uirevision)."""
    lo, hi = _padded_range(emb)
    axis = dict(showticklabels=False, zeroline=False, showspikes=False)
    fig.update_layout(scene=dict(
        xaxis=dict(axis, title=dict(text=t("figures.axis.dim", n=1)), range=[lo[0], hi[0]]),
        yaxis=dict(axis, title=dict(text=t("figures.axis.dim", n=2)), range=[lo[1], hi[1]]),
        zaxis=dict(axis, title=dict(text=t("figures.axis.dim", n=3)), range=[lo[2], hi[2]]),
        aspectmode="data", dragmode="turntable"), uirevision="keep",
        legend=dict(itemsizing="constant", tracegroupgap=0), hoverlabel=dict(font_family=FONT))


def _highlight_trace(emb: np.ndarray, labels: np.ndarray, ids: np.ndarray,
                     selected: np.ndarray) -> go.Scatter:
    """The selected points again, full opacity with a dark outline (customdata = their ids)."""
    return scatter_type(len(emb))(x=emb[selected, 0], y=emb[selected, 1], mode="markers", name=t("figures.selected"),
                      showlegend=False, customdata=ids[selected],
                      hovertemplate="#%{customdata}<extra></extra>",
                      marker=dict(color=[class_color(c) for c in labels[selected]],
                                  symbol=[class_symbol(c) for c in labels[selected]], size=MARKER_SIZE + 2,
                                  opacity=1.0, line=dict(color="#111", width=1.2)))


def _scatter_axes(fig: go.Figure) -> None:
    """Axes of a 2-D embedding: titled, no tick labels, equal scaling, lasso by default.

    No automargin (plotly_white turns it on): without tick labels there is nothing to fit, and the
    automargin pass makes plotly.js draw all the points a second time, which doubled the time a
    page takes to show a new panel. The margins must leave room for the axis titles (>= 30 px).
    """
    fig.update_xaxes(title_text=t("figures.axis.dim", n=1), showticklabels=False, zeroline=False, automargin=False)
    fig.update_yaxes(title_text=t("figures.axis.dim", n=2), showticklabels=False, zeroline=False, scaleanchor="x",
                     scaleratio=1, automargin=False)
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
    """Scatter of a 2-D embedding, one trace per class (emb (N, 3): in 3-D, see _class_traces_3d).

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
    if emb.shape[1] == 3:  # a 3-number code (or a 3-D baseline beside one): rotatable
        fig = go.Figure(_class_traces_3d(emb, labels, ids, class_names, sel))
        _scene(fig, emb)
        return _finish(fig, "embedding_3d", title, 420, subtitle=_scores_line(scores or {}))
    fig = go.Figure(_class_traces(emb, labels, ids, class_names, opacity, sel))
    if sel is not None and len(sel):
        fig.add_trace(_highlight_trace(emb, labels, ids, sel))
    _scatter_axes(fig)
    lo, hi = _padded_range(emb)
    # Fixed ranges (not autorange): the same panel with and without thumbnails has the same axes,
    # so the browser restyles it instead of moving every point.
    fig.update_xaxes(range=[lo[0], hi[0]])
    fig.update_yaxes(range=[lo[1], hi[1]])
    return _finish(fig, "embedding", title, 420, subtitle=_scores_line(scores or {}))


def _scores_line(scores: dict) -> str:
    """"trustworthiness 0.930 · kNN accuracy 0.810": names and numbers the current language's way."""
    return " · ".join(f"{_score_name(k)} {i18n.number(float(v), '.3f')}" for k, v in scores.items())


def _score_name(name: str) -> str:
    return t(f"figures.score.{_SCORE_KEYS[name]}") if name in _SCORE_KEYS else str(name)


def _tile(img: np.ndarray, color: str, side: int) -> Image.Image:
    """One digit img (h, w) in [0, 1] as a side x side RGBA tile: class-coloured ink, transparent paper."""
    h, w = img.shape
    rgba = np.zeros((h, w, 4), dtype=np.uint8)  # (h, w, RGBA)
    rgba[..., :3] = px.colors.hex_to_rgb(color)
    rgba[..., 3] = np.round(np.clip(img, 0, 1) * 255).astype(np.uint8)
    # Small digits (8x8) stay crisp blocks; 28x28 ones are smoothed when scaled.
    resample = Image.NEAREST if side >= 3 * max(h, w) else Image.BILINEAR
    return Image.fromarray(rgba, "RGBA").resize((side, side), resample)


def embedding_with_thumbnails(emb: np.ndarray, images: np.ndarray, image_shape: Sequence[int],
                              labels: np.ndarray, *, title: str = "", class_names=None, max_thumbs: int = THUMBNAILS,
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
    fig.update_layout(images=[dict(source=png_uri(canvas), xref="x", yref="y", x=lo[0], y=hi[1],
                                   sizex=span[0], sizey=span[1], xanchor="left", yanchor="top",
                                   sizing="stretch", layer="above")])
    fig.layout.meta = {"aeviz_figure": "embedding_thumbnails", "thumbnails": [int(i) for i in pick]}
    return fig


def _animation_controls(names: list[str]) -> dict:
    """Play/pause buttons and an "epoch" slider over frames called names."""
    # redraw: the title names the epoch, and plotly.js redraws a title only then
    step = dict(mode="immediate", frame=dict(duration=350, redraw=True), transition=dict(duration=250))
    play = dict(label=t("figures.animation.play"), method="animate", args=[None, {**step, "fromcurrent": False}])
    stop = dict(mode="immediate", frame=dict(duration=0), transition=dict(duration=0))
    pause = dict(label=t("figures.animation.pause"), method="animate", args=[[None], stop])
    slider = dict(active=len(names) - 1, currentvalue=dict(prefix=t("figures.animation.epoch") + " "), x=0.22,
                  len=0.78, y=0, yanchor="top", pad=dict(t=45, b=0),
                  steps=[dict(label=n, method="animate", args=[[n], step]) for n in names])
    buttons = dict(type="buttons", direction="left", buttons=[play, pause], x=0.2, xanchor="right", y=0,
                   yanchor="top", pad=dict(t=70, r=10), showactive=False)
    return dict(updatemenus=[buttons], sliders=[slider])


def replay(codes_per_epoch: np.ndarray, labels: np.ndarray, *, class_names=None,
           title: str | None = None, val_loss: Sequence[float] | None = None) -> go.Figure:
    """An animation of the 2-D codes, one frame per epoch (frame "0" = before training), with one
    scrubber (plotly's slider with Play/Pause) and nothing else to move.

    codes_per_epoch (E+1, N, 2); labels (N,); val_loss (E,): the validation loss after each epoch,
    drawn as a curve under the map with the shown epoch marked, and named in the subtitle. The axes
    hold every point of every epoch (padded 5%): no point leaves the frame. The figure first shows
    the last epoch; Play runs from epoch 0. title None: "How the latent space formed".
    """
    codes, labels = np.asarray(codes_per_epoch, dtype=float), np.asarray(labels).astype(int)
    ids = np.arange(codes.shape[1])
    names = [str(e) for e in range(len(codes))]
    loss = None if val_loss is None or len(val_loss) != len(codes) - 1 else np.asarray(val_loss, dtype=float)
    title = t("figures.title.replay") if title is None else title

    def heading(e: int) -> dict:  # the whole title, so that a frame's layout replaces it cleanly
        epoch = (t("figures.replay.epoch_loss", epoch=e, loss=loss[e - 1]) if loss is not None and e > 0
                 else t("figures.replay.epoch", epoch=e))
        return dict(text=title, x=0.02, xanchor="left", font=dict(size=15),
                    subtitle=dict(text=epoch, font=dict(size=12, color="#333")))

    def marker(e: int) -> go.Scatter:  # the shown epoch on the loss curve
        x, y = ([e], [loss[e - 1]]) if loss is not None and e > 0 else ([], [])
        return go.Scatter(x=x, y=y, mode="markers", xaxis="x2", yaxis="y2", showlegend=False, hoverinfo="skip",
                          marker=dict(size=12, symbol="diamond", color="#000", line=dict(width=2, color="#fff")))

    n_classes = len(np.unique(labels))
    moving = list(range(n_classes)) + ([n_classes + 1] if loss is not None else [])
    frames = [go.Frame(name=n, layout=dict(title=heading(e)), traces=moving,
                       data=_class_traces(c, labels, ids, class_names, 0.8, None)
                       + ([marker(e)] if loss is not None else []))
              for e, (n, c) in enumerate(zip(names, codes, strict=True))]
    fig = go.Figure(data=list(frames[-1].data[:n_classes]), frames=frames)
    _scatter_axes(fig)
    lo, hi = _padded_range(codes.reshape(-1, 2))
    fig.update_xaxes(range=[float(lo[0]), float(hi[0])], autorange=False)
    fig.update_yaxes(range=[float(lo[1]), float(hi[1])], autorange=False)
    if loss is not None:
        fig.add_trace(go.Scatter(x=np.arange(1, len(loss) + 1), y=loss, mode="lines", xaxis="x2", yaxis="y2",
                                 name=t("figures.series.validation"), showlegend=False,
                                 line=dict(color="#444", width=2), hovertemplate="%{x}: %{y:.4f}<extra></extra>"))
        fig.add_trace(frames[-1].data[-1])
        fig.update_layout(yaxis=dict(domain=[0.3, 1.0]),
                          xaxis2=dict(domain=[0.0, 1.0], anchor="y2", title_text=t("figures.axis.epoch"),
                                      range=[0.5, len(loss) + 0.5], automargin=False),
                          yaxis2=dict(domain=[0.0, 0.2], anchor="x2", title_text=t("figures.axis.loss"),
                                      type="log", nticks=3, automargin=False))
    fig.update_layout(dragmode="zoom", **_animation_controls(names))
    fig = _finish(fig, "replay", title, 640 if loss is not None else 520)
    fig.update_layout(title=heading(len(codes) - 1),
                      margin=dict(t=72, b=110, l=80 if loss is not None else MARGIN["l"]))
    return fig
