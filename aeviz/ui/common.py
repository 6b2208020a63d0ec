"""What every page shares: the model shown and its training panel, the baselines' jobs, small
widgets. (Charts and their export menus: charts.py.)"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import streamlit as st

from .. import analysis, data, failures, jobs
from ..config import ExperimentConfig, ProjectionConfig
from ..i18n import t
from ..jobs import Job
from ..nets import loop
from . import session


def dataset(name: str, seed: int = 0) -> data.Dataset:
    """A built-in data set (data.load, cached there per name and seed) or an upload held here."""
    from .. import upload

    held = upload.held(name)
    return held if held is not None else data.load(name, seed=seed)


def training(cfg: ExperimentConfig) -> Job | None:
    """cfg's training job on this server, if any (running, finished or failed)."""
    return jobs.backend().trainings.get(cfg)


def register_loaded(cfg: ExperimentConfig, model) -> Job:
    """A model loaded from files, served like a trained one (no loss history, no replay)."""
    return jobs.backend().loaded(cfg, model)


def start_training(cfg: ExperimentConfig, restart: bool = False) -> Job:
    """cfg's training job for this session; raises jobs.OverBudget (see jobs.train)."""
    ds = dataset(cfg.data.name, cfg.data.seed)
    return jobs.backend().train(cfg, ds, restart=restart, session=session.session_id())


def train_estimate(cfg: ExperimentConfig) -> float:
    """About how many seconds cfg's training takes on this server."""
    from .. import cost

    ds = dataset(cfg.data.name, cfg.data.seed)
    return cost.train_seconds(cfg, len(ds.x_train), len(ds.x_test), ds.image_shape)


def choose_shown(sidebar_cfg: ExperimentConfig, pressed: bool) -> ExperimentConfig | None:
    """The config whose model the pages show. Train starts the sidebar's config (or finishes one that
    was stopped) when it is within the server's budget; a config already trained by anyone shows at
    once; the first visit trains the sidebar's config only when it costs no more than the defaults
    (a link fills in the sidebar, and a costlier one waits for Train)."""
    if pressed:
        previous = training(sidebar_cfg)
        try:
            start_training(sidebar_cfg, restart=previous is not None and previous.status in ("stopped", "failed"))
        except jobs.OverBudget as exc:  # nothing starts; what the session had stays
            session.refuse("train", sidebar_cfg, failures.message(exc))
        else:
            session.forget_refusal("train")
            session.show(sidebar_cfg)
    elif sidebar_cfg != session.shown_config() and _is_finished(sidebar_cfg):
        session.show(sidebar_cfg)  # someone trained it already: show it at once
    elif session.shown_config() is None and \
            train_estimate(sidebar_cfg) <= 1.25 * train_estimate(ExperimentConfig()):
        try:
            start_training(sidebar_cfg)
            session.show(sidebar_cfg)
        except jobs.OverBudget as exc:
            session.refuse("train", sidebar_cfg, failures.message(exc))
    return session.shown_config()


def retry_training(cfg: ExperimentConfig) -> None:
    try:
        start_training(cfg, restart=True)
    except jobs.OverBudget as exc:
        session.refuse("train", cfg, failures.message(exc))


def _is_finished(cfg: ExperimentConfig) -> bool:
    """Trained already, here or by any server sharing the model store (then loaded from it)."""
    task = training(cfg)
    if task is None and jobs.store.contains(cfg):
        task = start_training(cfg).wait(10)
    return task is not None and task.finished_ok


def training_panel(cfg: ExperimentConfig) -> Job | None:
    """Progress of cfg's training while it runs (updated every second), its outcome after."""
    task = training(cfg)
    if task is None:
        st.info(t("common.press_train"))
        return None
    if task.status == "cancelled":
        st.info(t("common.replaced"))
        return None
    if task.pending:
        _live_progress(cfg)
        _live_loss(cfg)
    elif task.status == "failed":
        failure(t("common.training_failed"), task, lambda: retry_training(cfg), "retry_training")
    elif task.status == "stopped" and task.hit_limit:
        st.warning(t("common.stopped_at_limit", limit=round(task.limit_s), epoch=len(task.history),
                     epochs=cfg.train.epochs))
    elif task.status == "stopped":
        st.warning(t("common.stopped", epoch=len(task.history), epochs=cfg.train.epochs))
    elif task.origin is not None:
        o = task.origin
        st.caption(t("common.from_store", when=o["trained_at"], host=o["host"], pid=o["pid"], seconds=o["seconds"]))
    return task


@st.fragment(run_every=1.0)
def _live_progress(cfg: ExperimentConfig) -> None:
    task = training(cfg)
    if task is None or not task.pending:
        st.rerun(scope="app")  # finished: draw the pages with the results
        return
    cols = st.columns([5, 1])
    label = str(task.message) if task.status == "running" else f"⏳ {task.message}"
    cols[0].progress(task.progress, text=label)
    if cols[1].button(t("common.stop"), key="stop_button", help=t("common.stop_help")):
        task.stop()


