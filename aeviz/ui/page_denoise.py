"""Denoising: corrupt held-out digits, clean them with the autoencoder, its denoising twin and PCA."""
from __future__ import annotations

import numpy as np
import streamlit as st

from aeviz import cost, failures, figures, jobs
from aeviz.config import NOISE_KINDS
from aeviz.i18n import t
from aeviz.ui import charts, common, session, sidebar, views

st.header(t("denoise.header"))
common.about(t("denoise.about", epochs=views.TWIN_EPOCHS))

shown_cfg = session.shown_config()
opening_twin = None if shown_cfg is None else views.matching_denoiser(shown_cfg, *views.DENOISE_DEFAULTS)
if opening_twin is not None and common.training(opening_twin) is None:
    # The page's opening noise: the twin is queued at once, behind the model if that still trains. It is
    # the page's job, not a Train of the session's (which may have one training at a time).
    try:
        jobs.backend().train(opening_twin, common.dataset(shown_cfg.data.name, shown_cfg.data.seed))
    except jobs.OverBudget as exc:
        session.refuse("twin", opening_twin, failures.message(exc))

act = common.shown_model()
if act is None:
    st.stop()
ds, view = act.ds, act.view

c1, c2, c3 = st.columns(3)
kinds = NOISE_KINDS[1:]
kind = c1.selectbox(t("denoise.noise"), kinds, index=kinds.index(views.DENOISE_DEFAULTS[0]),
                    format_func=sidebar.noise_label, key="dn_kind")
level = float(c2.slider(t("denoise.level"), 0.0, 1.0, views.DENOISE_DEFAULTS[1], 0.05, key="dn_level",
                        help=t("denoise.level_help")))
n_show = c3.slider(t("denoise.digits_shown"), 10, views.DENOISE_SHOWN_MAX, 12, key="dn_n")

k = view.codes.shape[1]
rows, table = views.denoise_view(act.cfg, act.task.finished, kind, level)
# Rows by role ("noisy", "clean", "model", "twin" or "PCA-k"); _label words a role for the page.
shown = {"noisy": rows["noisy"], "clean": view.x, "model": rows["autoencoder"]}
scores = {"noisy": table["noisy"], "model": table["autoencoder"]}


def _label(role: str) -> str:
    return role if role.startswith("PCA-") else t(f"denoise.row.{role}")


twin_cfg = views.matching_denoiser(act.cfg, kind, level)
twin = None if twin_cfg is None else common.training(twin_cfg)


def _start_twin() -> jobs.Job | None:
    try:
        return common.start_training(twin_cfg)
    except jobs.OverBudget as exc:
        session.refuse("twin", twin_cfg, failures.message(exc))
        return None



if twin is not None and twin.finished_ok:
    cleaned, twin_scores = views.denoised_by(twin_cfg, twin.finished, kind, level)
    shown["twin"], scores["twin"] = cleaned, twin_scores
scores[f"PCA-{k}"] = table[f"PCA-{k}"]

charts.chart(fig=figures.image_grid(np.concatenate([x[:n_show] for x in shown.values()]), ds.image_shape,
                                    ncols=n_show, row_labels=[_label(role) for role in shown],
                                    title=t("denoise.grid_title", noise=sidebar.noise_label(kind), level=level)),
             key="triptych")
noisy_psnr = scores["noisy"]["PSNR (dB)"]
for col, (role, vals) in zip(st.columns(len(scores)), scores.items()):
    col.metric(t("denoise.psnr_label", name=_label(role)), t("denoise.psnr_value", psnr=vals["PSNR (dB)"]),
               delta=None if role == "noisy" else t("denoise.psnr_delta", delta=vals["PSNR (dB)"] - noisy_psnr))
    col.caption(t("denoise.scores", ssim=vals["SSIM"], mse=vals["MSE"]))


@st.fragment(run_every=1.0)
def _twin_progress() -> None:
    task = common.training(twin_cfg)
    if task is None or not task.pending:
        st.rerun(scope="app")  # ready: draw its row and its numbers
        return
    st.progress(task.progress, text=t("denoise.twin_progress", message=task.message))


if twin_cfg is None:
    st.caption(t("denoise.trained_on_noise", noise=sidebar.noise_label(act.cfg.noise.kind), level=act.cfg.noise.level))
elif twin is None:
    if (refused := session.refusal("twin", twin_cfg)) is not None:
        st.warning(t("denoise.no_twin", reason=refused), icon=":material/block:")
    else:
        st.button(t("denoise.train_twin"), key="train_twin", icon=":material/auto_fix_high:", on_click=_start_twin,
                  help=t("denoise.train_twin_help", cost=cost.say(common.train_estimate(twin_cfg))))
elif twin.pending:
    _twin_progress()
elif twin.status == "failed":
    common.failure(t("denoise.twin_failed"), twin, lambda: common.retry_training(twin_cfg), "retry_twin")
charts.chart(fig=figures.image_grid(rows[f"PCA-{k}"][:n_show], ds.image_shape, ncols=n_show,
                                    row_labels=[f"PCA-{k}"], title=t("denoise.pca_title")),
             key="pca_row")
