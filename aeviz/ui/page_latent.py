"""Home page: the autoencoder's 2-D code beside PCA and UMAP of the same held-out digits."""
from __future__ import annotations

import html
import time

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from aeviz import analysis, cost, failures, figures, i18n, jobs, projections
from aeviz.config import KINDS
from aeviz.i18n import t
from aeviz.ui import baselines, charts, denoising, downloads, inverse, linked, pad, progress, session, share, sidebar
from aeviz.ui.shown import ShownModel, shown_model

GALLERY_MAX = 20  # the most selected digits the gallery draws


def main() -> None:
    header_section()
    baselines.warm_up()
    shown = shown_model()
    if shown is None:
        return
    show_tsne, thumbs = controls_section(shown)
    colour_key_section(shown)
    drawn, complete = panels_section(shown, show_tsne, thumbs)
    if linked.ensure_plotly_js():
        pad.section(shown)
    pinned_section(shown, thumbs)
    if complete:  # every panel is drawn: the CPU is free for the views the user may open next
        prefetch(shown, drawn, thumbs)
    gallery_section(shown)
    share.section(shown)
    downloads.section(shown)


def header_section() -> None:
    st.header(t("latent.header"))
    kinds = [t("latent.kind_item", label=sidebar.kind_label(name), about=sidebar.kind_about(name)) for name in KINDS]
    with st.expander(t("common.about")):
        st.markdown("\n\n".join([t("latent.about"), "\n".join([t("latent.kinds_heading"), *kinds])]))


def controls_section(shown: ShownModel) -> tuple[bool, bool]:
    """The toggles (t-SNE too, digit thumbnails) beside the held-out error. Returns them."""
    c1, c2, c3 = st.columns([2, 2, 3])
    show_tsne = c1.toggle(t("latent.add_tsne"), help=t("latent.add_tsne_help", max=analysis.TSNE_MAX))
    flat = shown.view.emb.shape[1] == 2  # thumbnails lie on a plane
    why = t("latent.thumbnails_help", n=figures.THUMBNAILS) if flat else t("latent.thumbnails_3d")
    thumbs = c2.toggle(t("latent.thumbnails"), help=why, disabled=not flat) and flat
    c3.metric(t("latent.error"), t("latent.error_value", error=shown.view.error), help=t("latent.error_help"))
    return show_tsne, thumbs


def colour_key_section(shown: ShownModel) -> None:
    """One colour key above the panels (their colours are shared), each class with its own shape;
    3-D panels have fewer shapes, and the key says which classes share one."""
    in_3d = shown.view.emb.shape[1] == 3
    glyph = figures.class_glyph_3d if in_3d else figures.class_glyph
    key_html = " ".join(
        f'<span style="white-space:nowrap;margin-right:0.9em"><span aria-hidden="true" style="color:'
        f'{figures.class_text_color(c)};font-size:1.2em">{glyph(c)}</span> {html.escape(str(n))}</span>'
        for c, n in enumerate(shown.ds.class_names))  # names may be uploaded
    st.markdown(f'<div style="font-size:0.9em">{key_html}</div>', unsafe_allow_html=True)
    if in_3d and (shared := figures.shared_shapes_3d(len(shown.ds.class_names))):
        names = shown.ds.class_names
        st.caption(t("latent.shapes_3d", n=len(figures.SYMBOLS_3D_UNIQUE),
                     pairs=", ".join(f"{names[a]} & {names[b]}" for a, b in shared)))


def _on_select(panel_key: str, ds_name: str) -> None:
    """Streamlit's chart element (the fallback): the selection event's points carry the ids."""
    event = st.session_state.get(panel_key)
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    ids = sorted({int(p["customdata"][0] if isinstance(p["customdata"], list) else p["customdata"])
                  for p in points if p.get("customdata") is not None})
    session.select(ds_name, ids)


def _on_linked_select(panel_key: str, ds_name: str) -> None:
    ids = linked.selection(panel_key)
    if ids is not None:
        session.select(ds_name, ids)


