"""Decoder: walk the 2-D latent plane and see what each point decodes to."""
from __future__ import annotations

import numpy as np
import streamlit as st

from aeviz import figures
from aeviz.i18n import t
from aeviz.nets import infer
from aeviz.ui import charts, common

st.header(t("decoder.header"))
common.about(t("decoder.about"))

act = common.shown_model()
if act is None:
    st.stop()
ds, view, model = act.ds, act.view, act.result.model
if view.codes.shape[1] != 2:
    st.info(t("decoder.needs_2d", k=view.codes.shape[1]))
    st.stop()

codes = view.codes
n = st.slider(t("decoder.grid_size"), 5, 25, 15, key="dec_n")
if act.cfg.model.kind == "variational":  # the prior's quantiles: each cell as likely under N(0, I)
    from scipy.stats import norm

    q = norm.ppf(np.linspace(0.05, 0.95, n))
    lo, hi = np.array([q[0], q[0]]), np.array([q[-1], q[-1]])
    gx, gy = q, q[::-1]  # rows from the top
    st.caption(t("decoder.prior_grid"))
else:  # the region where the held-out codes lie
    lo, hi = np.percentile(codes, 1, axis=0), np.percentile(codes, 99, axis=0)
    pad = 0.05 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    gx, gy = np.linspace(lo[0], hi[0], n), np.linspace(hi[1], lo[1], n)  # rows from the top
grid = np.array([[x, y] for y in gy for x in gx], dtype=np.float32)  # (n*n, 2)
left, right = st.columns([3, 2])
charts.chart(container=left, fig=figures.latent_grid(infer.decode(model, grid), ds.image_shape,
                                      (lo[0], hi[0], lo[1], hi[1]), n, title=t("decoder.grid_title")),
                  key="latent_grid")
with right:
    st.subheader(t("decoder.point_header"))
    zx = st.slider(t("decoder.z1"), float(lo[0]), float(hi[0]), float(np.median(codes[:, 0])), key="dec_z1")
    zy = st.slider(t("decoder.z2"), float(lo[1]), float(hi[1]), float(np.median(codes[:, 1])), key="dec_z2")
    img = infer.decode(model, np.array([[zx, zy]], np.float32))[0]
    charts.chart(fig=figures.image(img, ds.image_shape, title=t("decoder.point_title", z1=zx, z2=zy)),
                    key="point")

st.subheader(t("decoder.walk_header"))
m = len(view.ids)
c1, c2, c3 = st.columns(3)
a = c1.number_input(t("decoder.walk_from"), 0, m - 1, 0, key="dec_a")
b = c2.number_input(t("decoder.walk_to"), 0, m - 1, min(m - 1, 1), key="dec_b")
steps = c3.slider(t("decoder.walk_steps"), 3, 15, 10, key="dec_steps")
w = np.linspace(0, 1, steps, dtype=np.float32)[:, None]  # each step's weight on the second digit
path = (1 - w) * codes[a] + w * codes[b]  # (steps, 2)


def _end(i: int) -> str:
    """The title of a walk's end: the held-out digit's number and class."""
    return t("decoder.walk_end", index=i, name=ds.class_names[view.labels[i]])


strip = np.concatenate([view.x[[a]], infer.decode(model, path), view.x[[b]]])
charts.chart(fig=figures.image_grid(strip, ds.image_shape, ncols=len(strip),
                                   titles=[_end(a)] + [""] * steps + [_end(b)], title=t("decoder.walk_title")),
                key="strip")
