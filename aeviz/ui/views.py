"""Cached numbers the pages show beyond the Latent page, and a background thread that computes
the likely next ones ahead of time (the prefetch)."""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import streamlit as st

from .. import analysis, jobs
from ..config import DENOISE_NOISE, DENOISE_SEED, ExperimentConfig, NoiseConfig
from ..nets import infer
from .common import dataset, latent_view, trained

if TYPE_CHECKING:
    from .common import ShownModel

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
def denoised_by(cfg: ExperimentConfig, finished_at: float, kind: str, level: float):
    """What cfg's model makes of the page's noisy digits: (the first DENOISE_SHOWN_MAX cleaned
    digits (n, D), their scores {"PSNR (dB)", "SSIM", "MSE"} over all the viewed digits)."""
    from .. import metrics, noise

    ds = dataset(cfg.data.name, cfg.data.seed)
    x = ds.x_test[analysis.view_indices(ds)]  # (N, D), as the latent view's
    cleaned = infer.reconstruct(trained(cfg).model, noise.corrupt(x, kind, level, seed=NOISE_SEED))
    return cleaned[:DENOISE_SHOWN_MAX].copy(), metrics.image_scores(x, cleaned, ds.image_shape)


@st.cache_resource(max_entries=16, show_spinner=False)
def _pca(ds_name: str, seed: int, k: int):
    """PCA-k of the training digits, fitted once per data set and k (not on every slider move)."""
    return analysis.fit_pca(dataset(ds_name, seed).x_train, k)


@st.cache_resource(max_entries=32, show_spinner=False)
def denoise_view(cfg: ExperimentConfig, finished_at: float, kind: str, level: float):
    """The Denoising page's numbers for a trained model and a noise setting, computed once:
    rows = {"noisy", "autoencoder", "PCA-k"} -> the first DENOISE_SHOWN_MAX of the (N, D) held-out
    digits of the latent view, corrupted with a fixed seed, then cleaned (only those are kept: the
    cache holds many settings); table = row -> {"PSNR (dB)", "SSIM", "MSE"} of all N digits
    against the clean ones."""
    from .. import metrics, noise

    ds, view = dataset(cfg.data.name, cfg.data.seed), latent_view(cfg, finished_at)
    noisy = noise.corrupt(view.x, kind, level, seed=NOISE_SEED)  # (N, D)
    k = view.codes.shape[1]
    rows = {"noisy": noisy, "autoencoder": infer.reconstruct(trained(cfg).model, noisy),
            f"PCA-{k}": analysis.pca_denoise(ds.x_train, noisy, k, _pca(ds.name, cfg.data.seed, k))}
    table = {name: metrics.image_scores(view.x, x, ds.image_shape) for name, x in rows.items()}
    return {name: x[:DENOISE_SHOWN_MAX].copy() for name, x in rows.items()}, table


def prefetch(fn, *args) -> None:
    """fn(*args) (a cached function) computed ahead in the background (jobs.prefetch). Called only
    once the Latent page has everything it waits for, so it never delays the panels."""
    jobs.prefetch(fn, *args)


def prefetch_pages(act: ShownModel) -> None:
    """What the other pages will show of this model: the Denoising page at its opening setting."""
    prefetch(denoise_view, act.cfg, act.task.finished, *DENOISE_DEFAULTS)
