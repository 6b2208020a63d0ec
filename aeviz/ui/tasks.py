"""Background work shared by every session of the server: training runs and slow projections.

Work runs in threads so that a rerun of a Streamlit script (a click, a slider) never kills it, a
Stop request keeps what was trained so far, and a second session asking for the same config gets
the same task (and result). A semaphore bounds how many tasks run at once; the rest wait in a queue
that the user sees. Nothing here imports streamlit.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import torch

from .. import failures

log = logging.getLogger("aeviz")

WORKERS = int(os.environ.get("AEVIZ_WORKERS", max(1, (os.cpu_count() or 2) // 2)))
# torch's thread pool is process-wide. Training tasks share the cores with one projection worker
# process (UMAP, t-SNE); oversubscribed OpenMP threads spin and slowed a 2-core machine 20-fold
# (6 s instead of 0.3 s an epoch), so each training task gets its share of the cores, at least one.
torch.set_num_threads(max(1, (os.cpu_count() or 2) // (WORKERS + 1)))


class Task:
    """One unit of background work. `fn(task)` does it and may call `task.report(...)`."""

    def __init__(self, key: Hashable, fn: Callable[[Task], Any], label: str = "",
                 slots: threading.Semaphore | None = None):
        self.key, self.fn, self.label = key, fn, label
        self._slots = slots or threading.Semaphore(1)
        self.status = "queued"  # queued -> running -> done | stopped | failed
        self.progress = 0.0  # in [0, 1]
        self.message = "waiting for a free worker"
        self.history: list[dict] = []  # per-step records (e.g. epoch losses) for live curves
        self.result: Any = None
        self.error: str | None = None
        self.created = time.time()
        self.started: float | None = None
        self.finished: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"aeviz-{label}", daemon=True)

    def start(self) -> Task:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the work to stop at its next checkpoint; what it has done so far is kept."""
        self._stop.set()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def finished_ok(self) -> bool:
        return self.status in ("done", "stopped")

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    def report(self, progress: float, message: str = "", **record) -> bool:
        """Record progress; returns True when a stop was requested."""
        self.progress = float(min(max(progress, 0.0), 1.0))
        if message:
            self.message = message
        if record:
            self.history.append(record)
        return self._stop.is_set()

    def wait(self, timeout: float | None = None) -> Task:
        self._thread.join(timeout)
        return self

    def _run(self) -> None:
        with self._slots:
            self.status, self.started, self.message = "running", time.time(), "starting"
            try:
                self.result = self.fn(self)
                self.status = "stopped" if self._stop.is_set() else "done"
                self.progress = 1.0 if self.status == "done" else self.progress
            except Exception as exc:  # shown to the user as a message, logged with its traceback
                self.error = failures.message(exc)
                self.status = "failed"
                log.warning("task %s failed: %s\n%s", self.label, exc, traceback.format_exc())
            finally:
                self.finished = time.time()


class TaskRegistry:
    """Tasks by key, at most `max_entries` finished ones kept (least recently used dropped), at
    most `workers` running at once (the others queue)."""

    def __init__(self, max_entries: int = 16, workers: int = WORKERS):
        self.max_entries = max_entries
        self._slots = threading.BoundedSemaphore(workers)
        self._tasks: OrderedDict[Hashable, Task] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Task | None:
        with self._lock:
            task = self._tasks.get(key)
            if task is not None:
                self._tasks.move_to_end(key)
            return task

    def submit(self, key: Hashable, fn: Callable[[Task], Any], label: str = "", restart: bool = False) -> Task:
        """The task for key: the running or finished one (failed included), or a new one. Only
        `restart` (the user's Retry or Train) replaces a finished task with a fresh run: a failure
        resubmitted on every rerun would repeat a permanent error once a second."""
        with self._lock:
            task = self._tasks.get(key)
            if task is not None and (task.active or not restart):
                self._tasks.move_to_end(key)
                return task
            task = Task(key, fn, label, self._slots)
            self._tasks[key] = task
            self._tasks.move_to_end(key)
            self._evict()
        return task.start()

    def _evict(self) -> None:
        finished = [k for k, t in self._tasks.items() if not t.active]
        for k in finished[: max(0, len(self._tasks) - self.max_entries)]:
            del self._tasks[k]

    def __len__(self) -> int:
        return len(self._tasks)
