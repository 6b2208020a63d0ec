"""Inside the net: one digit through the encoder, its code and the decoder, every stage's
activations drawn in the page (layer_view.js), following the pad's strokes and a dragged code."""
from __future__ import annotations

import numpy as np
import streamlit as st

from aeviz import figures, i18n
from aeviz.i18n import t
from aeviz.nets import infer, webnet
from aeviz.ui import charts, inverse, linked, pad, session
from aeviz.ui.shown import ShownModel, shown_model


def main() -> None:
    st.header(t("inside.header"))
    with st.expander(t("common.about")):
        st.markdown(t("inside.about"))
    shown = shown_model()
    if shown is None:
        return
    if not linked.ensure_plotly_js():
        st.info(t("inside.unavailable"))
        return
    digit = source_section(shown)
    layers_section(shown, digit)
    figure_section(shown, digit)


def source_section(shown: ShownModel) -> np.ndarray:
    """The digit that goes in: the user's own (drawn here or on the Latent page, or uploaded), else
    the chosen held-out digit. Returns its pixels (h*w,)."""
    view = shown.view
    left, right = st.columns([1, 2])
    i = left.number_input(t("inside.digit"), 0, len(view.ids) - 1, 0, key="inside_digit",
                          help=t("inside.digit_help"))
    own = session.own_digit(shown.ds.name)
    left.caption(t("inside.own_digit") if own is not None else
                 t("inside.held_out", name=shown.ds.class_names[view.labels[i]]))
    with right:
        pad.section(shown, key="pad_inside", heading=False)
    return own if own is not None else view.x[i]


def _plane(codes: np.ndarray) -> list[list[float]]:
    """Each code unit's range for the sliders and the plane: the held-out codes' 1st to 99th
    percentile, 10% wider."""
    lo, hi = np.percentile(codes, 1, axis=0), np.percentile(codes, 99, axis=0)
    pad_ = 0.1 * np.maximum(hi - lo, 1e-3)
    return [[float(a), float(b)] for a, b in zip(lo - pad_, hi + pad_)]


def layers_section(shown: ShownModel, digit: np.ndarray) -> None:
    """The layer view, run in the page."""
    model, ds, token = shown.result.model, shown.ds, ("ae", *shown.key)
    codes = shown.view.codes
    k = codes.shape[1]
    ranges = _plane(codes)
    words = ("encoder", "decoder", "code_header", "plane", "code", "units", "maps", "pixels", "input", "output",
             "failed")
    texts = {key: t(f"inside.{key}") for key in words}
    spec = {"group": ds.name, "shape": list(ds.image_shape), "k": k, "encoder": pad.code_url(shown),
            "decoder": inverse.decoder_url(token, model, ds.image_shape), "digit": [round(float(v), 4) for v in digit],
            "range": ranges if k == 2 else None, "slider_range": ranges,
            "dots": [round(float(v), 3) for v in codes[:, :2].ravel()] if k == 2 else [], "texts": texts}
    linked.layers(st.container(), spec, key="layer_view")


@st.cache_resource(max_entries=16, show_spinner=False)
def _stages_figure(token: tuple, digit_bytes: bytes, lang: str, _model, _digit: np.ndarray, image_shape):
    """The figure of _digit's stages through _model (`token` names it, `digit_bytes` the digit),
    built once per digit and language: a pen's lift reruns the page, which should not redo it."""
    x = np.asarray(_digit, np.float64)[None]
    code = infer.encode(_model, x, dtype=np.float64)
    stages = webnet.stage_outputs(_model, x, "encoder") + webnet.stage_outputs(_model, code, "decoder")
    return figures.layer_view(_digit, [(name, a[0]) for name, a in stages],
                              infer.decode(_model, code, dtype=np.float64)[0], image_shape,
                              title=t("inside.figure_title"), input_title=t("inside.input"),
                              output_title=t("inside.output"))


def figure_section(shown: ShownModel, digit: np.ndarray) -> None:
    """The same stages computed by torch on the server, as a figure that exports."""
    digit = np.asarray(digit, np.float32)
    fig = _stages_figure(("ae", *shown.key), digit.tobytes(), i18n.current(), shown.result.model, digit,
                         shown.ds.image_shape)
    with st.expander(t("inside.figure_header")):
        charts.chart(fig=fig, key="layers_figure")


main()
