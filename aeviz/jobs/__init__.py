"""Background work for every caller: trainings, lessons, UMAP and t-SNE, and the model store.

`backend()` is the process's one Jobs: local (threads of this server, plus one process for the
projections) by default, or Ray when AEVIZ_RAY_ADDRESS is set (host:port of a cluster, or auto).
Either way a job is submitted by key and deduplicated (a second session asking for the same
config gets the same job), reports progress, can be stopped (keeping what was trained so far),
and fails once, visibly: it is never resubmitted except by the user's Retry. Finished jobs are
kept for the least recently used few only.

No one session can hold a class back: every job's cost is estimated before it starts (aeviz.cost)
and one over the operator's budget (AEVIZ_MAX_JOB_S) is refused with what to change; a session
has at most one training queued or running (a new Train takes its queued one out of the queue, or
stops its running one, which keeps the model so far, unless another session waits for it too);
waiting jobs are served by session in turn; and a training running past 1.5x the budget stops,
keeping its model.

The service itself is `service.Jobs`; a job is `job.Job`. Nothing here imports streamlit; this
package imports nothing heavy, so the projection process can
unpickle work from aeviz.jobs.work cheaply.
"""
from __future__ import annotations

import os
import threading

from ..i18n import Msg
from . import store
from .job import Job, Registry
from .service import Jobs, JobsUnavailable, OverBudget

__all__ = ["Job", "Jobs", "JobsUnavailable", "OverBudget", "Registry", "backend", "prefetch", "store"]


_backend: Jobs | None = None
_lock = threading.Lock()


def backend() -> Jobs:
    """The process's Jobs, made on first use: Ray when AEVIZ_RAY_ADDRESS is set, else local."""
    global _backend
    with _lock:
        if _backend is None:
            address = os.environ.get("AEVIZ_RAY_ADDRESS", "").strip()
            if address:
                try:
                    from .ray_runner import RayRunner

                    _backend = Jobs(RayRunner(address))
                except (ImportError, ConnectionError, RuntimeError, ValueError) as exc:
                    raise JobsUnavailable(Msg("jobs.ray_unavailable", address=address,
                                              err=str(exc).strip().splitlines()[0])) from exc
            else:
                from .local import LocalRunner

                _backend = Jobs(LocalRunner())
        return _backend


_prefetcher = None


def prefetch(fn, *args):
    """fn(*args) (a cached function) in one background thread, in order, so that a view the user is
    likely to open next finds its result ready. Returns its Future."""
    global _prefetcher
    with _lock:
        if _prefetcher is None:
            from concurrent.futures import ThreadPoolExecutor

            _prefetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="aeviz-prefetch")
    return _prefetcher.submit(fn, *args)
