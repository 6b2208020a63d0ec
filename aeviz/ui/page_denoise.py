"""Denoising: corrupt held-out digits, clean them with the autoencoder and with PCA, measure both."""
from __future__ import annotations

import streamlit as st

from aeviz import figures
from aeviz.config import NOISE_KINDS
from aeviz.ui import common, state, views

st.header("Denoising")
common.about(
    "Top row: held-out digits with noise added. Middle: the clean originals. Bottom: what the "
    "autoencoder makes of the noisy ones. An autoencoder trained as a **denoiser** (corrupted "
    "input, clean target) learns what digits look like and removes what does not fit; a plain one "
    "was never asked to. PCA's baseline keeps the projection on its top-k components (k = the "
    "bottleneck). PSNR (higher is better, in dB) and SSIM (1 is identical) compare each with the "
    "clean digits. Try the *Denoising* kind in the sidebar, then the *Overcomplete* one: a net "
    "that can copy its input copies the noise too.")

act = common.active(st.session_state["sidebar_cfg"])
if act is None:
    st.stop()
ds, view = act.ds, act.view

c1, c2, c3 = st.columns(3)
kinds = NOISE_KINDS[1:]
kind = c1.selectbox("Noise", kinds, index=kinds.index(views.DENOISE_DEFAULTS[0]),
                    format_func=state.NOISE_LABELS.get, key="dn_kind")
level = c2.slider("Level", 0.0, 1.0, views.DENOISE_DEFAULTS[1], 0.05, key="dn_level",
                  help="σ for Gaussian noise; the fraction of pixels hit for the other two.")
n_show = c3.slider("Digits shown", 10, views.DENOISE_SHOWN_MAX, 12, key="dn_n")

k = view.codes.shape[1]
rows, table = views.denoise_view(act.cfg, act.task.finished, kind, float(level))
noisy, denoised, pca_clean = rows["noisy"], rows["autoencoder"], rows[f"PCA-{k}"]
common.chart(fig=figures.triptych(noisy[:n_show], view.x[:n_show], denoised[:n_show], ds.image_shape,
                                 title=f"{state.NOISE_LABELS[kind]} noise, level {level:g}"),
                key="triptych")
cols = st.columns(3)
for col, (name, vals) in zip(cols, table.items()):
    col.metric(f"{name}: PSNR", f"{vals['PSNR (dB)']:.2f} dB",
               delta=None if name == "noisy" else f"{vals['PSNR (dB)'] - table['noisy']['PSNR (dB)']:+.2f} dB vs noisy")
    col.caption(f"SSIM **{vals['SSIM']:.3f}** · MSE **{vals['MSE']:.4f}**")
common.chart(fig=figures.image_grid(pca_clean[:n_show], ds.image_shape, ncols=n_show,
                                   row_labels=[f"PCA-{k}"], title="PCA's baseline on the same noisy digits"),
                key="pca_row")
if act.cfg.model.kind != "denoising":
    st.info("This model was trained on clean digits. Choose the **Denoising** kind in the sidebar and "
            "train to see what training on corrupted inputs adds.")
