"""A Job: one unit of background work, and the Registry that shares jobs by key.

A job runs in a thread of the server (which, for the local backend, does the work or hands it to
the projection process, and for Ray waits on a Ray task), so a rerun of a Streamlit script never
kills it. Stop keeps what was done so far, and so does the wall-clock cap (`limit_s`). A failure is
final: the registry hands back the failed job until the user's Retry (`restart=True`) replaces it.
Jobs wait for a slot in FairSlots, which serves the sessions in turn.
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
from ..i18n import Msg

log = logging.getLogger("aeviz")


class Job:
    """`run(job)` does the work and may call `job.record_progress(...)`; its return value is the result."""

    def __init__(self, key: Hashable, run: Callable[[Job], Any], label: str = "", slots: FairSlots | None = None,
                 session: str = "", limit_s: float | None = None):
        self.key, self.label, self.id = key, label, uuid.uuid4().hex
        self._work, self._slots = run, slots or FairSlots(1)
        self.sessions = {session}  # the sessions waiting for it (a second one asking shares it)
        self.limit_s = limit_s  # running longer than this, it is asked to stop (its work so far is kept)
        self.hit_limit = False
        self.status = "queued"  # queued -> running -> done | stopped | failed; or queued -> cancelled
        self.progress = 0.0  # in [0, 1]
        # Msgs: each session reads them in its own language (str(job.message)); a plain str is shown as is
        self.message: Msg | str = Msg("jobs.waiting")
        self.history: list[dict] = []  # per-step records (e.g. epoch losses) for live curves
        self.result: Any = None
        self.error: Msg | str | None = None  # failures.message: a Msg for aeviz's own errors
        self.origin: dict | None = None  # where a result came from when not computed here (the store)
        self.created = time.time()
        self.started: float | None = None
        self.finished: float | None = None
        self._stop = threading.Event()
        self._changed = threading.Condition()  # notified on every status change and progress record
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

    def cancel(self) -> None:
        """Take a queued job out of the queue (a running one is stopped instead)."""
        self._slots.cancel(self)
        self.stop()

    @property
    def finished_ok(self) -> bool:
        return self.status in ("done", "stopped")

    def changed(self) -> None:
        """Wake whoever waits in `wait_for` (called by `record_progress` and on every status change)."""
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, predicate: Callable[[Job], bool], timeout: float | None = None) -> bool:
        """Block until predicate(job) holds (checked at every change), or the timeout passes."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(self), timeout)

    def record_progress(self, fraction: float, message: Msg | str = "", **record) -> bool:
        """Record progress (what a job's `progress` callback does); True when a stop was requested."""
        self.progress = float(min(max(fraction, 0.0), 1.0))
        if message:
            self.message = message
        if record:
            self.history.append(record)
        if self.limit_s is not None and self.started and time.time() - self.started > self.limit_s:
            self.hit_limit = True
            self._stop.set()
        self.changed()
        return self._stop.is_set()

    def wait(self, timeout: float | None = None) -> Job:
        self._thread.join(timeout)
        return self

    def _run(self) -> None:
        if not self._slots.acquire(self):
            self.status, self.finished = "cancelled", time.time()
            self.changed()
            return
        try:
            self.status, self.started, self.message = "running", time.time(), Msg("jobs.starting")
            self.changed()
            self.result = self._work(self)
            self.status = "stopped" if self._stop.is_set() else "done"
            self.progress = 1.0 if self.status == "done" else self.progress
        except Exception as exc:  # shown to the user as one line; logged once with its traceback
            self.error = failures.message(exc)
            self.status = "failed"
            log.warning("task %s failed: %s\n%s", self.label, exc, traceback.format_exc())
        finally:
            self.finished = time.time()
            self._slots.release()
            self.changed()


class FairSlots:
    """At most `n` jobs run at once. A free slot goes to the waiting job of the session served
    least recently (never served first), the oldest job first within it: the sessions take turns,
    so one session's many jobs cannot hold everyone else back."""

    def __init__(self, n: int):
        self.n, self.running = n, 0
        self._cond = threading.Condition()
        self._waiting: list[Job] = []
        self._cancelled: set[Job] = set()
        self._served: dict[str, float] = {}  # session -> when it was last given a slot

    def _turn(self, job: Job) -> float:
        return min(self._served.get(s, float("-inf")) for s in job.sessions)

    def acquire(self, job: Job) -> bool:
        """Block until it is `job`'s turn; False when it was cancelled while waiting."""
        with self._cond:
            self._waiting.append(job)
            self._cond.notify_all()  # for queue_reaches
            while True:
                if job in self._cancelled:
                    self._waiting.remove(job)
                    self._cancelled.discard(job)
                    return False
                if self.running < self.n and job is min(self._waiting, key=lambda j: (self._turn(j), j.created)):
                    self._waiting.remove(job)
                    self.running += 1
                    now = time.monotonic()
                    self._served.update({s: now for s in job.sessions})
                    if len(self._served) > 4096:  # bounded: the longest-served sessions are forgotten
                        for s in sorted(self._served, key=self._served.get)[:2048]:
                            del self._served[s]
                    self._cond.notify_all()
                    return True
                self._cond.wait()

    def queue_reaches(self, n: int, timeout: float | None = None) -> bool:
        """Block until at least n jobs wait for a slot, or the timeout passes."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._waiting) >= n, timeout)

    def release(self) -> None:
        with self._cond:
            self.running -= 1
            self._cond.notify_all()

    def cancel(self, job: Job) -> None:
        with self._cond:
            if job in self._waiting:
                self._cancelled.add(job)
                self._cond.notify_all()


class Registry:
    """Jobs by key: at most `max_entries` finished ones kept (least recently used dropped), at most
    as many running at once as `slots` allows (the others queue)."""

    def __init__(self, max_entries: int, slots: FairSlots):
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

    def submit(self, key: Hashable, run: Callable[[Job], Any], label: str = "", restart: bool = False,
               session: str = "", limit_s: float | None = None) -> Job:
        """The job for key: the pending or finished one (failed included), or a new one. Only
        `restart` (the user's Retry or Train) replaces a finished job with a fresh run: a failure
        resubmitted on every rerun would repeat a permanent error once a second."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and (job.pending or not restart) and job.status != "cancelled":
                self._jobs.move_to_end(key)
                job.sessions.add(session)
                return job
            job = Job(key, run, label, self._slots, session, limit_s)
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