@st.cache_resource(max_entries=48, show_spinner=False)
def _panel_figure(token: tuple, digits: tuple, title: str, thumbs: bool, selected: tuple, lang: str, _emb: np.ndarray,
                  _shown: ShownModel) -> go.Figure:
    """One panel's figure, built once per (data and model behind it, title, thumbnails, selection).
    The cache key is everything read: `token` names what made _emb, `digits` (data set name and
    split seed) the viewed digits of _shown (their images, labels, ids, class names; token[0], the
    method, which of them the panel draws), `lang` the
    language of the figure's words (built in it, whichever thread builds: the prefetch's and the
    download's speak the default language otherwise).

    Building a plotly figure is mostly validation in Python (~0.1 s for a panel); re-runs that
    change nothing in a panel (another panel's bottleneck, a toggle elsewhere) reuse it. The cached
    figure is shared between sessions and never modified after this function returns.
    """
    return i18n.speaking(lang, _build_panel, title, thumbs, selected, _emb, _shown, token[0])


def _build_panel(title: str, thumbs: bool, selected: tuple, emb: np.ndarray, shown: ShownModel,
                 method: str) -> go.Figure:
    view, names = shown.view, list(shown.ds.class_names)
    rows = drawn_rows(shown, method)  # emb's digits: the view's, or t-SNE's sample of them
    if thumbs:
        fig = figures.embedding_with_thumbnails(emb, view.x[rows], shown.ds.image_shape, view.labels[rows],
                                                title=title, class_names=names, ids=view.ids[rows])
    else:
        pos = np.flatnonzero(np.isin(view.ids[rows], selected)) if selected else None
        fig = figures.embedding(emb, view.labels[rows], title=title, class_names=names, selected=pos,
                                ids=view.ids[rows])
    # One colour key above the panels replaces a legend in each (the colours are shared).
    return fig.update_layout(showlegend=False, height=440, margin=dict(l=30, r=10, b=35))  # room for axis titles


def drawn_rows(shown: ShownModel, method: str) -> np.ndarray | slice:
    """The positions in shown's view of the digits `method`'s panel draws (a slice: all of them)."""
    if analysis.sampling(len(shown.view.ids), method).drawn == len(shown.view.ids):
        return slice(None)
    return np.searchsorted(shown.view.ids, analysis.drawn_ids(shown.ds, method))


@st.cache_resource(max_entries=48, show_spinner=False)
def _panel_json(token: tuple, digits: tuple, title: str, thumbs: bool, lang: str, _emb: np.ndarray,
                _shown: ShownModel) -> tuple[str, str]:
    """The panel's figure without a selection, for the linked panel (which draws selections
    itself), as plotly JSON: (figure without its template, template)."""
    # The data arrays depend on the token only: with an unchanged datarevision, Plotly.react in the
    # browser diffs the attributes alone (the thumbnails toggle: an opacity and an image).
    return linked.split_figure(_panel_figure(token, digits, title, thumbs, (), lang, _emb, _shown),
                               datarevision=linked.figure_key(token))


