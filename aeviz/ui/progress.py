"""Background jobs as the pages show them: the training panel, live progress and loss while a job
runs, and a failed job's message with its Retry."""
from __future__ import annotations

import time
from collections.abc import Callable

import streamlit as st

from ..config import ExperimentConfig
from ..i18n import t
from ..jobs import Job


def training_panel(cfg: ExperimentConfig, job: Job | None, retry: Callable[[], None]) -> Job | None:
    """Progress of cfg's training `job` while it runs (updated every second), its outcome after;
    `retry()` is the Retry of a failed one. Returns the job when there is one to show."""
    if job is None:
        st.info(t("common.press_train"))
        return None
    if job.status == "cancelled":
        st.info(t("common.replaced"))
        return None
    if job.pending:
        _live_progress(job)
        _live_loss(job)
    elif job.status == "failed":
        failure(t("common.training_failed"), job, retry, "retry_training")
    elif job.status == "stopped" and job.hit_limit:
        st.warning(t("common.stopped_at_limit", limit=round(job.limit_s), epoch=len(job.history),
                     epochs=cfg.train.epochs))
    elif job.status == "stopped":
        st.warning(t("common.stopped", epoch=len(job.history), epochs=cfg.train.epochs))
    elif job.origin is not None:
        o = job.origin
        st.caption(t("common.from_store", when=o["trained_at"], host=o["host"], pid=o["pid"], seconds=o["seconds"]))
    return job


@st.fragment(run_every=1.0)
def _live_progress(job: Job) -> None:
    if not job.pending:
        st.rerun(scope="app")  # finished: draw the pages with the results
        return
    cols = st.columns([5, 1])
    label = str(job.message) if job.status == "running" else f"⏳ {job.message}"
    cols[0].progress(job.progress, text=label)
    if cols[1].button(t("common.stop"), key="stop_button", help=t("common.stop_help")):
        job.stop()


@st.fragment(run_every=3.0)
def _live_loss(job: Job) -> None:
    """The loss curves so far, every 3 s, as Streamlit's light line chart: a plotly chart rebuilt
    and redrawn every second took a third of the CPU time of a training sharing two cores with it."""
    if job.pending and job.history:
        st.line_chart({t("common.training"): [h["train_loss"] for h in job.history],
                       t("common.validation"): [h["val_loss"] for h in job.history]},
                      x_label=t("common.epoch"), y_label=t("common.per_pixel_loss"), height=220)


def failure(what: str, job: Job, retry: Callable[[], object], key: str) -> None:
    """A failed background job, shown once where its result would be: what failed, why, and a
    Retry button (the only way it runs again). `retry()` resubmits it."""
    st.error(t("common.failed", what=what, why=job.error), icon=":material/error:")
    st.button(t("common.retry"), key=key, on_click=retry, icon=":material/refresh:", help=t("common.retry_help"))


def wait_seconds(job: Job) -> float:
    """How long a pending job has waited and run so far."""
    return time.time() - (job.started or job.created)
