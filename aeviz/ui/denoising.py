"""The Denoising page's numbers: the shown model, PCA and the model's denoising twin cleaning the
same corrupted held-out digits, cached per model and noise; and their prefetch, so the page's
opening setting is ready before the page is opened."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from .. import analysis, data, jobs
from ..config import DENOISE_NOISE, DENOISE_SEED, ExperimentConfig, NoiseConfig
from ..nets import infer
from .shown import ShownModel

DENOISE_DEFAULTS = (DENOISE_NOISE.kind, DENOISE_NOISE.level)  # the page's noise when it opens
DENOISE_SHOWN_MAX = 30  # the most digits the Denoising page shows
NOISE_SEED = DENOISE_SEED
TWIN_EPOCHS = 4  # enough for a denoiser to beat the noisy input by several dB, in a few seconds


def matching_denoiser(cfg: ExperimentConfig, kind: str, level: float) -> ExperimentConfig | None:
    """cfg's denoising twin for this noise (same data, widths, bottleneck and optimiser; at most
    TWIN_EPOCHS epochs), or None when cfg's model was trained on noise already."""
    if cfg.noise.kind != "none":
        return None
    return replace(cfg, model=replace(cfg.model, kind="denoising"), noise=NoiseConfig(kind, float(level)),
                   train=replace(cfg.train, epochs=min(cfg.train.epochs, TWIN_EPOCHS)))


@st.cache_resource(max_entries=32, show_spinner=False)
def denoised_by(_model, _shown: ShownModel, key: tuple[ExperimentConfig, float], kind: str, level: float):
    """What another model (_model, the twin: `key` is its config and training run) makes of the
    page's noisy digits, those of _shown's view: (the first DENOISE_SHOWN_MAX cleaned digits (n, D),
    their scores {"PSNR (dB)", "SSIM", "MSE"} over all the viewed digits)."""
    from .. import metrics, noise

    x = _shown.view.x  # (N, D): the twin's config names the same data set and split
    cleaned = infer.reconstruct(_model, noise.corrupt(x, kind, level, seed=NOISE_SEED))
    return cleaned[:DENOISE_SHOWN_MAX].copy(), metrics.image_scores(x, cleaned, _shown.ds.image_shape)


@st.cache_resource(max_entries=16, show_spinner=False)
def _pca(_ds: data.Dataset, digits: tuple[str, int], k: int):
    """PCA-k of the training digits of _ds (which `digits` names), fitted once per data set, split
    and k (not on every slider move)."""
    return analysis.fit_pca(_ds.x_train, k)


@st.cache_resource(max_entries=32, show_spinner=False)
def denoising_numbers(_shown: ShownModel, key: tuple[ExperimentConfig, float], kind: str, level: float):
    """The Denoising page's numbers for the shown model (`key`: _shown.key) and a noise setting,
    computed once: rows = {"noisy", "autoencoder", "PCA-k"} -> the first DENOISE_SHOWN_MAX of the
    (N, D) held-out digits of the latent view, corrupted with a fixed seed, then cleaned (only those
    are kept: the cache holds many settings); table = row -> {"PSNR (dB)", "SSIM", "MSE"} of all N
    digits against the clean ones."""
    from .. import metrics, noise

    ds, view = _shown.ds, _shown.view
    noisy = noise.corrupt(view.x, kind, level, seed=NOISE_SEED)  # (N, D)
    k = view.codes.shape[1]
    rows = {"noisy": noisy, "autoencoder": infer.reconstruct(_shown.result.model, noisy),
            f"PCA-{k}": analysis.pca_denoise(ds.x_train, noisy, k, _pca(ds, _shown.digits, k))}
    table = {name: metrics.image_scores(view.x, x, ds.image_shape) for name, x in rows.items()}
    return {name: x[:DENOISE_SHOWN_MAX].copy() for name, x in rows.items()}, table


def prefetch(shown: ShownModel) -> None:
    """The Denoising page's numbers at its opening setting, computed ahead in the background
    (jobs.prefetch). Called only once the Latent page has everything it waits for, so it never
    delays the panels."""
    jobs.prefetch(denoising_numbers, shown, shown.key, *DENOISE_DEFAULTS)
