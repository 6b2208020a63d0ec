"""The baselines beside the autoencoder's code: PCA here (cached), UMAP and t-SNE as background jobs.

Every cache and job key carries `digits` = (data set name, split seed): the same name split with
another seed holds other held-out digits, and so other points.
"""
from __future__ import annotations

import contextlib

import numpy as np
import streamlit as st

from .. import analysis, data, jobs
from ..config import ProjectionConfig
from ..jobs import Job
from . import session
from .shown import dataset

Digits = tuple[str, int]  # (data set name, split seed)


def dims(k: int) -> ProjectionConfig:
    """The baselines beside a k-number code: in 3-D beside a 3-D code, else in 2-D."""
    return ProjectionConfig(n_components=3 if k == 3 else 2)


@st.cache_resource(max_entries=8)
def pca_projection(_ds: data.Dataset, digits: Digits, n: int = 2) -> np.ndarray:
    """PCA (fitted on the training digits) of the viewed held-out digits of _ds, which `digits`
    names. -> (N, n)"""
    return analysis.baseline_projection("pca", _ds, ProjectionConfig(n_components=n))


@st.cache_resource(max_entries=8)
def pca_fit(_ds: data.Dataset, digits: Digits, n: int = 2):
    """The n-component PCA of the training digits of _ds (`digits` names it) that pca_projection
    projects with: its inverse is the PCA panel's way back to pixels."""
    return analysis.fit_pca(_ds.x_train, n)


def projection_job(method: str, ds: data.Dataset, digits: Digits, proj: ProjectionConfig = ProjectionConfig(),
                   restart: bool = False) -> Job:
    """A slow baseline projection (UMAP, t-SNE) of the viewed held-out digits of ds (which `digits`
    names), in the background; `restart` (the user's Retry) replaces a failed one. Raises
    jobs.OverBudget when it would take longer than the server's budget."""
    key = (method, digits, proj)
    if (job := jobs.backend().projections.get(key)) is not None and not restart:
        return job
    x = np.ascontiguousarray(ds.x_test[analysis.drawn_ids(ds, method)])  # sent, so uploads work too
    return jobs.backend().project(method, key, x, proj, restart=restart, session=session.session_id())


def finished_projection(method: str, digits: Digits, proj: ProjectionConfig = ProjectionConfig()):
    """The (N, 2) result of a finished background projection, or None (none asked, or not done)."""
    job = jobs.backend().projections.get((method, digits, proj))
    return job.result if job is not None and job.finished_ok else None


def warm_up() -> None:
    """Start the shown data set's UMAP in the background as soon as the Latent page opens, so that
    the first one (numba compiles for ~10 s) is ready by the time the autoencoder is."""
    cfg = session.shown_config()
    if cfg is not None:
        digits = (cfg.data.name, cfg.data.seed)
        k = cfg.model.latent_dim if cfg.model.kind != "overcomplete" else 0  # the overcomplete code is wide
        with contextlib.suppress(jobs.OverBudget):  # its panel says so, when the model shows
            projection_job("umap", dataset(*digits), digits, dims(k))
