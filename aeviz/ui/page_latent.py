"""Home page: the autoencoder's 2-D code beside PCA and UMAP of the same held-out digits."""
from __future__ import annotations

import html
import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.io.json import to_json_plotly

from aeviz import analysis, export, figures, projections, report, weights
from aeviz.config import KINDS
from aeviz.ui import common, linked, session, sidebar, views

st.header("Latent space")
common.about(
    "Each dot is a held-out digit, coloured by its true class. **Left**: the autoencoder's code "
    "(with a bottleneck wider than 2, its PCA). **Middle**: PCA, a linear projection. **Right**: "
    "UMAP, a non-linear neighbour embedding that never reconstructs anything. Under each panel: "
    "*trustworthiness* (are the 2-D neighbours true neighbours? 1 is perfect), *kNN accuracy* "
    "(how well a 5-nearest-neighbour vote recovers the class) and *silhouette* (how separated the "
    "classes are). Look for the autoencoder separating classes that PCA blurs together: a "
    "non-linear bottleneck can learn a better low-dimensional map than PCA. Drag a box or lasso "
    "in any panel to pick digits; they light up in every panel and appear below with their "
    "reconstructions.\n\nThe kinds of autoencoder (sidebar):\n"
    + "\n".join(f"- **{sidebar.KIND_LABELS[name]}**: {text}" for name, text in KINDS.items()))

common.warm_up()
act = common.shown_model()
if act is None:
    st.stop()

view, ds = act.view, act.ds
DIGITS = (ds.name, act.cfg.data.seed)  # which digits the view holds: every panel's cache key has it
names = list(ds.class_names)
k = view.codes.shape[1]
c1, c2, c3 = st.columns([2, 2, 3])
show_tsne = c1.toggle("Add t-SNE", help="A fourth panel; t-SNE takes a few seconds more.")
thumbs = c2.toggle("Digit thumbnails", help="Draw some of the digits at their positions.")
c3.metric("Held-out reconstruction error (per-pixel MSE)", f"{view.error:.4f}",
          help="Mean squared error per pixel on the held-out digits shown here.")



