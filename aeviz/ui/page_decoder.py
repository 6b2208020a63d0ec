"""Decoder: walk the 2-D latent plane and see what each point decodes to."""
from __future__ import annotations

import numpy as np
import streamlit as st

from aeviz import figures, train
from aeviz.ui import common

st.header("Decoder")
common.about(
    "The decoder turns any point of the latent plane into an image, including points no digit "
    "was mapped to. The grid decodes a regular lattice over the region where the held-out codes "
    "lie: neighbouring cells change smoothly, and the regions of each class show which code "
    "means which digit. Pick a point with the sliders, or walk in a straight line between two "
    "held-out digits: the strip shows the decoder's in-between images.")

act = common.shown_model()
if act is None:
    st.stop()
ds, view, model = act.ds, act.view, act.result.model
if view.codes.shape[1] != 2:
    st.info(f"This model has a {view.codes.shape[1]}-D code. The decoder page needs a 2-D code: set "
            "the bottleneck to 2 and train.")
    st.stop()

codes = view.codes
n = st.slider("Grid size", 5, 25, 15, key="dec_n")
if act.cfg.model.kind == "variational":  # the prior's quantiles: each cell as likely under N(0, I)
    from scipy.stats import norm

    q = norm.ppf(np.linspace(0.05, 0.95, n))
    lo, hi = np.array([q[0], q[0]]), np.array([q[-1], q[-1]])
    gx, gy = q, q[::-1]  # rows from the top
    st.caption("A variational code: the grid walks the prior's quantiles, from 5% to 95% on each axis.")
else:  # the region where the held-out codes lie
    lo, hi = np.percentile(codes, 1, axis=0), np.percentile(codes, 99, axis=0)
    pad = 0.05 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    gx, gy = np.linspace(lo[0], hi[0], n), np.linspace(hi[1], lo[1], n)  # rows from the top
grid = np.array([[x, y] for y in gy for x in gx], dtype=np.float32)  # (n*n, 2)
left, right = st.columns([3, 2])
common.chart(container=left, fig=figures.latent_grid(train.decode(model, grid), ds.image_shape,
                                      (lo[0], hi[0], lo[1], hi[1]), n, title="Decoded latent plane"),
                  key="latent_grid")
with right:
    st.subheader("Decode a point")
    zx = st.slider("z₁", float(lo[0]), float(hi[0]), float(np.median(codes[:, 0])), key="dec_z1")
    zy = st.slider("z₂", float(lo[1]), float(hi[1]), float(np.median(codes[:, 1])), key="dec_z2")
    img = train.decode(model, np.array([[zx, zy]], np.float32))[0]
    common.chart(fig=figures.image(img, ds.image_shape, title=f"decode({zx:.2f}, {zy:.2f})"),
                    key="point")

st.subheader("Interpolate between two held-out digits")
m = len(view.ids)
c1, c2, c3 = st.columns(3)
a = c1.number_input("From digit #", 0, m - 1, 0, key="dec_a")
b = c2.number_input("To digit #", 0, m - 1, min(m - 1, 1), key="dec_b")
steps = c3.slider("Steps", 3, 15, 10, key="dec_steps")
t = np.linspace(0, 1, steps, dtype=np.float32)[:, None]
path = (1 - t) * codes[a] + t * codes[b]  # (steps, 2)
strip = np.concatenate([view.x[[a]], train.decode(model, path), view.x[[b]]])
common.chart(fig=figures.image_grid(strip, ds.image_shape, ncols=len(strip),
                                   titles=[f"#{a} ({ds.class_names[view.labels[a]]})"] + [""] * steps
                                   + [f"#{b} ({ds.class_names[view.labels[b]]})"],
                                   title="Straight line in the latent plane, decoded"),
                key="strip")
