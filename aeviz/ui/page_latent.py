"""Home page: the autoencoder's 2-D code beside PCA and UMAP of the same held-out digits."""
from __future__ import annotations

import html
import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.io.json import to_json_plotly

from aeviz import analysis, figures, i18n, projections, report, tables, weights
from aeviz.config import KINDS
from aeviz.i18n import t
from aeviz.ui import charts, common, linked, session, sidebar, views

st.header(t("latent.header"))
common.about("\n\n".join([
    t("latent.about"),
    "\n".join([t("latent.kinds_heading")] + [t("latent.kind_item", label=sidebar.kind_label(name),
                                                about=sidebar.kind_about(name)) for name in KINDS])]))

common.warm_up()
act = common.shown_model()
if act is None:
    st.stop()

view, ds = act.view, act.ds
DIGITS = (ds.name, act.cfg.data.seed)  # which digits the view holds: every panel's cache key has it
names = list(ds.class_names)
k = view.codes.shape[1]
c1, c2, c3 = st.columns([2, 2, 3])
show_tsne = c1.toggle(t("latent.add_tsne"), help=t("latent.add_tsne_help"))
thumbs = c2.toggle(t("latent.thumbnails"), help=t("latent.thumbnails_help"))
c3.metric(t("latent.error"), t("latent.error_value", error=view.error), help=t("latent.error_help"))
LANG = i18n.current()  # the panels' words (axis titles, hover texts) are cached per language



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
def _panel_figure(token: tuple, digits: tuple, title: str, thumbs: bool, selected: tuple, lang: str, _emb: np.ndarray,
                  _view: analysis.LatentView, _ds) -> go.Figure:
    """One panel's figure, built once per (data and model behind it, title, thumbnails, selection).
    The cache key is everything read: `token` names what made _emb, `digits` (data set name and
    split seed) the viewed digits _view and the data set _ds (their images, labels, ids, names),
    `lang` the language of the figure's words (built in it, whichever thread builds: the prefetch's
    and the download's speak the default language otherwise).

    Building a plotly figure is mostly validation in Python (~0.1 s for a panel); re-runs that
    change nothing in a panel (another panel's bottleneck, a toggle elsewhere) reuse it. The cached
    figure is shared between sessions and never modified after this function returns.
    """
    return i18n.speaking(lang, _build_panel, title, thumbs, selected, _emb, _view, _ds)


def _build_panel(title: str, thumbs: bool, selected: tuple, _emb: np.ndarray, _view: analysis.LatentView,
                 _ds) -> go.Figure:
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
def _panel_json(token: tuple, digits: tuple, title: str, thumbs: bool, lang: str, _emb: np.ndarray,
                _view: analysis.LatentView, _ds) -> tuple[str, str]:
    """The panel's figure without a selection, for the linked panel (which draws selections
    itself), as plotly JSON: (figure without its template, template)."""
    spec = _panel_figure(token, digits, title, thumbs, (), lang, _emb, _view, _ds).to_dict()  # arrays as base64
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
        linked.panel(col, *_panel_json(token, DIGITS, title, thumbs, LANG, emb, view, ds),
                     linked.figure_key(token, title, thumbs, LANG), key=key, group=ds.name, selected=list(sel),
                     linked=not thumbs,
                     # the toolbar's PNG is named after the panel, the same with or without thumbnails
                     config=charts.plotly_config(key), on_select=lambda: _on_linked_select(key))
        charts.text_alternative(col, _panel_figure(token, DIGITS, title, thumbs, (), LANG, emb, view, ds))
        charts.export_menu(col, lambda: _panel_figure(token, DIGITS, title, thumbs, shown, LANG, emb, view, ds),
                           name, key)
    else:
        fig = _panel_figure(token, DIGITS, title, thumbs, shown, LANG, emb, view, ds)
        charts.chart(container=col, fig=fig, key=key, on_select=lambda: _on_select(key),
                     selection_mode=("box", "lasso"))
    col.caption(t("latent.panel_scores", trust=scores["trustworthiness"], knn=scores["knn_accuracy"],
                  sil=scores["silhouette"]))


key_html = " ".join(
    f'<span style="white-space:nowrap;margin-right:0.9em"><span aria-hidden="true" style="color:'
    f'{figures.class_text_color(c)};font-size:1.2em">{figures.class_glyph(c)}</span> {html.escape(str(n))}</span>'
    for c, n in enumerate(names))  # names may be uploaded; each class's own shape, as in the panels
st.markdown(f'<div style="font-size:0.9em">{key_html}</div>', unsafe_allow_html=True)

