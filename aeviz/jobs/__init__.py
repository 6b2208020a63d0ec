"""Background work for every caller: trainings, lessons, UMAP and t-SNE, and the model store.

`backend()` is the process's one Jobs: local (threads of this server, plus one process for the
projections) by default, or Ray when AEVIZ_RAY_ADDRESS is set (host:port of a cluster, or auto).
Either way a job is submitted by key and deduplicated (a second session asking for the same
config gets the same job), reports progress, can be stopped (keeping what was trained so far),
and fails once, visibly: it is never resubmitted except by the user's Retry. Finished jobs are
kept for the least recently used few only. Nothing here imports streamlit; this module imports
nothing heavy, so the projection process can unpickle work from aeviz.jobs.work cheaply.
"""
from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from . import store
from .job import Job, Registry

if TYPE_CHECKING:
    import numpy as np

    from ..config import ExperimentConfig, ProjectionConfig
    from ..data import Dataset

__all__ = ["Job", "Jobs", "JobsUnavailable", "backend", "prefetch", "store"]


class JobsUnavailable(RuntimeError):
    """The backend the environment asks for cannot be reached (the Ray cluster is down)."""


class Jobs:
    """Trainings and lessons share the training slots; projections have their own."""

    def __init__(self, runner):
        self.runner = runner
        train_slots = threading.BoundedSemaphore(runner.train_slots)
        self.trainings = Registry(max_entries=12, slots=train_slots)
        self.lessons = Registry(max_entries=24, slots=train_slots)
        self.projections = Registry(max_entries=24, slots=threading.BoundedSemaphore(runner.projection_slots))

    def train(self, cfg: ExperimentConfig, ds: Dataset, restart: bool = False) -> Job:
        """cfg's model: from the model store when any server has trained it, else trained (and
        stored once complete). A stopped or failed one is trained again only when `restart`."""
        from . import store, work

        def run(job: Job):
            if (hit := store.load(cfg)) is not None:
                job.origin = {"store": True, **hit[1]}
                job.report(1.0, "loaded from the model store")
                return hit[0]
            result = self.runner.run(job, work.fit_model, (cfg, ds), kind="train", cpus=self._train_cpus(),
                                     pack=work.pack_model, unpack=work.unpack_model)
            if not job.stop_requested and not result.stopped_early:
                store.save(cfg, result, ds.image_shape)
            return result

        return self.trainings.submit(cfg, run, label="train", restart=restart)

    def loaded(self, cfg: ExperimentConfig, model) -> Job:
        """A model a user loaded from files, served like a trained one (no history, no replay)."""
        from ..train import TrainResult

        job = self.trainings.submit(cfg, lambda j: TrainResult(model=model), label="loaded", restart=True)
        return job.wait(30)

    def lesson(self, key: tuple, name: str, kwargs: dict, restart: bool = False) -> Job:
        """experiments.run(name, **kwargs) as a job; on Ray its nets train in parallel tasks."""
        from . import work

        fit_many = getattr(self.runner, "lesson_fit_many", None)
        return self.lessons.submit(key, lambda job: self.runner.run(job, work.run_lesson, (name, kwargs, fit_many),
                                                                    kind="lesson"),
                                   label=name, restart=restart)

    def project(self, method: str, key: tuple, x: np.ndarray, proj: ProjectionConfig, restart: bool = False) -> Job:
        """A UMAP or t-SNE of x (N, D) -> (N, 2), in its own process (local) or a Ray task."""
        from . import work

        name = repr(key)  # the store's name for these points: same key, same points on every server

        def run(job: Job):
            if not restart and (points := store.load_points(name)) is not None:
                job.origin = {"store": True}
                return points
            points = self.runner.run(job, work.project_points, (method, x, proj), kind=method, isolated=True)
            store.save_points(name, points)
            return points

        return self.projections.submit(key, run, label=method, restart=restart)

    def _train_cpus(self) -> int:
        return int(os.environ.get("AEVIZ_TRAIN_CPUS", "1"))


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
                    raise JobsUnavailable(f"the Ray cluster at {address} (AEVIZ_RAY_ADDRESS) cannot be used: "
                                          f"{str(exc).strip().splitlines()[0]}") from exc
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
