"""The user's own digit: drawn on the pad, where the page encodes it on every stroke (pad.js), or
uploaded as one image (the way in without a pointer); and where each map of the Latent page puts
it. The server keeps the session's digit once the pen lifts: it marks it on every panel after a
rerun, and UMAP, which cannot run in the page, places it with umap-learn's transform in the
projection process.
"""
from __future__ import annotations

import hashlib
import io

import numpy as np
import streamlit as st

from .. import failures, jobs
from ..config import ProjectionConfig
from ..i18n import t
from ..jobs import Job
from ..nets import infer, webnet
from ..upload import UploadError, digit
from ..upload.rules import MB
from . import inverse, linked, progress, session
from .shown import ShownModel

SPRITE_COLS = 64  # training digits a row in the sheet the page draws the nearest ones from


def panel_map(shown: ShownModel) -> tuple[np.ndarray, np.ndarray] | None:
    """(weight (m, k), bias (m,)): the autoencoder's panel draws a code z at z @ weight.T + bias:
    as it is (k = 2, and k = 3 in 3-D), beside a zero (k = 1), or PCA of the held-out codes (k > 3,
    as analysis.latent_view draws them). None where the panel's map is not that PCA."""
    codes, emb = shown.view.codes, shown.view.emb
    k, m = codes.shape[1], emb.shape[1]
    if k == m:
        return np.eye(k), np.zeros(k)
    if k == 1:
        return np.array([[1.0], [0.0]]), np.zeros(2)
    from sklearn.decomposition import PCA

    pca = PCA(n_components=m, random_state=0).fit(codes)
    if not np.allclose(pca.transform(codes), emb, atol=1e-3):
        return None
    return pca.components_, -pca.components_ @ pca.mean_


@st.cache_resource(max_entries=16, show_spinner=False)
def _panel_map(token: tuple, _shown: ShownModel):
    """panel_map of the model `token` names, once per model (not on every rerun of the page)."""
    return panel_map(_shown)


@st.cache_resource(max_entries=16, show_spinner=False)
def _code_url(token: tuple, _model, _ds) -> str | None:
    """The encoder of _model (which `token` names), with the codes and labels of _ds's training
    digits: the pad's code, reconstruction and nearest digits."""
    codes = infer.encode(_model, _ds.x_train).astype(np.float32)
    spec = webnet.encoder_spec(_model, train_codes=codes, train_labels=[int(v) for v in _ds.y_train])
    return linked.publish_net(*webnet.to_json(spec))


@st.cache_resource(max_entries=16, show_spinner=False)
def _place_url(token: tuple, _model, _then) -> str | None:
    """The encoder of _model carried to its panel's axes (panel_map): the AE panel's `place`."""
    return linked.publish_net(*webnet.to_json(webnet.encoder_spec(_model, _then)))


@st.cache_resource(max_entries=8, show_spinner=False)
def _pca_url(token: tuple, _pca) -> str | None:
    return linked.publish_net(*webnet.to_json(webnet.spec(*webnet.pca_forward_layers(_pca.components_, _pca.mean_),
                                                          _pca.n_components_)))