ae_title = t("latent.ae_title_pca" if k > 2 else "latent.ae_title", k=k)
methods = ["pca", "umap"] + (["tsne"] if show_tsne else [])
cols = st.columns(1 + len(methods))
_panel(cols[0], view.emb, ae_title, "panel_ae", view.scores, ("ae", act.cfg, act.task.finished))
if act.cfg.model.kind == "parametric-umap":  # what a parametric map is for, measured here
    from aeviz.nets import infer

    t0 = time.perf_counter()
    infer.encode(act.result.model, view.x)
    cols[0].caption(t("latent.parametric_speed", n=len(view.x), ms=1000 * (time.perf_counter() - t0)))


@st.cache_resource(max_entries=16)
def _baseline_scores(method: str, ds_name: str, _emb: np.ndarray, _x, _y) -> dict:
    return analysis.scores(_x, _emb, _y)


def _baseline(col, method: str) -> None:
    if method == "pca":  # fast: computed here
        emb = common.pca_projection(DIGITS)
        scores = _baseline_scores("pca", ds.name, emb, view.x, view.labels)
        _panel(col, emb, "PCA", "panel_pca", scores, ("pca", ds.name, act.cfg.data.seed))
        return
    task = common.projection_task(method, DIGITS)
    title = projections.title(method)
    if task.status == "failed":
        with col:
            common.failure(t("latent.method_failed", method=title), task,
                           lambda: common.projection_task(method, DIGITS, restart=True), f"retry_{method}")
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
    task = common.projection_task(method, DIGITS)
    if task.finished_ok or task.status == "failed":
        st.rerun(scope="app")
    doing = t("latent.queued") if task.status == "queued" else t("latent.running")
    st.progress(0.1 if task.status == "queued" else 0.5,
                text=t("latent.pending", method=title, doing=doing, seconds=common.wait_seconds(task)))
    st.caption(t("latent.pending_caption"))


for col, m in zip(cols[1:], methods):
    _baseline(col, m)
if all(m == "pca" or common.finished_projection(m, DIGITS) is not None for m in methods):
    # Every panel is drawn: the CPU is free for the views the user may open next.
    views.prefetch_pages(act)
    if not thumbs and linked.ensure_plotly_js():  # the same panels with digit thumbnails
        for token, title, emb in drawn:
            views.prefetch(_panel_json, token, DIGITS, title, True, LANG, emb, view, ds)

sel = session.selection(ds.name)
GALLERY_MAX = 20  # the most selected digits the gallery draws
st.subheader(t("latent.selected_header"))
if not sel:
    st.caption(t("latent.select_hint"))
else:
    pos = np.searchsorted(view.ids, sel)[:GALLERY_MAX]
    st.caption(t("latent.selected_count_capped", n=len(sel), shown=GALLERY_MAX) if len(sel) > GALLERY_MAX
               else t("latent.selected_count", n=len(sel)))
    fig = figures.image_grid(np.concatenate([view.x[pos], view.recon[pos]]), ds.image_shape,
                             ncols=len(pos), row_labels=[t("latent.row_digit"), t("latent.row_reconstruction")],
                             title=t("latent.gallery_title"))
    charts.chart(fig=fig, key="gallery")
    if st.button(t("latent.clear_selection")):
        session.select(ds.name, [])
        st.rerun()

st.subheader(t("latent.export_header"))
st.caption(t("latent.export_caption"))


def _baselines() -> dict:
    out = {"pca": common.pca_projection(DIGITS)}
    for m in ("umap", "tsne"):
        emb = common.finished_projection(m, DIGITS)
        if emb is not None:
            out[m] = emb
    return out


def _report_zip() -> bytes:
    return report.zip_bytes(report.build(act.cfg, act.result, view, ds, _baselines()))


DOWNLOADS = [  # (label, key, make the bytes, file name, MIME type, icon)
    (t("latent.dl_codes"), "dl_codes", lambda: report.latent_csv(view, ds, _baselines()), "codes.csv", "text/csv",
     ":material/table:"),
    (t("latent.dl_metrics"), "dl_metrics",
     lambda: tables.metrics_json(report.all_metrics(act.cfg, act.result, view, ds, _baselines())),
     "metrics.json", "application/json", ":material/data_object:"),
    (t("latent.dl_weights"), "dl_weights", lambda: weights.model_bytes(act.result.model), "model.safetensors",
     "application/octet-stream", ":material/memory:"),
    (t("latent.dl_config"), "dl_config", lambda: weights.config_json(act.cfg, ds.image_shape), "model.json",
     "application/json", ":material/settings:"),
    (t("latent.dl_report"), "dl_report", _report_zip, "aeviz-report.zip", "application/zip", ":material/folder_zip:"),
]
for col, (label, key, make, file_name, mime, icon) in zip(st.columns(len(DOWNLOADS)), DOWNLOADS):
    report_button = key == "dl_report"
    col.download_button(label, charts.deferred(make, key), file_name, mime, key=key, on_click="ignore", icon=icon,
                        width="stretch", type="primary" if report_button else "secondary",
                        help=t("latent.dl_report_help") if report_button else None)
charts.export_failures(st, [d[1] for d in DOWNLOADS])
