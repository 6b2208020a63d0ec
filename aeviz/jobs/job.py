"""A Job: one unit of background work, and the Registry that shares jobs by key.

A job runs in a thread of the server (which, for the local backend, does the work or hands it to
the projection process, and for Ray waits on a Ray task), so a rerun of a Streamlit script never
kills it. Stop keeps what was done so far. A failure is final: the registry hands back the failed
job until the user's Retry (`restart=True`) replaces it.
"""
from __future__ import annotations

import logging
import threading
import time
import traceback
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from .. import failures

log = logging.getLogger("aeviz")


class Job:
    """`run(job)` does the work and may call `job.report(...)`; its return value is the result."""

    def __init__(self, key: Hashable, run: Callable[[Job], Any], label: str = "",
                 slots: threading.Semaphore | None = None):
        self.key, self.label, self.id = key, label, uuid.uuid4().hex
        self._work, self._slots = run, slots or threading.Semaphore(1)
        self.status = "queued"  # queued -> running -> done | stopped | failed
        self.progress = 0.0  # in [0, 1]
        self.message = "waiting for a free worker"
        self.history: list[dict] = []  # per-step records (e.g. epoch losses) for live curves
        self.result: Any = None
        self.error: str | None = None
        self.origin: dict | None = None  # where a result came from when not computed here (the store)
        self.created = time.time()
        self.started: float | None = None
        self.finished: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"aeviz-{label}", daemon=True)

    def start(self) -> Job:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the work to stop at its next checkpoint; what it has done so far is kept."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def pending(self) -> bool:
        """Queued or running: not finished yet."""
        return self.status in ("queued", "running")

    @property
    def finished_ok(self) -> bool:
        return self.status in ("done", "stopped")

    def report(self, progress: float, message: str = "", **record) -> bool:
        """Record progress; returns True when a stop was requested."""
        self.progress = float(min(max(progress, 0.0), 1.0))
        if message:
            self.message = message
        if record:
            self.history.append(record)
        return self._stop.is_set()

    def wait(self, timeout: float | None = None) -> Job:
        self._thread.join(timeout)
        return self

    def _run(self) -> None:
        with self._slots:
            self.status, self.started, self.message = "running", time.time(), "starting"
            try:
                self.result = self._work(self)
                self.status = "stopped" if self._stop.is_set() else "done"
                self.progress = 1.0 if self.status == "done" else self.progress
            except Exception as exc:  # shown to the user as one line; logged once with its traceback
                self.error = failures.message(exc)
                self.status = "failed"
                log.warning("task %s failed: %s\n%s", self.label, exc, traceback.format_exc())
            finally:
                self.finished = time.time()


class Registry:
    """Jobs by key: at most `max_entries` finished ones kept (least recently used dropped), at most
    as many running at once as `slots` allows (the others queue)."""

    def __init__(self, max_entries: int, slots: threading.Semaphore):
        self.max_entries = max_entries
        self._slots = slots
        self._jobs: OrderedDict[Hashable, Job] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Job | None:
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                self._jobs.move_to_end(key)
            return job

    def submit(self, key: Hashable, run: Callable[[Job], Any], label: str = "", restart: bool = False) -> Job:
        """The job for key: the pending or finished one (failed included), or a new one. Only
        `restart` (the user's Retry or Train) replaces a finished job with a fresh run: a failure
        resubmitted on every rerun would repeat a permanent error once a second."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and (job.pending or not restart):
                self._jobs.move_to_end(key)
                return job
            job = Job(key, run, label, self._slots)
            self._jobs[key] = job
            self._evict()
        return job.start()

    def put(self, key: Hashable, job: Job) -> None:
        """Register a job made elsewhere (a model loaded from a file or the store)."""
        with self._lock:
            self._jobs[key] = job
            self._jobs.move_to_end(key)
            self._evict()

    def _evict(self) -> None:
        finished = [k for k, j in self._jobs.items() if not j.pending]
        for k in finished[: max(0, len(self._jobs) - self.max_entries)]:
            del self._jobs[k]

    def __len__(self) -> int:
        return len(self._jobs)