def _panel(col, shown: ShownModel, emb: np.ndarray, title: str, key: str, scores: dict, token: tuple,
           thumbs: bool, way_back: dict | None = None, place: tuple = (None, None)) -> tuple:
    """One panel with its scores; token: hashable, identifies emb (which model or baseline made it,
    from which data); way_back: its inverse for decoding under the pointer (inverse.for_model,
    for_pca), or None; place: (the URL of the net that carries a drawn digit to its axes, or None;
    where the server marks the session's own digit, or None). Returns (token, title, emb), what the
    prefetch needs to build it again."""
    ds_name, digits, lang = shown.ds.name, shown.digits, i18n.current()  # its words are cached per language
    sel = tuple(session.selection(ds_name))
    drawn_sel = () if thumbs else sel  # thumbnails draw no selection
    if linked.ensure_plotly_js():
        name = "embedding_thumbnails" if thumbs else "embedding"
        linked.panel(col, *_panel_json(token, digits, title, thumbs, lang, emb, shown),
                     linked.figure_key(token, title, thumbs, lang), key=key, group=ds_name, selected=list(sel),
                     linked=not thumbs,
                     # the toolbar's PNG is named after the panel, the same with or without thumbnails
                     config=charts.plotly_config(key), on_select=lambda: _on_linked_select(key, ds_name),
                     inverse=None if thumbs else way_back, on_pin=inverse.on_pin(key, token), place=place[0],
                     marker=place[1], lasso3d={"label": t("latent.lasso_3d"), "help": t("latent.lasso_3d_help")})
        charts.text_alternative(col, _panel_figure(token, digits, title, thumbs, (), lang, emb, shown))
        charts.export_menu(col, lambda: _panel_figure(token, digits, title, thumbs, drawn_sel, lang, emb, shown),
                           name, key)
    else:
        fig = _panel_figure(token, digits, title, thumbs, drawn_sel, lang, emb, shown)
        charts.chart(container=col, fig=fig, key=key, on_select=lambda: _on_select(key, ds_name),
                     selection_mode=("box", "lasso"))
    col.caption(t("latent.panel_scores", trust=scores["trustworthiness"], knn=scores["knn_accuracy"],
                  sil=scores["silhouette"]))
    if not (counts := analysis.sampling(len(shown.view.ids), token[0])).complete:  # never sampled in silence
        col.caption(t("latent.sample_scored" if counts.drawn == counts.total else "latent.sample_drawn",
                      total=counts.total, drawn=counts.drawn, scored=counts.scored))
    return token, title, emb


def panels_section(shown: ShownModel, show_tsne: bool, thumbs: bool) -> tuple[list, bool]:
    """The autoencoder's panel, then PCA's, UMAP's (and t-SNE's) as each is ready. Returns
    (token, title, emb) of each panel drawn, and whether every one is."""
    view, k = shown.view, shown.view.codes.shape[1]
    methods = ["pca", "umap"] + (["tsne"] if show_tsne else [])
    cols = st.columns(1 + len(methods))
    ae_title = t("latent.ae_title_pca" if k > 3 else "latent.ae_title", k=k)
    token = ("ae", *shown.key)
    way_back = inverse.for_model(token, shown.result.model, shown.ds.image_shape, "panel_ae") if k == 2 else None
    drawn = [_panel(cols[0], shown, view.emb, ae_title, "panel_ae", view.scores, token, thumbs, way_back,
                    pad.ae_place(shown))]
    if shown.cfg.model.kind == "parametric-umap":  # what a parametric map is for, measured here
        from aeviz.nets import infer

        t0 = time.perf_counter()
        infer.encode(shown.result.model, view.x)
        cols[0].caption(t("latent.parametric_speed", n=len(view.x), ms=1000 * (time.perf_counter() - t0)))
    for col, method in zip(cols[1:], methods):
        if (panel := _baseline(col, shown, method, thumbs)) is not None:
            drawn.append(panel)
    return drawn, len(drawn) == 1 + len(methods)


def pinned_section(shown: ShownModel, thumbs: bool) -> None:
    """The digits at the points pinned in the panels that have a way back to pixels, side by side,
    each drawn by that map's own inverse on the server."""
    if thumbs or shown.view.codes.shape[1] != 2 or not linked.ensure_plotly_js():
        return
    from aeviz.nets import infer

    ds, digits = shown.ds, shown.digits
    rows = []
    if (z := inverse.pinned_point("panel_ae", ("ae", *shown.key))) is not None:
        rows.append((t("latent.ae_title", k=2), z, lambda c: infer.decode(shown.result.model, c)))
    if (z := inverse.pinned_point("panel_pca", ("pca", *digits))) is not None:
        rows.append(("PCA", z, baselines.pca_fit(ds, digits).inverse_transform))
    inverse.pinned_section(rows, ds.image_shape, "pinned_latent")