def _on_select(panel_key: str) -> None:
    """Streamlit's chart element (the fallback): the selection event's points carry the ids."""
    event = st.session_state.get(panel_key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    ids = sorted({int(p["customdata"][0] if isinstance(p["customdata"], list) else p["customdata"])
                  for p in points if p.get("customdata") is not None})
    session.select(ds.name, ids)


def _on_linked_select(panel_key: str) -> None:
    ids = linked.selection(panel_key)
    if ids is not None:
        session.select(ds.name, ids)


@st.cache_resource(max_entries=48, show_spinner=False)
def _panel_figure(token: tuple, digits: tuple, title: str, thumbs: bool, selected: tuple, _emb: np.ndarray,
                  _view: analysis.LatentView, _ds) -> go.Figure:
    """One panel's figure, built once per (data and model behind it, title, thumbnails, selection).
    The cache key is everything read: `token` names what made _emb, `digits` (data set name and
    split seed) the viewed digits _view and the data set _ds (their images, labels, ids, names).

    Building a plotly figure is mostly validation in Python (~0.1 s for a panel); re-runs that
    change nothing in a panel (another panel's bottleneck, a toggle elsewhere) reuse it. The cached
    figure is shared between sessions and never modified after this function returns.
    """
    names = list(_ds.class_names)
    if thumbs:
        fig = figures.embedding_with_thumbnails(_emb, _view.x, _ds.image_shape, _view.labels, title=title,
                                                class_names=names)
    else:
        pos = np.searchsorted(_view.ids, selected) if selected else None
        fig = figures.embedding(_emb, _view.labels, title=title, class_names=names, selected=pos, ids=_view.ids)
    # One colour key above the panels replaces a legend in each (the colours are shared).
    return fig.update_layout(showlegend=False, height=440, margin=dict(l=30, r=10, b=35))  # room for axis titles


@st.cache_resource(max_entries=48, show_spinner=False)
def _panel_json(token: tuple, digits: tuple, title: str, thumbs: bool, _emb: np.ndarray,
                _view: analysis.LatentView, _ds) -> tuple[str, str]:
    """The panel's figure without a selection, for the linked panel (which draws selections
    itself), as plotly JSON: (figure without its template, template)."""
    spec = _panel_figure(token, digits, title, thumbs, (), _emb, _view, _ds).to_dict()  # arrays as base64
    layout = linked.streamlit_look(spec["layout"])
    template = layout.pop("template", {})
    layout.pop("meta", None)  # the figure's name and thumbnail list, for exports; a change redraws all
    # The data arrays depend on the token only: with an unchanged datarevision, Plotly.react in the
    # browser diffs the attributes alone (the thumbnails toggle: an opacity and an image).
    layout["datarevision"] = linked.figure_key(token)
    return to_json_plotly({"data": spec["data"], "layout": layout}), to_json_plotly(template)


drawn = []  # (token, title, emb) of each panel drawn in this run


def _panel(col, emb: np.ndarray, title: str, key: str, scores: dict, token: tuple) -> None:
    """token: hashable, identifies emb (which model or baseline made it, from which data)."""
    drawn.append((token, title, emb))
    sel = tuple(session.selection(ds.name))
    shown = () if thumbs else sel  # thumbnails draw no selection
    if linked.ensure_plotly_js():
        name = "embedding_thumbnails" if thumbs else "embedding"
        linked.panel(col, *_panel_json(token, DIGITS, title, thumbs, emb, view, ds),
                     linked.figure_key(token, title, thumbs), key=key, group=ds.name, selected=list(sel),
                     linked=not thumbs,
                     # the toolbar's PNG is named after the panel, the same with or without thumbnails
                     config=common.plotly_config(key), on_select=lambda: _on_linked_select(key))
        common.export_menu(col, lambda: _panel_figure(token, DIGITS, title, thumbs, shown, emb, view, ds), name, key)
    else:
        fig = _panel_figure(token, DIGITS, title, thumbs, shown, emb, view, ds)
        common.chart(container=col, fig=fig, key=key, on_select=lambda: _on_select(key),
                     selection_mode=("box", "lasso"))
    col.caption(" · ".join(f"{n} **{v:.3f}**" for n, v in analysis.display_scores(scores).items()))


key_html = " ".join(
    f'<span style="white-space:nowrap;margin-right:0.9em"><span style="color:{figures.class_color(c)};'
    f'font-size:1.2em">●</span> {html.escape(str(n))}</span>' for c, n in enumerate(names))  # names may be uploaded
st.markdown(f'<div style="font-size:0.9em">{key_html}</div>', unsafe_allow_html=True)

ae_title = f"Autoencoder ({k}-D code" + (", PCA of it)" if k > 2 else ")")
methods = ["pca", "umap"] + (["tsne"] if show_tsne else [])
cols = st.columns(1 + len(methods))
_panel(cols[0], view.emb, ae_title, "panel_ae", view.scores, ("ae", act.cfg, act.task.finished))
if act.cfg.model.kind == "parametric-umap":  # what a parametric map is for, measured here
    from aeviz import train

    t0 = time.perf_counter()
    train.encode(act.result.model, view.x)
    cols[0].caption(f"None of these {len(view.x):,} held-out digits was seen in training: the encoder placed them "
                    f"all in {1000 * (time.perf_counter() - t0):.0f} ms, one forward pass, where umap-learn must "
                    "search for each new digit's neighbours and optimise its position.")


@st.cache_resource(max_entries=16)
def _baseline_scores(method: str, ds_name: str, _emb: np.ndarray, _x, _y) -> dict:
    return analysis.scores(_x, _emb, _y)


def _baseline(col, method: str) -> None:
    if method == "pca":  # fast: computed here
        emb = common.pca_projection(ds.name)
        scores = _baseline_scores("pca", ds.name, emb, view.x, view.labels)
        _panel(col, emb, "PCA", "panel_pca", scores, ("pca", ds.name, act.cfg.data.seed))
        return
    task = common.projection_task(method, ds.name)
    title = projections.TITLES[method]
    if task.status == "failed":
        with col:
            common.failure(f"{title} failed", task, lambda: common.projection_task(method, ds.name, restart=True),
                           f"retry_{method}")
    elif not task.finished_ok:
        _pending(col, method, title)
    else:
        scores = _baseline_scores(method, ds.name, task.result, view.x, view.labels)
        _panel(col, task.result, title, f"panel_{method}", scores, (method, ds.name, act.cfg.data.seed, task.finished))


def _pending(col, method: str, title: str) -> None:
    with col:
        _poll(method, title)


@st.fragment(run_every=1.0)
def _poll(method: str, title: str) -> None:
    task = common.projection_task(method, ds.name)
    if task.finished_ok or task.status == "failed":
        st.rerun(scope="app")
    doing = ("waiting for a free worker" if task.status == "queued"
             else "running (a fresh server's first UMAP compiles for about 10 s)")
    st.progress(0.1 if task.status == "queued" else 0.5, text=f"{title}: {doing} ({common.wait_seconds(task):.0f} s)")
    st.caption("The autoencoder and PCA panels stay usable meanwhile.")


for col, m in zip(cols[1:], methods):
    _baseline(col, m)
if all(m == "pca" or common.finished_projection(m, ds.name) is not None for m in methods):
    # Every panel is drawn: the CPU is free for the views the user may open next.
    views.prefetch_pages(act)
    if not thumbs and linked.ensure_plotly_js():  # the same panels with digit thumbnails
        for token, title, emb in drawn:
            views.prefetch(_panel_json, token, DIGITS, title, True, emb, view, ds)

sel = session.selection(ds.name)
st.subheader("Selected digits")
if not sel:
    st.caption("Drag a box or lasso in any panel to select digits.")
else:
    pos = np.searchsorted(view.ids, sel)[:20]
    st.caption(f"{len(sel)} selected" + (" (showing the first 20)" if len(sel) > 20 else ""))
    fig = figures.image_grid(np.concatenate([view.x[pos], view.recon[pos]]), ds.image_shape,
                             ncols=len(pos), row_labels=["digit", "reconstruction"],
                             title="Selected digits and their reconstructions")
    common.chart(fig=fig, key="gallery")
    if st.button("Clear selection"):
        session.select(ds.name, [])
        st.rerun()

st.subheader("Export")
st.caption("The 2-D coordinates of every panel and the codes as CSV (one row per held-out digit), all the "
           "numbers as JSON, the trained weights (safetensors, with their configuration as JSON: load the "
           "pair back in the sidebar or with `aeviz.weights.load_model`), or everything at once as a zip.")


def _baselines() -> dict:
    out = {"pca": common.pca_projection(ds.name)}
    for m in ("umap", "tsne"):
        emb = common.finished_projection(m, ds.name)
        if emb is not None:
            out[m] = emb
    return out


def _report_zip() -> bytes:
    return export.report_zip(report.build(act.cfg, act.result, view, ds, _baselines()))


DOWNLOADS = [  # (label, key, make the bytes, file name, MIME type, icon)
    ("Codes CSV", "dl_codes", lambda: report.latent_csv(view, ds, _baselines()), "codes.csv", "text/csv",
     ":material/table:"),
    ("Metrics JSON", "dl_metrics",
     lambda: export.metrics_json(report.all_metrics(act.cfg, act.result, view, ds, _baselines())),
     "metrics.json", "application/json", ":material/data_object:"),
    ("Weights", "dl_weights", lambda: weights.model_bytes(act.result.model), "model.safetensors",
     "application/octet-stream", ":material/memory:"),
    ("Model config", "dl_config", lambda: weights.config_json(act.cfg, ds.image_shape), "model.json",
     "application/json", ":material/settings:"),
    ("Download report", "dl_report", _report_zip, "aeviz-report.zip", "application/zip", ":material/folder_zip:"),
]
for col, (label, key, make, file_name, mime, icon) in zip(st.columns(len(DOWNLOADS)), DOWNLOADS):
    report_button = key == "dl_report"
    col.download_button(label, common.deferred(make, key), file_name, mime, key=key, on_click="ignore", icon=icon,
                        width="stretch", type="primary" if report_button else "secondary",
                        help="config, metrics, every figure (HTML and PNG), codes CSV and weights, with a "
                             "README.txt" if report_button else None)
common.export_failures(st, [d[1] for d in DOWNLOADS])
