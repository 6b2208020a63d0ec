"""The Jobs service: what a server asks for (a training, a lesson, a projection), deduplicated by
key, priced before it starts, and run by the backend's runner (local threads or Ray tasks).

Trainings and lessons share the training slots, served by session in turn; projections have their
own. A session has at most one training queued or running.
"""
from __future__ import annotations

import functools
import os
import threading
from typing import TYPE_CHECKING

from ..i18n import Msg
from . import store
from .job import FairSlots, Job, Registry

if TYPE_CHECKING:
    import numpy as np

    from ..config import ClassifierConfig, ExperimentConfig, ProjectionConfig
    from ..data import Dataset


class JobsUnavailable(RuntimeError):
    """The backend the environment asks for cannot be reached (the Ray cluster is down)."""


class OverBudget(ValueError):
    """A job whose estimated cost is over the operator's budget; the message (a Msg, worded in the
    language of whoever shows it) says what to change."""


class Jobs:
    """Trainings and lessons share the training slots; projections have their own."""

    def __init__(self, runner):
        self.runner = runner
        train_slots = FairSlots(runner.train_slots)
        self.trainings = Registry(max_entries=12, slots=train_slots)
        self.lessons = Registry(max_entries=24, slots=train_slots)
        projection_slots = FairSlots(runner.projection_slots)
        self.projections = Registry(max_entries=24, slots=projection_slots)
        self.placements = Registry(max_entries=64, slots=projection_slots)  # a learner's digits on UMAP maps
        self._by_session: dict[str, Job] = {}  # each session's latest training
        self._lock = threading.Lock()

    def train(self, cfg: ExperimentConfig, ds: Dataset, restart: bool = False, session: str = "") -> Job:
        """cfg's model: from the model store when any server has trained it, else trained (and
        stored once complete). A stopped or failed one is trained again only when `restart`.
        Raises OverBudget when cfg's estimate is over the budget. The session's previous training,
        if nobody else waits for it, leaves the queue or stops (keeping its model)."""
        from .. import cost
        from . import store, work

        existing = self.trainings.get(cfg)
        fresh = existing is None or restart or existing.status == "cancelled"
        trains = fresh and not store.contains(cfg)  # not a shared or stored one
        if trains:
            self.check_budget(cost.train_seconds(cfg, len(ds.x_train), len(ds.x_test), ds.image_shape),
                              lambda: _train_advice(cfg, ds))
        waits = trains or (existing is not None and existing.pending)  # the session will wait for a training
        with self._lock:
            if waits and session and (mine := self._by_session.get(session)) is not None and mine.key != cfg \
                    and mine.pending:
                mine.sessions.discard(session)
                if not mine.sessions:  # nobody else waits for it: out of the queue, or stopped (model kept)
                    mine.cancel()

        def run(job: Job):
            if (hit := store.load(cfg)) is not None:
                job.origin = {"store": True, **hit[1]}
                job.record_progress(1.0, Msg("jobs.from_store"))
                return hit[0]
            result = self.runner.run(job, work.train_model, (cfg, ds), kind="train", cpus=self._train_cpus(),
                                     pack=work.pack_model, unpack=work.unpack_model)
            if not job.stop_requested and not result.stopped_early:
                store.save(cfg, result, ds.image_shape)
            return result

        job = self.trainings.submit(cfg, run, label="train", restart=restart, session=session,
                                    limit_s=1.5 * cost.max_job_seconds())
        if session and job.pending:  # the training this session waits for now
            with self._lock:
                self._by_session[session] = job
                while len(self._by_session) > 4096:  # bounded: the oldest sessions are forgotten
                    self._by_session.pop(next(iter(self._by_session)))
        return job

    @staticmethod
    def check_budget(seconds: float, advice=lambda: None) -> None:
        """OverBudget when a job estimated at `seconds` is over the operator's budget; `advice()`: a
        Msg saying what would fit, or None."""
        from .. import cost

        limit = cost.max_job_seconds()
        if seconds > limit:
            took, most = cost.about(seconds), cost.about(limit)
            tip = advice()
            raise OverBudget(Msg("jobs.over_budget_advice", took=took, limit=most, advice=tip) if tip is not None
                             else Msg("jobs.over_budget", took=took, limit=most))

    def loaded(self, cfg: ExperimentConfig, model) -> Job:
        """A model a user loaded from files, served like a trained one (no history, no replay)."""
        from ..nets.loop import TrainResult

        job = self.trainings.submit(cfg, lambda j: TrainResult(model=model), label="loaded", restart=True)
        return job.wait(30)

    def classifier(self, cfg: ClassifierConfig, ds: Dataset, restart: bool = False, session: str = "") -> Job:
        """The lessons' CNN for cfg, trained on ds's clean digits (kept among the trainings, not
        in the store: it takes seconds). Raises OverBudget like a training."""
        from .. import cost
        from . import work

        if self.trainings.get(cfg) is None or restart:
            self.check_budget(cost.classifier_seconds(cfg, len(ds.x_train), ds.image_shape))
        def run(job: Job):
            return self.runner.run(job, work.train_classifier, (cfg, ds), kind="train", cpus=self._train_cpus(),
                                   pack=work.pack_classifier, unpack=work.unpack_lesson_net)

        return self.trainings.submit(cfg, run, label="classifier", restart=restart, session=session)

    def lesson(self, key: tuple, name: str, kwargs: dict, restart: bool = False, session: str = "") -> Job:
        """lessons.run(name, **kwargs) as a job; on Ray its nets train in parallel tasks.
        Raises OverBudget when the lesson's nets would take longer than the budget."""
        from .. import cost
        from . import work

        if self.lessons.get(key) is None or restart:
            self.check_budget(cost.lesson_seconds(name, kwargs),
                              lambda: Msg("jobs.lesson_advice"))
        train_many = getattr(self.runner, "lesson_train_many", None)
        return self.lessons.submit(key, lambda job: self.runner.run(job, work.run_lesson, (name, kwargs, train_many),
                                                                    kind="lesson"),
                                   label=name, restart=restart, session=session)

    def project(self, method: str, key: tuple, x: np.ndarray, proj: ProjectionConfig, restart: bool = False,
                session: str = "") -> Job:
        """A UMAP or t-SNE of x (N, D) -> (N, 2), in its own process (local) or a Ray task. Raises
        OverBudget, before anything starts, when it would take longer than the budget."""
        from .. import cost
        from . import work

        if self.projections.get(key) is None or restart:
            fits = cost.projection_fits(method, cost.max_job_seconds())
            self.check_budget(cost.projection_seconds(method, len(x)),
                              lambda: Msg("jobs.tip.points", n=len(x), fits=fits) if fits >= 3 else None)

        name = repr(key)  # the store's name for these points: same key, same points on every server

        def run(job: Job):
            if not restart and (points := store.load_points(name)) is not None:
                job.origin = {"store": True}
                return points
            points = self.runner.run(job, work.project_points, (method, x, proj), kind=method, isolated=True)
            store.save_points(name, points)
            return points

        return self.projections.submit(key, run, label=method, restart=restart, session=session)

    def place(self, key: tuple, x: np.ndarray, emb: np.ndarray, new: np.ndarray, proj: ProjectionConfig,
              restart: bool = False, session: str = "") -> Job:
        """New digits new (M, D) placed on the UMAP map emb of x (projections.place_umap) -> (M, 2),
        in the projection process (or a Ray task): about a second once numba has compiled there."""
        from . import work

        return self.placements.submit(key, lambda job: self.runner.run(job, work.place_points, (x, emb, new, proj),
                                                                       kind="place", isolated=True),
                                      label="place", restart=restart, session=session)

    def _train_cpus(self) -> int:
        return int(os.environ.get("AEVIZ_TRAIN_CPUS", "1"))


