"""Denoising: corrupt held-out digits, clean them with the page's denoiser, the shown autoencoder and
PCA, and see how often a CNN trained on clean digits reads each row right."""
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
    start_opening_jobs()
    shown = shown_model()
    if shown is None:
        return
    kind, level, n_show = controls_section()
    denoiser_cfg = denoising.denoiser_config(shown.cfg, kind, level)
    denoiser, cnn = training(denoiser_cfg), training(denoising.classifier_config(shown.cfg))
    images, scores = numbers(shown, kind, level, denoiser, cnn)
    k = shown.view.codes.shape[1]
    pca_row = images.pop(f"PCA-{k}")
    grid_section(shown, images, n_show, kind, level)
    if (n := len(denoising.judged(shown))) < len(shown.view.ids):  # never sampled in silence
        st.caption(t("denoise.sample", n=n, total=len(shown.view.ids)))
    scores_section(scores)
    denoiser_section(shown, denoiser_cfg, denoiser)
    cnn_section(shown, cnn)
    charts.chart(fig=figures.image_grid(pca_row[:n_show], shown.ds.image_shape, ncols=n_show,
                                        row_labels=[f"PCA-{k}"], title=t("denoise.pca_title")),
                 key="pca_row")


def header_section() -> None:
    st.header(t("denoise.header"))
    with st.expander(t("common.about")):
        st.markdown(t("denoise.about"))


def _queue(job_cfg, start) -> None:
    """Queue a job of the page's (not a Train of the session's, which may have one training at a
    time) unless it has one; a refusal is said where its row would be."""
    if training(job_cfg) is None and session.refusal("denoiser", job_cfg) is None:
        try:
            start()
        except jobs.OverBudget as exc:
            session.refuse("denoiser", job_cfg, failures.message(exc))


def start_opening_jobs() -> None:
    """The page's opening noise: its denoiser and the CNN are queued at once, behind the model if
    that still trains."""
    cfg = session.shown_config()
    if cfg is None:
        return
    ds = dataset(cfg.data.name, cfg.data.seed)
    denoiser_cfg = denoising.denoiser_config(cfg, *denoising.DENOISE_DEFAULTS)
    cnn_cfg = denoising.classifier_config(cfg)
    _queue(denoiser_cfg, lambda: jobs.backend().train(denoiser_cfg, ds))
    _queue(cnn_cfg, lambda: jobs.backend().classifier(cnn_cfg, ds))


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


def numbers(shown: ShownModel, kind: str, level: float, denoiser: jobs.Job | None,
            cnn: jobs.Job | None) -> tuple[dict, dict]:
    """Rows of digits by role ("noisy", "denoiser" once trained, "model", "clean", "PCA-k") and the
    scores of each row but the clean one ({"PSNR (dB)", "SSIM", "MSE"}, and "CNN" once the CNN is
    trained: the share of all the viewed digits it reads right) by role, in the page's order."""
    rows, table = denoising.denoising_numbers(shown, shown.key, kind, level)
    k = shown.view.codes.shape[1]
    images, scores = {"noisy": rows["noisy"]}, {"noisy": dict(table["noisy"])}
    model = None
    if denoiser is not None and denoiser.finished_ok:
        model, key = denoiser.result.model, (denoiser.key, denoiser.finished)  # its config and training run
        images["denoiser"], denoised = denoising.denoised_by(model, shown, key, kind, level)
        scores["denoiser"] = dict(denoised)
    images["model"], scores["model"] = rows["autoencoder"], dict(table["autoencoder"])
    images["clean"] = shown.view.x
    images[f"PCA-{k}"], scores[f"PCA-{k}"] = rows[f"PCA-{k}"], dict(table[f"PCA-{k}"])
    if cnn is not None and cnn.finished_ok:
        key = (cnn.key, cnn.finished, shown.key, None if model is None else (denoiser.key, denoiser.finished))
        reads = denoising.cnn_reads(cnn.result, shown, model, key, kind, level)
        for role in scores:
            scores[role]["CNN"] = reads[role]
        scores["clean"] = {"CNN": reads["clean"]}
    return images, scores