@st.cache_resource(max_entries=16)
def _baseline_scores(token: tuple, _emb: np.ndarray, _x: np.ndarray, _y: np.ndarray, _rows=slice(None)) -> dict:
    """The panel scores of a baseline's points _emb, which `token` names (method, digits, run), of
    the digits _x[_rows] (labels _y[_rows]): indexed here, once, not on every rerun."""
    return analysis.scores(_x[_rows], _emb, _y[_rows])


def _baseline(col, shown: ShownModel, method: str, thumbs: bool) -> tuple | None:
    """A baseline's panel (see _panel), or where its background job stands (None: not drawn)."""
    ds, view, digits = shown.ds, shown.view, shown.digits
    proj = baselines.dims(view.codes.shape[1])
    if method == "pca":  # fast: computed here
        n = proj.n_components
        emb, pca = baselines.pca_projection(ds, digits, n), baselines.pca_fit(ds, digits, n)
        token = ("pca", *digits) if n == 2 else ("pca", *digits, n)  # the 2-D one is the pins' and the pad's too
        way_back = inverse.for_pca(token, pca, ds.image_shape, "panel_pca") if n == 2 else None
        return _panel(col, shown, emb, "PCA", "panel_pca", _baseline_scores(token, emb, view.x, view.labels),
                      token, thumbs, way_back, pad.pca_place(shown, token, pca))
    title = projections.title(method)
    try:
        job = baselines.projection_job(method, ds, digits, proj)
    except jobs.OverBudget as exc:  # refused before it started: said where its panel would be
        col.warning(t("latent.method_refused", method=title, why=failures.message(exc)))
        return None
    if job.status == "failed":
        with col:
            progress.failure(t("latent.method_failed", method=title), job,
                             lambda: baselines.projection_job(method, ds, digits, proj, restart=True),
                             f"retry_{method}")
    elif not job.finished_ok:
        with col:
            _poll(method, title, ds, digits, proj)
    else:
        token = (method, *digits, proj.n_components, job.finished)
        marker = pad.umap_marker(shown, job.result) if method == "umap" else None
        rows = drawn_rows(shown, method)
        drawn = _panel(col, shown, job.result, title, f"panel_{method}",
                       _baseline_scores(token, job.result, view.x, view.labels, rows), token, thumbs,
                       place=(None, marker))
        if method == "umap":
            pad.umap_status(col, shown, job.result)
        return drawn
    return None


@st.fragment(run_every=1.0)
def _poll(method: str, title: str, ds, digits: tuple, proj) -> None:
    job = baselines.projection_job(method, ds, digits, proj)
    if job.finished_ok or job.status == "failed":
        st.rerun(scope="app")
    doing = t("latent.queued") if job.status == "queued" else t("latent.running")
    spent, total = progress.wait_seconds(job), cost.projection_seconds(
        method, analysis.sampling(min(len(ds.x_test), analysis.VIEW_SIZE), method).drawn)
    st.progress(0.05 if job.status == "queued" else min(0.95, 0.05 + spent / max(total, 1)),
                text=t("latent.pending_estimate", method=title, doing=doing, seconds=spent, about=cost.about(total)))
    st.caption(t("latent.pending_caption"))


def prefetch(shown: ShownModel, drawn: list, thumbs: bool) -> None:
    """What the user may open next, computed ahead in the background: the Denoising page at its
    opening noise, and these panels with digit thumbnails."""
    denoising.prefetch(shown)
    if not thumbs and linked.ensure_plotly_js():
        for token, title, emb in drawn:
            jobs.prefetch(_panel_json, token, shown.digits, title, True, i18n.current(), emb, shown)


def gallery_section(shown: ShownModel) -> None:
    """The digits selected in the panels beside their reconstructions (the first GALLERY_MAX)."""
    view, ds = shown.view, shown.ds
    sel = session.selection(ds.name)
    st.subheader(t("latent.selected_header"))
    if not sel:
        st.caption(t("latent.select_hint_3d" if view.emb.shape[1] == 3 else "latent.select_hint"))
        return
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


main()
