"""Denoising: corrupt held-out digits, clean them with the autoencoder, its denoising twin and PCA."""
from __future__ import annotations

import numpy as np
import streamlit as st

from aeviz import cost, failures, figures, jobs
from aeviz.config import NOISE_KINDS, ExperimentConfig
from aeviz.i18n import t
from aeviz.ui import charts, denoising, progress, session, sidebar
from aeviz.ui.shown import ShownModel, dataset, retry_training, shown_model, start_training, train_estimate, training


def main() -> None:
    header_section()
    start_opening_twin()
    shown = shown_model()
    if shown is None:
        return
    kind, level, n_show = controls_section()
    twin_cfg = denoising.matching_denoiser(shown.cfg, kind, level)
    twin = None if twin_cfg is None else training(twin_cfg)
    images, scores = numbers(shown, kind, level, twin)
    k = shown.view.codes.shape[1]
    pca_row = images.pop(f"PCA-{k}")
    grid_section(shown, images, n_show, kind, level)
    scores_section(scores)
    twin_section(shown, twin_cfg, twin)
    charts.chart(fig=figures.image_grid(pca_row[:n_show], shown.ds.image_shape, ncols=n_show,
                                        row_labels=[f"PCA-{k}"], title=t("denoise.pca_title")),
                 key="pca_row")


def header_section() -> None:
    st.header(t("denoise.header"))
    with st.expander(t("common.about")):
        st.markdown(t("denoise.about", epochs=denoising.TWIN_EPOCHS))


def start_opening_twin() -> None:
    """The page's opening noise: the twin is queued at once, behind the model if that still trains.
    It is the page's job, not a Train of the session's (which may have one training at a time)."""
    cfg = session.shown_config()
    twin_cfg = None if cfg is None else denoising.matching_denoiser(cfg, *denoising.DENOISE_DEFAULTS)
    if twin_cfg is not None and training(twin_cfg) is None:
        try:
            jobs.backend().train(twin_cfg, dataset(cfg.data.name, cfg.data.seed))
        except jobs.OverBudget as exc:
            session.refuse("twin", twin_cfg, failures.message(exc))


def controls_section() -> tuple[str, float, int]:
    """The noise (kind, level) and how many digits to show."""
    c1, c2, c3 = st.columns(3)
    kinds = NOISE_KINDS[1:]
    kind = c1.selectbox(t("denoise.noise"), kinds, index=kinds.index(denoising.DENOISE_DEFAULTS[0]),
                        format_func=sidebar.noise_label, key="dn_kind")
    level = float(c2.slider(t("denoise.level"), 0.0, 1.0, denoising.DENOISE_DEFAULTS[1], 0.05, key="dn_level",
                            help=t("denoise.level_help")))
    n_show = c3.slider(t("denoise.digits_shown"), 10, denoising.DENOISE_SHOWN_MAX, 12, key="dn_n")
    return kind, level, n_show


def numbers(shown: ShownModel, kind: str, level: float, twin: jobs.Job | None) -> tuple[dict, dict]:
    """Rows of digits by role ("noisy", "clean", "model", "twin" once trained, "PCA-k") and the
    scores of each cleaned row ({"PSNR (dB)", "SSIM", "MSE"}) by role, in the page's order."""
    rows, table = denoising.denoising_numbers(shown, shown.key, kind, level)
    k = shown.view.codes.shape[1]
    images = {"noisy": rows["noisy"], "clean": shown.view.x, "model": rows["autoencoder"]}
    scores = {"noisy": table["noisy"], "model": table["autoencoder"]}
    if twin is not None and twin.finished_ok:
        key = (twin.key, twin.finished)  # the twin's config and training run
        images["twin"], scores["twin"] = denoising.denoised_by(twin.result.model, shown, key, kind, level)
    images[f"PCA-{k}"], scores[f"PCA-{k}"] = rows[f"PCA-{k}"], table[f"PCA-{k}"]
    return images, scores


def _label(role: str) -> str:
    """A row's role, worded for the page."""
    return role if role.startswith("PCA-") else t(f"denoise.row.{role}")


def grid_section(shown: ShownModel, images: dict, n_show: int, kind: str, level: float) -> None:
    """The noisy, clean and cleaned digits, one row each."""
    charts.chart(fig=figures.image_grid(np.concatenate([x[:n_show] for x in images.values()]), shown.ds.image_shape,
                                        ncols=n_show, row_labels=[_label(role) for role in images],
                                        title=t("denoise.grid_title", noise=sidebar.noise_label(kind), level=level)),
                 key="triptych")


def scores_section(scores: dict) -> None:
    """Each row's PSNR (with its gain over the noisy digits), SSIM and MSE."""
    noisy_psnr = scores["noisy"]["PSNR (dB)"]
    for col, (role, vals) in zip(st.columns(len(scores)), scores.items()):
        col.metric(t("denoise.psnr_label", name=_label(role)), t("denoise.psnr_value", psnr=vals["PSNR (dB)"]),
                   delta=None if role == "noisy" else t("denoise.psnr_delta", delta=vals["PSNR (dB)"] - noisy_psnr))
        col.caption(t("denoise.scores", ssim=vals["SSIM"], mse=vals["MSE"]))


def _start_twin(twin_cfg: ExperimentConfig) -> None:
    try:
        start_training(twin_cfg)
    except jobs.OverBudget as exc:
        session.refuse("twin", twin_cfg, failures.message(exc))


@st.fragment(run_every=1.0)
def _twin_progress(twin: jobs.Job) -> None:
    if not twin.pending:
        st.rerun(scope="app")  # ready: draw its row and its numbers
        return
    st.progress(twin.progress, text=t("denoise.twin_progress", message=twin.message))


def twin_section(shown: ShownModel, twin_cfg: ExperimentConfig | None, twin: jobs.Job | None) -> None:
    """Where the denoising twin stands: not needed, refused, to train, training, failed."""
    if twin_cfg is None:
        st.caption(t("denoise.trained_on_noise", noise=sidebar.noise_label(shown.cfg.noise.kind),
                     level=shown.cfg.noise.level))
    elif twin is None:
        if (refused := session.refusal("twin", twin_cfg)) is not None:
            st.warning(t("denoise.no_twin", reason=refused), icon=":material/block:")
        else:
            st.button(t("denoise.train_twin"), key="train_twin", icon=":material/auto_fix_high:",
                      on_click=_start_twin, args=(twin_cfg,),
                      help=t("denoise.train_twin_help", cost=cost.say(train_estimate(twin_cfg))))
    elif twin.pending:
        _twin_progress(twin)
    elif twin.status == "failed":
        progress.failure(t("denoise.twin_failed"), twin, lambda: retry_training(twin_cfg), "retry_twin")


main()
