"""The Denoising page's numbers: the shown model, PCA and the page's own denoiser cleaning the same
corrupted held-out digits, and how often the lessons' CNN reads each row right, cached per model
and noise; and their prefetch, so the page's opening setting is ready before the page is opened."""
from __future__ import annotations

import numpy as np
import streamlit as st

from .. import analysis, config, data, jobs
from ..config import DENOISE_NOISE, DENOISE_SEED, ClassifierConfig, ExperimentConfig, NoiseConfig
from ..nets import infer
from .shown import ShownModel

DENOISE_DEFAULTS = (DENOISE_NOISE.kind, DENOISE_NOISE.level)  # the page's noise when it opens
DENOISE_SHOWN_MAX = 30  # the most digits the Denoising page shows
NOISE_SEED = DENOISE_SEED


def denoiser_config(cfg: ExperimentConfig, kind: str, level: float) -> ExperimentConfig:
    """The page's denoiser for the shown model's data (cfg's) and this noise: the same for every
    bottleneck of the sidebar (config.DENOISER)."""
    return config.denoiser(cfg.data, NoiseConfig(kind, float(level)))


def classifier_config(cfg: ExperimentConfig) -> ClassifierConfig:
    """The lessons' CNN for the shown model's data (cfg's), trained on its clean digits."""
    return ClassifierConfig(cfg.data)


@st.cache_resource(max_entries=32, show_spinner=False)
def denoised_by(_model, _shown: ShownModel, key: tuple[ExperimentConfig, float], kind: str, level: float):
    """What another model (_model, the denoiser: `key` is its config and training run) makes of the
    page's noisy digits, those of _shown's view: (the first DENOISE_SHOWN_MAX cleaned digits (n, D),
    their scores {"PSNR (dB)", "SSIM", "MSE"} over the judged digits)."""
    from .. import metrics, noise

    x = _shown.view.x[judged(_shown)]  # (N, D): the denoiser's config names the same data set and split
    cleaned = infer.reconstruct(_model, noise.corrupt(x, kind, level, seed=NOISE_SEED))
    return cleaned[:DENOISE_SHOWN_MAX].copy(), metrics.image_scores(x, cleaned, _shown.ds.image_shape)


@st.cache_resource(max_entries=16, show_spinner=False)
def _pca(_ds: data.Dataset, digits: tuple[str, int], k: int):
    """PCA-k of the training digits of _ds (which `digits` names), fitted once per data set, split
    and k (not on every slider move)."""
    return analysis.fit_pca(_ds.x_train, k)


def _noisy_and_cleaned(shown: ShownModel, kind: str, level: float) -> dict[str, np.ndarray]:
    """The judged held-out digits (N, D) corrupted with the page's noise seed ("noisy"), and as the
    shown model ("autoencoder") and PCA-k clean them: what the scores and the CNN's readings judge."""
    from .. import noise

    ds, view = shown.ds, shown.view
    noisy = noise.corrupt(view.x[judged(shown)], kind, level, seed=NOISE_SEED)
    k = view.codes.shape[1]
    return {"noisy": noisy, "autoencoder": infer.reconstruct(shown.result.model, noisy),
            f"PCA-{k}": analysis.pca_denoise(ds.x_train, noisy, k, _pca(ds, shown.digits, k))}


@st.cache_resource(max_entries=32, show_spinner=False)
def denoising_numbers(_shown: ShownModel, key: tuple[ExperimentConfig, float], kind: str, level: float):
    """The Denoising page's numbers for the shown model (`key`: _shown.key) and a noise setting,
    computed once: rows = {"noisy", "autoencoder", "PCA-k"} -> the first DENOISE_SHOWN_MAX of the
    (N, D) held-out digits of the latent view, corrupted with a fixed seed, then cleaned (only those
    are kept: the cache holds many settings); table = row -> {"PSNR (dB)", "SSIM", "MSE"} of the N
    judged digits against the clean ones."""
    from .. import metrics

    ds, view = _shown.ds, _shown.view
    rows = _noisy_and_cleaned(_shown, kind, level)
    table = {name: metrics.image_scores(view.x[judged(_shown)], x, ds.image_shape) for name, x in rows.items()}
    return {name: x[:DENOISE_SHOWN_MAX].copy() for name, x in rows.items()}, table


@st.cache_resource(max_entries=64, show_spinner=False)
def cnn_reads(_cnn, _shown: ShownModel, _denoiser, key: tuple, kind: str, level: float) -> dict[str, float]:
    """The share of the viewed digits the CNN (_cnn) reads right in each row: "clean", "noisy",
    "model" (_shown's reconstruction of the noisy ones), "denoiser" (_denoiser's, when given) and
    "PCA-k". `key` names the CNN, the shown model and the denoiser (their configs and runs). The
    rows are made again here (the page's caches keep only the first digits of each)."""
    from ..nets import classifier

    view = _shown.view
    rows = _noisy_and_cleaned(_shown, kind, level)
    rows["model"] = rows.pop("autoencoder")
    rows["clean"] = view.x[judged(_shown)]
    if _denoiser is not None:
        rows["denoiser"] = infer.reconstruct(_denoiser, rows["noisy"])
    labels = view.labels[judged(_shown)]
    return {role: float(np.mean(classifier.predict(_cnn, x) == labels)) for role, x in rows.items()}


def judged(shown: ShownModel) -> np.ndarray:
    """Positions in the latent view of the digits the page corrupts, cleans and scores: all of
    them, or a stratified analysis.SCORED (the page says so): every slider move cleans and scores
    them all again, and the CNN reads each five times."""
    return analysis.subset(shown.view.labels, analysis.SCORED)


def prefetch(shown: ShownModel) -> None:
    """The Denoising page's numbers at its opening setting, computed ahead in the background
    (jobs.prefetch). Called only once the Latent page has everything it waits for, so it never
    delays the panels."""
    jobs.prefetch(denoising_numbers, shown, shown.key, *DENOISE_DEFAULTS)