def sprite_png(x: np.ndarray, shape: tuple[int, int], cols: int = SPRITE_COLS) -> bytes:
    """Digits x (N, h*w) in [0, 1] as one greyscale PNG, `cols` a row, ink dark on light as the
    figures draw digits; digit i at column i % cols, row i // cols."""
    from PIL import Image

    h, w = shape
    rows = -(-len(x) // cols)
    sheet = np.full((rows * h, cols * w), 255, np.uint8)
    tiles = 255 - np.round(255 * np.clip(x, 0, 1)).astype(np.uint8).reshape(-1, h, w)
    for i, tile in enumerate(tiles):
        r, c = divmod(i, cols)
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = tile
    out = io.BytesIO()
    Image.fromarray(sheet, mode="L").save(out, format="PNG", optimize=True)
    return out.getvalue()


@st.cache_resource(max_entries=8, show_spinner=False)
def _sprite_url(digits: tuple, _ds) -> str | None:
    png = sprite_png(_ds.x_train, _ds.image_shape)
    return linked.publish(png, hashlib.blake2b(png, digest_size=10).hexdigest(), ".png")


# ------------------------------------------------------------------ where each panel puts the digit
def ae_place(shown: ShownModel) -> tuple[str | None, list[float] | None]:
    """(the AE panel's place URL, where the server marks the session's digit there)."""
    token = ("ae", *shown.key)
    then = _panel_map(token, shown)
    if then is None:
        return None, None
    url = _place_url(token, shown.result.model, then)
    own = session.own_digit(shown.ds.name)
    if own is None:
        return url, None
    code = infer.encode(shown.result.model, own[None], dtype=np.float64)[0]
    return url, list(then[0] @ code + then[1])


def pca_place(shown: ShownModel, token: tuple, pca) -> tuple[str | None, list[float] | None]:
    own = session.own_digit(shown.ds.name)
    return _pca_url(token, pca), None if own is None else list(pca.transform(own[None].astype(np.float64))[0])


def umap_job(shown: ShownModel, emb: np.ndarray, proj: ProjectionConfig = ProjectionConfig(),
             restart: bool = False) -> Job | None:
    """The job placing the session's digit on the UMAP panel's map emb, or None (no digit);
    `restart` (the user's Retry) replaces a failed one."""
    own = session.own_digit(shown.ds.name)
    if own is None:
        return None
    view = shown.view
    key = ("place", shown.digits, proj, emb.shape[1], hashlib.blake2b(own.tobytes(), digest_size=10).hexdigest())
    if (job := jobs.backend().placements.get(key)) is not None and not restart:
        return job
    return jobs.backend().place(key, view.x, emb, own[None], proj, restart=restart, session=session.session_id())


def umap_marker(shown: ShownModel, emb: np.ndarray) -> list[float] | None:
    """Where UMAP's transform put the session's digit on the map emb, once placed (None: no digit,
    or not yet); with no digit, the transform is compiled ahead (warm_up)."""
    placing = umap_job(shown, emb)
    if placing is None:
        warm_up(shown, emb)
    return list(placing.result[0]) if placing is not None and placing.finished_ok else None


def umap_status(col, shown: ShownModel, emb: np.ndarray) -> None:
    """Under the UMAP panel: the placing of the session's digit while it runs, or why it failed."""
    placing = umap_job(shown, emb)
    if placing is None or placing.finished_ok:
        return
    with col:
        if placing.status == "failed":
            progress.failure(t("pad.place_failed"), placing, lambda: umap_job(shown, emb, restart=True),
                             "retry_place")
        else:
            _await_placing(shown, emb)


@st.fragment(run_every=0.5)
def _await_placing(shown: ShownModel, emb: np.ndarray) -> None:
    """Said while the server places the user's digit; the page redraws once it is placed."""
    placing = umap_job(shown, emb)
    if placing is None or placing.finished_ok or placing.status == "failed":
        st.rerun(scope="app")
    st.caption(t("pad.placing"))


def warm_up(shown: ShownModel, emb: np.ndarray, proj: ProjectionConfig = ProjectionConfig()) -> None:
    """Place one held-out digit on the UMAP map in the background, once per map, before the user
    draws: numba compiles umap-learn's transform there on its first call (seconds), and then the
    user's own digit lands in about a second."""
    key = ("place", shown.digits, proj, emb.shape[1], "warm-up")
    if jobs.backend().placements.get(key) is None:
        jobs.backend().place(key, shown.view.x, emb, shown.view.x[:1], proj, session=session.session_id())


# ------------------------------------------------------------------ the pad
def code_url(shown: ShownModel) -> str | None:
    """The URL of the shown model's bare encoder, with its training digits' codes and labels."""
    return _code_url(("ae", *shown.key), shown.result.model, shown.ds)


def section(shown: ShownModel, key: str = "pad", heading: bool = True) -> None:
    """The pad and its upload button (`key` names both), with its heading and how it works."""
    ds, token = shown.ds, ("ae", *shown.key)
    if heading:
        st.subheader(t("pad.header"))
        st.caption(t("pad.caption"))
    urls = (code_url(shown), inverse.decoder_url(token, shown.result.model, ds.image_shape),
            _sprite_url(shown.digits, ds))
    own = session.own_digit(ds.name)
    if None not in urls:
        texts = {key: t(f"pad.{key}") for key in ("pad_label", "clear", "seen", "recon", "nearest", "empty", "code",
                                                  "said", "failed")}
        texts["classes"] = [str(c) for c in ds.class_names]
        spec = {"group": ds.name, "shape": list(ds.image_shape), "fill": digit.box(ds.name), "encoder": urls[0],
                "decoder": urls[1], "sprite": {"url": urls[2], "cols": SPRITE_COLS}, "texts": texts,
                "digit": None if own is None else [round(float(v), 4) for v in own]}
        linked.pad(st.container(), spec, key=key, on_drawn=lambda: _on_drawn(key, ds.name, ds.image_shape))
    else:
        st.caption(t("pad.unavailable"))
    st.file_uploader(t("pad.upload"), type=["png", "jpg", "jpeg"], key=f"{key}_upload", help=t("pad.upload_help"),
                     on_change=_on_upload, args=(f"{key}_upload", ds.name, ds.image_shape),
                     max_upload_size=max(1, digit.MAX_BYTES // MB))
    if (problem := session.problem("digit")) is not None:
        st.error(str(problem))


def _on_drawn(key: str, ds_name: str, shape: tuple[int, int]) -> None:
    pixels = linked.drawn(key)
    if pixels is None:
        return
    if len(pixels) != shape[0] * shape[1]:  # [] (Clear), or a page of another data set
        session.set_own_digit(ds_name, None)
        return
    session.set_own_digit(ds_name, np.clip(np.asarray(pixels, np.float32), 0, 1))
    session.set_problem("digit", None)


def _on_upload(key: str, ds_name: str, shape: tuple[int, int]) -> None:
    f = st.session_state.get(key)
    if f is None:
        return
    try:
        pixels = digit.preprocess(digit.read_image(f.getvalue()), shape, digit.box(ds_name))
    except UploadError as exc:  # what the session had stays
        session.set_problem("digit", failures.message(exc))
        return
    session.set_own_digit(ds_name, pixels.astype(np.float32))
    session.set_problem("digit", None)
