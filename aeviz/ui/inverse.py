"""A panel's way back to pixels, decoded in the browser under the pointer, and the points pinned on it.

The decoder (or PCA's inverse) is exported once per model (nets/webnet.py) and published as a
static file the page fetches (linked.publish_net); the linked panel runs it on every pointer move
and tells the server only the point a click pins. The server draws the pinned digits with its own
decoder, as figures that export like every other.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from aeviz import figures
from aeviz.i18n import t
from aeviz.nets import webnet
from aeviz.ui import charts, linked


@st.cache_resource(max_entries=16, show_spinner=False)
def _published_model(token: tuple, _model, n_outputs: int) -> str | None:
    """The URL of the decoder of _model (which `token` names)."""
    return linked.publish_net(*webnet.to_json(webnet.decoder_spec(_model, n_outputs)))


@st.cache_resource(max_entries=16, show_spinner=False)
def _published_pca(token: tuple, _components: np.ndarray, _mean: np.ndarray) -> str | None:
    return linked.publish_net(*webnet.to_json(webnet.spec(*webnet.pca_layers(_components, _mean), _mean.shape[0])))


def decoder_url(token: tuple, model, image_shape) -> str | None:
    """The URL of the published decoder of `model` (which `token` names); None: static/ not writable."""
    return _published_model(token, model, int(np.prod(image_shape)))


def for_model(token: tuple, model, image_shape, panel_key: str) -> dict | None:
    """The `inverse` of linked.panel for an autoencoder's 2-D code (None: static/ not writable)."""
    return _spec(decoder_url(token, model, image_shape), image_shape, panel_key, token)


def for_pca(token: tuple, pca, image_shape, panel_key: str) -> dict | None:
    url = _published_pca(token, pca.components_, pca.mean_)
    return _spec(url, image_shape, panel_key, token)


def _spec(url: str | None, image_shape, panel_key: str, token: tuple) -> dict | None:
    if url is None:
        return None
    pin = pinned_point(panel_key, token)
    return {"url": url, "shape": [int(image_shape[0]), int(image_shape[1])], "label": t("inverse.label"),
            "where": t("inverse.where", z1="{z1}", z2="{z2}"), "hint": t("inverse.hint"),
            "failed": t("inverse.failed"), "pinned": list(pin) if pin else None}


def on_pin(panel_key: str, token: tuple) -> Callable[[], None]:
    """The callback that keeps the point just pinned in panel_key, for the model `token` names."""
    def keep():
        z = linked.pinned(panel_key)
        if z is not None:
            st.session_state.setdefault("aeviz_pins", {})[panel_key] = (token, z)
    return keep


def pinned_point(panel_key: str, token: tuple) -> tuple[float, float] | None:
    """The point pinned in panel_key while it showed `token`'s map (a pin on another model is gone)."""
    held = st.session_state.get("aeviz_pins", {}).get(panel_key)
    return held[1] if held and held[0] == token else None


def pinned_section(rows: list[tuple[str, tuple[float, float], Callable[[np.ndarray], np.ndarray]]], image_shape,
                   key: str) -> None:
    """The pinned digits side by side, drawn by the server's own decoders: rows of (panel title,
    point, decode (1, 2) -> (1, D)). Nothing pinned yet: how to pin."""
    st.subheader(t("inverse.pinned_header"))
    if not rows:
        st.caption(t("inverse.pin_first"))
        return
    images = np.concatenate([decode(np.array([z], np.float32)) for _, z, decode in rows])
    titles = [t("inverse.pinned_title", panel=title, z1=z[0], z2=z[1]) for title, z, _ in rows]
    fig = figures.image_grid(np.clip(images, 0, 1), image_shape, ncols=len(rows), titles=titles,
                             title=t("inverse.pinned_figure"))
    left, _ = st.columns([max(1, len(rows)), max(1, 4 - len(rows))])
    charts.chart(container=left, fig=fig, key=key)
