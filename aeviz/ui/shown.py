"""Which model the pages show: its training job, its data set, its view of the held-out digits.

A page asks `shown_model()` once and passes the ShownModel it gets to its sections and caches;
nothing below a page looks the data set or the job up again.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from .. import analysis, data, failures, jobs
from ..config import ExperimentConfig
from ..i18n import t
from ..jobs import Job
from ..nets import loop
from . import progress, session


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


def retry_training(cfg: ExperimentConfig) -> None:
    """The Retry of a failed training: started again, or refused (said under Train)."""
    try:
        start_training(cfg, restart=True)
    except jobs.OverBudget as exc:
        session.refuse("train", cfg, failures.message(exc))


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
    shown = session.shown_config()
    if pressed:
        previous = training(sidebar_cfg)
        _show_and_start(sidebar_cfg, restart=previous is not None and previous.status in ("stopped", "failed"))
    elif sidebar_cfg != shown and _is_finished(sidebar_cfg):
        session.show(sidebar_cfg)  # someone trained it already: show it at once
    elif (shown is None or (shown == sidebar_cfg and training(shown) is None)) and \
            train_estimate(sidebar_cfg) <= 1.25 * train_estimate(ExperimentConfig()):
        _show_and_start(sidebar_cfg)  # (the second case: a run that showed it was cut short before it started)
    return session.shown_config()


def _show_and_start(cfg: ExperimentConfig, restart: bool = False) -> None:
    """Show cfg, then start its training, or say why it cannot start (what was shown stays).
    Shown first: a click or an upload cuts this run short wherever it is, and a next run that did
    not find the training it started shown would start the sidebar's and replace it."""
    before = session.shown_config()
    session.show(cfg)
    try:
        start_training(cfg, restart=restart)
    except jobs.OverBudget as exc:  # nothing starts; what the session had stays
        session.show(before)
        session.refuse("train", cfg, failures.message(exc))
    else:
        session.forget_refusal("train")


def _is_finished(cfg: ExperimentConfig) -> bool:
    """Trained already, here or by any server sharing the model store (then loaded from it)."""
    job = training(cfg)
    if job is None and jobs.store.contains(cfg):
        job = start_training(cfg).wait(10)
    return job is not None and job.finished_ok


@st.cache_resource(max_entries=16)
def latent_view(_model, _ds: data.Dataset, cfg: ExperimentConfig, finished_at: float) -> analysis.LatentView:
    """The trained model's view of the held-out digits, cached per config and training run (which
    name the model _model and its data set _ds)."""
    return analysis.latent_view(_model, _ds)


@dataclass
class ShownModel:
    """The trained model the pages show, with its job, data set and view of the held-out digits."""

    cfg: ExperimentConfig
    job: Job
    result: loop.TrainResult
    ds: data.Dataset
    view: analysis.LatentView

    @property
    def key(self) -> tuple[ExperimentConfig, float]:
        """What names this model in a cache: its config and when its training finished."""
        return self.cfg, self.job.finished

    @property
    def digits(self) -> tuple[str, int]:
        """Which digits it was trained and viewed on: the data set's name and split seed."""
        return self.cfg.data.name, self.cfg.data.seed


def shown_model() -> ShownModel | None:
    """The model the pages show, or None (after drawing why: training, failed, nothing yet)."""
    cfg, sidebar_cfg = session.shown_config(), session.sidebar_config()
    if cfg is None:
        from .. import cost

        st.info(t("common.link_waits", seconds=cost.say(train_estimate(sidebar_cfg))))
        return None
    if cfg != sidebar_cfg:
        st.caption(t("common.earlier_settings", diff=config_diff(cfg, sidebar_cfg)))
    job = progress.training_panel(cfg, training(cfg), lambda: retry_training(cfg))
    if job is None or not job.finished_ok:
        return None
    ds = dataset(cfg.data.name, cfg.data.seed)
    return ShownModel(cfg, job, job.result, ds, latent_view(job.result.model, ds, cfg, job.finished))


def config_diff(old: ExperimentConfig, new: ExperimentConfig) -> str:
    """'epochs 5 → 20, latent_dim 2 → 3': the settings that differ."""
    a, b = old.to_dict(), new.to_dict()
    out = [f"{k} {a[s][k]} → {b[s][k]}" for s in a for k in a[s] if a[s][k] != b[s][k]]
    return ", ".join(out) or t("common.nothing")