def _train_advice(cfg: ExperimentConfig, ds: Dataset) -> Msg | None:
    """What would bring cfg's training under the budget: fewer epochs, narrower layers, a larger
    batch; each with the estimate it gives (None when nothing would)."""
    from dataclasses import replace

    from .. import cost

    limit = cost.max_job_seconds()

    def estimate(c):
        return cost.train_seconds(c, len(ds.x_train), len(ds.x_test), ds.image_shape)

    per_epoch = estimate(replace(cfg, train=replace(cfg.train, epochs=1)))
    tips = []
    if (fit := int(limit // per_epoch)) >= 1:
        tips.append(Msg("jobs.tip.epochs", fit=fit, epochs=cfg.train.epochs))
    if cfg.model.hidden:
        narrow = replace(cfg, model=replace(cfg.model, hidden=tuple(max(1, w // 4) for w in cfg.model.hidden)))
        tips.append(Msg("jobs.tip.hidden", narrow=", ".join(map(str, narrow.model.hidden)),
                        hidden=", ".join(map(str, cfg.model.hidden)), took=cost.about(estimate(narrow))))
    if cfg.train.batch_size < 256:
        bigger = replace(cfg, train=replace(cfg.train, batch_size=256))
        tips.append(Msg("jobs.tip.batch", batch=cfg.train.batch_size, took=cost.about(estimate(bigger))))
    if not tips:
        return None
    either = functools.reduce(lambda first, then: Msg("jobs.tip.or", first=first, then=then), tips)
    return Msg("jobs.tip.to_fit", tips=either)