def _label(role: str) -> str:
    """A row's role, worded for the page."""
    return role if role.startswith("PCA-") else t(f"denoise.row.{role}")


def grid_section(shown: ShownModel, images: dict, n_show: int, kind: str, level: float) -> None:
    """The noisy, cleaned and clean digits, one row each."""
    charts.chart(fig=figures.image_grid(np.concatenate([x[:n_show] for x in images.values()]), shown.ds.image_shape,
                                        ncols=n_show, row_labels=[_label(role) for role in images],
                                        title=t("denoise.grid_title", noise=sidebar.noise_label(kind), level=level)),
                 key="triptych")


def scores_section(scores: dict) -> None:
    """Each row's PSNR (with its gain over the noisy digits), SSIM and MSE, and how often the CNN
    reads its digits right."""
    noisy_psnr = scores["noisy"]["PSNR (dB)"]
    for col, (role, vals) in zip(st.columns(len(scores)), scores.items()):
        if "PSNR (dB)" in vals:
            col.metric(t("denoise.psnr_label", name=_label(role)), t("denoise.psnr_value", psnr=vals["PSNR (dB)"]),
                       delta=None if role == "noisy" else t("denoise.psnr_delta", delta=vals["PSNR (dB)"] - noisy_psnr))
            col.caption(t("denoise.scores", ssim=vals["SSIM"], mse=vals["MSE"]))
        if "CNN" in vals:
            col.metric(t("denoise.cnn_label", name=_label(role)), t("denoise.cnn_value", percent=100 * vals["CNN"]))


def _start(job_cfg: ExperimentConfig) -> None:
    try:
        start_training(job_cfg)
    except jobs.OverBudget as exc:
        session.refuse("denoiser", job_cfg, failures.message(exc))


@st.fragment(run_every=1.0)
def _job_progress(job: jobs.Job, text_key: str) -> None:
    if not job.pending:
        st.rerun(scope="app")  # ready: draw its row and its numbers
        return
    st.progress(job.progress, text=t(text_key, message=job.message))


def denoiser_section(shown: ShownModel, denoiser_cfg: ExperimentConfig, denoiser: jobs.Job | None) -> None:
    """What the denoiser is and why, then where it stands: refused, to train, training, failed."""
    m = denoiser_cfg.model
    st.caption(t("denoise.denoiser_is", k=m.latent_dim, hidden=", ".join(map(str, m.hidden)),
                 epochs=denoiser_cfg.train.epochs, shown_k=shown.view.codes.shape[1]))
    if denoiser is None:
        if (refused := session.refusal("denoiser", denoiser_cfg)) is not None:
            st.warning(t("denoise.no_denoiser", reason=refused), icon=":material/block:")
        else:
            st.button(t("denoise.train_denoiser"), key="train_denoiser", icon=":material/auto_fix_high:",
                      on_click=_start, args=(denoiser_cfg,),
                      help=t("denoise.train_denoiser_help", cost=cost.say(train_estimate(denoiser_cfg))))
    elif denoiser.pending:
        _job_progress(denoiser, "denoise.denoiser_progress")
    elif denoiser.status == "failed":
        progress.failure(t("denoise.denoiser_failed"), denoiser, lambda: retry_training(denoiser_cfg), "retry_denoiser")


def cnn_section(shown: ShownModel, cnn: jobs.Job | None) -> None:
    """Where the CNN that reads the rows stands: refused, training, failed (once trained, its
    readings are among the scores)."""
    if cnn is None:
        if (refused := session.refusal("denoiser", denoising.classifier_config(shown.cfg))) is not None:
            st.warning(t("denoise.no_cnn", reason=refused), icon=":material/block:")
    elif cnn.pending:
        _job_progress(cnn, "denoise.cnn_progress")
    elif cnn.status == "failed":
        progress.failure(t("denoise.cnn_failed"), cnn, lambda: _retry_cnn(shown, cnn.key), "retry_cnn")


def _retry_cnn(shown: ShownModel, cnn_cfg) -> None:
    try:
        jobs.backend().classifier(cnn_cfg, shown.ds, restart=True)
    except jobs.OverBudget as exc:
        session.refuse("denoiser", cnn_cfg, failures.message(exc))


main()
