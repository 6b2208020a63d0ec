"""Denoising: corrupt held-out digits, clean them with the autoencoder, its denoising twin and PCA."""
from __future__ import annotations

import numpy as np
import streamlit as st

from aeviz import cost, figures, jobs
from aeviz.config import NOISE_KINDS
from aeviz.ui import common, session, sidebar, views

st.header("Denoising")
common.about(
    "Held-out digits with noise added, the clean originals, and what each model makes of the noisy "
    "ones. An autoencoder trained as a **denoiser** (corrupted input, clean target) learns what digits "
    "look like and removes what does not fit; a plain one was never asked to. When the model in the "
    "sidebar was trained on clean digits, this page trains its *denoising twin* in the background: the "
    "same widths, bottleneck and optimiser, for at most 4 epochs, on this page's noise. PCA's baseline "
    "keeps the projection on its top-k components (k = the bottleneck). PSNR (higher is better, in dB) "
    "and SSIM (1 is identical) compare each with the clean digits. Then try the *Overcomplete* kind: a "
    "net that can copy its input copies the noise too.")

shown_cfg = session.shown_config()
opening_twin = None if shown_cfg is None else views.matching_denoiser(shown_cfg, *views.DENOISE_DEFAULTS)
if opening_twin is not None and common.training(opening_twin) is None:
    # The page's opening noise: the twin is queued at once, behind the model if that still trains. It is
    # the page's job, not a Train of the session's (which may have one training at a time).
    try:
        jobs.backend().train(opening_twin, common.dataset(shown_cfg.data.name, shown_cfg.data.seed))
    except jobs.OverBudget as exc:
        session.refuse("twin", opening_twin, str(exc))

act = common.shown_model()
if act is None:
    st.stop()
ds, view = act.ds, act.view

c1, c2, c3 = st.columns(3)
kinds = NOISE_KINDS[1:]
kind = c1.selectbox("Noise", kinds, index=kinds.index(views.DENOISE_DEFAULTS[0]),
                    format_func=sidebar.NOISE_LABELS.get, key="dn_kind")
level = float(c2.slider("Level", 0.0, 1.0, views.DENOISE_DEFAULTS[1], 0.05, key="dn_level",
                        help="σ for Gaussian noise; the fraction of pixels hit for the other two."))
n_show = c3.slider("Digits shown", 10, views.DENOISE_SHOWN_MAX, 12, key="dn_n")

k = view.codes.shape[1]
rows, table = views.denoise_view(act.cfg, act.task.finished, kind, level)
shown = {"noisy": rows["noisy"], "clean": view.x, "this model": rows["autoencoder"]}
scores = {"noisy": table["noisy"], "this model": table["autoencoder"]}

twin_cfg = views.matching_denoiser(act.cfg, kind, level)
twin = None if twin_cfg is None else common.training(twin_cfg)


def _start_twin() -> jobs.Job | None:
    try:
        return common.start_training(twin_cfg)
    except jobs.OverBudget as exc:
        session.refuse("twin", twin_cfg, str(exc))
        return None



if twin is not None and twin.finished_ok:
    cleaned, twin_scores = views.denoised_by(twin_cfg, twin.finished, kind, level)
    shown["denoising twin"], scores["denoising twin"] = cleaned, twin_scores
scores[f"PCA-{k}"] = table[f"PCA-{k}"]

common.chart(fig=figures.image_grid(np.concatenate([x[:n_show] for x in shown.values()]), ds.image_shape,
                                    ncols=n_show, row_labels=list(shown),
                                    title=f"{sidebar.NOISE_LABELS[kind]} noise, level {level:g}"),
             key="triptych")
noisy_psnr = scores["noisy"]["PSNR (dB)"]
for col, (name, vals) in zip(st.columns(len(scores)), scores.items()):
    col.metric(f"{name}: PSNR", f"{vals['PSNR (dB)']:.2f} dB",
               delta=None if name == "noisy" else f"{vals['PSNR (dB)'] - noisy_psnr:+.2f} dB vs noisy")
    col.caption(f"SSIM **{vals['SSIM']:.3f}** · MSE **{vals['MSE']:.4f}**")


@st.fragment(run_every=1.0)
def _twin_progress() -> None:
    task = common.training(twin_cfg)
    if task is None or not task.pending:
        st.rerun(scope="app")  # ready: draw its row and its numbers
        return
    st.progress(task.progress, text=f"Training this model's denoising twin on this noise: {task.message}")


if twin_cfg is None:
    st.caption(f"This model was trained on {sidebar.NOISE_LABELS[act.cfg.noise.kind]} noise "
               f"(level {act.cfg.noise.level:g}).")
elif twin is None:
    if (refused := session.refusal("twin", twin_cfg)) is not None:
        st.warning(f"**No denoising twin.** {refused}", icon=":material/block:")
    else:
        st.button("Train a denoising twin for this noise", key="train_twin", icon=":material/auto_fix_high:",
                  on_click=_start_twin, help=f"The same widths, bottleneck and training as this model, on noisy "
                                             f"inputs with clean targets: {cost.say(common.train_estimate(twin_cfg))}.")
elif twin.pending:
    _twin_progress()
elif twin.status == "failed":
    common.failure("The denoising twin failed", twin, lambda: common.retry_training(twin_cfg), "retry_twin")
common.chart(fig=figures.image_grid(rows[f"PCA-{k}"][:n_show], ds.image_shape, ncols=n_show,
                                    row_labels=[f"PCA-{k}"], title="PCA's baseline on the same noisy digits"),
             key="pca_row")