@st.fragment(run_every=3.0)
def _live_loss(cfg: ExperimentConfig) -> None:
    """The loss curves so far, every 3 s, as Streamlit's light line chart: a plotly chart rebuilt
    and redrawn every second took a third of the CPU time of a training sharing two cores with it."""
    task = training(cfg)
    if task is not None and task.pending and task.history:
        st.line_chart({t("common.training"): [h["train_loss"] for h in task.history],
                       t("common.validation"): [h["val_loss"] for h in task.history]},
                      x_label=t("common.epoch"), y_label=t("common.per_pixel_loss"), height=220)


def trained(cfg: ExperimentConfig) -> loop.TrainResult | None:
    task = training(cfg)
    return task.result if task is not None and task.finished_ok else None


@st.cache_resource(max_entries=16)
def latent_view(cfg: ExperimentConfig, finished_at: float) -> analysis.LatentView:
    """The trained model's view of the held-out digits (cached per config and training run)."""
    result = trained(cfg)
    return analysis.latent_view(result.model, dataset(cfg.data.name, cfg.data.seed))


@dataclass
class ShownModel:
    """The trained model the pages show, with its job, data set and view of the held-out digits."""

    cfg: ExperimentConfig
    task: Job
    result: loop.TrainResult
    ds: data.Dataset
    view: analysis.LatentView


def shown_model() -> ShownModel | None:
    """The model the pages show, or None (after drawing why: training, failed, nothing yet)."""
    cfg, sidebar_cfg = session.shown_config(), session.sidebar_config()
    if cfg is None:
        from .. import cost

        st.info(t("common.link_waits", seconds=cost.say(train_estimate(sidebar_cfg))))
        return None
    if cfg != sidebar_cfg:
        st.caption(t("common.earlier_settings", diff=config_diff(cfg, sidebar_cfg)))
    task = training_panel(cfg)
    if task is None or not task.finished_ok:
        return None
    ds = dataset(cfg.data.name, cfg.data.seed)
    return ShownModel(cfg, task, task.result, ds, latent_view(cfg, task.finished))


@st.cache_resource(max_entries=8)
def pca_projection(digits: tuple[str, int]) -> np.ndarray:
    """PCA of the viewed held-out digits of `digits` = (data set name, split seed)."""
    return analysis.baseline_projection("pca", dataset(*digits))


def projection_task(method: str, digits: tuple[str, int], proj: ProjectionConfig = ProjectionConfig(),
                    restart: bool = False) -> Job:
    """A slow baseline projection (UMAP, t-SNE) of the viewed held-out digits of `digits` = (data
    set name, split seed), in the background; `restart` (the user's Retry) replaces a failed one."""
    key = (method, tuple(digits), proj)
    if (job := jobs.backend().projections.get(key)) is not None and not restart:
        return job
    ds = dataset(*digits)
    x = np.ascontiguousarray(ds.x_test[analysis.view_indices(ds)])  # sent, so uploads work too
    return jobs.backend().project(method, key, x, proj, restart=restart, session=session.session_id())


def finished_projection(method: str, digits: tuple[str, int], proj: ProjectionConfig = ProjectionConfig()):
    """The (N, 2) result of a finished background projection, or None (none asked, or not done)."""
    job = jobs.backend().projections.get((method, tuple(digits), proj))
    return job.result if job is not None and job.finished_ok else None


def warm_up() -> None:
    """Start the data set's UMAP in the background as soon as the Latent page opens, so that the
    first one (numba compiles for ~10 s) is ready by the time the autoencoder is."""
    cfg = session.shown_config()
    if cfg is not None:
        projection_task("umap", (cfg.data.name, cfg.data.seed))


def config_diff(old: ExperimentConfig, new: ExperimentConfig) -> str:
    """'epochs 5 → 20, latent_dim 2 → 3': the settings that differ."""
    a, b = old.to_dict(), new.to_dict()
    out = [f"{k} {a[s][k]} → {b[s][k]}" for s in a for k in a[s] if a[s][k] != b[s][k]]
    return ", ".join(out) or t("common.nothing")


def failure(what: str, task: Job, retry, key: str) -> None:
    """A failed background job, shown once where its result would be: what failed, why, and a
    Retry button (the only way it runs again). `retry()` resubmits it."""
    st.error(t("common.failed", what=what, why=task.error), icon=":material/error:")
    st.button(t("common.retry"), key=key, on_click=retry, icon=":material/refresh:", help=t("common.retry_help"))


def about(text: str) -> None:
    with st.expander(t("common.about")):
        st.markdown(text)


def wait_seconds(task: Job) -> float:
    return time.time() - (task.started or task.created)
