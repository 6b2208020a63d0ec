"""Decoder: walk the 2-D latent plane and see what each point decodes to, under the pointer."""
from __future__ import annotations

import numpy as np
import streamlit as st

from aeviz import failures, figures, i18n, jobs
from aeviz.i18n import t
from aeviz.nets import infer
from aeviz.ui import charts, denoising, inverse, linked, progress, session
from aeviz.ui.shown import ShownModel, shown_model


def main() -> None:
    header_section()
    shown = shown_model()
    if shown is None:
        return
    if shown.view.codes.shape[1] != 2:
        st.info(t("decoder.needs_2d", k=shown.view.codes.shape[1]))
        return
    grid_section(shown)
    walk_section(shown)


def header_section() -> None:
    st.header(t("decoder.header"))
    with st.expander(t("common.about")):
        st.markdown(t("decoder.about"))


def _grid_axes(shown: ShownModel, n: int):
    """The grid's corners (lo, hi) (2,) and its n x- and y-values (rows from the top)."""
    if shown.cfg.model.kind == "variational":  # the prior's quantiles: each cell as likely under N(0, I)
        from scipy.stats import norm

        q = norm.ppf(np.linspace(0.05, 0.95, n))
        st.caption(t("decoder.prior_grid"))
        return np.array([q[0], q[0]]), np.array([q[-1], q[-1]]), q, q[::-1]
    codes = shown.view.codes  # the region where the held-out codes lie
    lo, hi = np.percentile(codes, 1, axis=0), np.percentile(codes, 99, axis=0)
    pad = 0.05 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    return lo, hi, np.linspace(lo[0], hi[0], n), np.linspace(hi[1], lo[1], n)


def grid_section(shown: ShownModel) -> None:
    """The decoded grid; the pointer decodes any point of it in the browser, a click pins one."""
    model, shape, codes = shown.result.model, shown.ds.image_shape, shown.view.codes
    c1, c2 = st.columns([3, 2])
    n = c1.slider(t("decoder.grid_size"), 5, 25, 15, key="dec_n")
    painted = c2.toggle(t("decoder.confidence"), key="dec_confidence", help=t("decoder.confidence_help"))
    lo, hi, gx, gy = _grid_axes(shown, n)
    grid = np.array([[x, y] for y in gy for x in gx], dtype=np.float32)  # (n*n, 2)
    decoded = infer.decode(model, grid)
    cnn = _cnn(shown) if painted else None
    confidence, readings = None, None
    if cnn is not None:
        from aeviz.nets import classifier

        proba = classifier.predict_proba(cnn, decoded)  # (n*n, classes)
        confidence, readings = proba.max(1), [str(shown.ds.class_names[c]) for c in proba.argmax(1)]
        st.caption(t("decoder.confidence_share", share=float((confidence >= 0.9).mean()), cells=n * n,
                     least=float(confidence.min())))
    left, right = st.columns([3, 2])
    fig = figures.latent_grid(decoded, shape, (lo[0], hi[0], lo[1], hi[1]), n, title=t("decoder.grid_title"),
                              confidence=confidence, readings=readings)
    token = ("ae", *shown.key)
    way_back = inverse.for_model(token, model, shape, "decoder_plane")
    if way_back is None:  # static/ cannot be written: the server decodes a point set with sliders
        charts.chart(container=left, fig=fig, key="latent_grid")
        with right:
            st.subheader(t("decoder.point_header"))
            zx = st.slider(t("decoder.z1"), float(lo[0]), float(hi[0]), float(np.median(codes[:, 0])), key="dec_z1")
            zy = st.slider(t("decoder.z2"), float(lo[1]), float(hi[1]), float(np.median(codes[:, 1])), key="dec_z2")
            _point(model, shape, (zx, zy))
        return
    linked.panel(left, *linked.split_figure(fig), linked.figure_key(token, n, i18n.current(), cnn is not None),
                 key="decoder_plane",
                 group="decoder", selected=[], linked=False, config=charts.plotly_config("latent_grid"),
                 on_select=lambda: None, inverse=way_back, on_pin=inverse.on_pin("decoder_plane", token))
    charts.text_alternative(left, fig)
    charts.export_menu(left, lambda: fig, "latent_grid", "latent_grid")
    with right:
        st.subheader(t("decoder.point_header"))
        z = inverse.pinned_point("decoder_plane", token)
        if z is None:
            st.caption(t("inverse.pin_first"))
            z = (float(np.median(codes[:, 0])), float(np.median(codes[:, 1])))
        _point(model, shape, z)


def _cnn(shown: ShownModel):
    """The lessons' CNN for the shown data set once trained (trained in the background on first
    asking); meanwhile None, after saying why (training, failed with a Retry, over the budget)."""
    cfg = denoising.classifier_config(shown.cfg)
    try:
        job = jobs.backend().classifier(cfg, shown.ds, session=session.session_id())
    except jobs.OverBudget as exc:
        st.warning(str(failures.message(exc)))
        return None
    if job.finished_ok:
        return job.result
    if job.status == "failed":
        progress.failure(t("decoder.cnn"), job, lambda: jobs.backend().classifier(cfg, shown.ds, restart=True),
                         "retry_cnn")
        return None
    _await_cnn(cfg, shown)
    return None


@st.fragment(run_every=1.0)
def _await_cnn(cfg, shown: ShownModel) -> None:
    job = jobs.backend().trainings.get(cfg)
    if job is None or job.finished_ok or job.status == "failed":
        st.rerun(scope="app")
    st.caption(t("decoder.confidence_waits", seconds=progress.wait_seconds(job)))


def _point(model, shape, z: tuple[float, float]) -> None:
    """The digit the server's decoder draws at z, as an exportable figure."""
    img = infer.decode(model, np.array([z], np.float32))[0]
    charts.chart(fig=figures.image(img, shape, title=t("decoder.point_title", z1=z[0], z2=z[1])), key="point")


def walk_section(shown: ShownModel) -> None:
    """A straight walk in the plane from one held-out digit's code to another's."""
    view, ds = shown.view, shown.ds
    st.subheader(t("decoder.walk_header"))
    m = len(view.ids)
    c1, c2, c3 = st.columns(3)
    a = c1.number_input(t("decoder.walk_from"), 0, m - 1, 0, key="dec_a")
    b = c2.number_input(t("decoder.walk_to"), 0, m - 1, min(m - 1, 1), key="dec_b")
    steps = c3.slider(t("decoder.walk_steps"), 3, 15, 10, key="dec_steps")
    w = np.linspace(0, 1, steps, dtype=np.float32)[:, None]  # each step's weight on the second digit
    path = (1 - w) * view.codes[a] + w * view.codes[b]  # (steps, 2)

    def end(i: int) -> str:
        """The title of a walk's end: the held-out digit's number and class."""
        return t("decoder.walk_end", index=i, name=ds.class_names[view.labels[i]])

    strip = np.concatenate([view.x[[a]], infer.decode(shown.result.model, path), view.x[[b]]])
    charts.chart(fig=figures.image_grid(strip, ds.image_shape, ncols=len(strip),
                                        titles=[end(a)] + [""] * steps + [end(b)], title=t("decoder.walk_title")),
                 key="strip")


main()
