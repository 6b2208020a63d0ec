"""The local backend's runner: work in the server's own threads, and UMAP and t-SNE in one worker
process (numba's first compile holds the GIL for seconds, which would stall training and every
page; in its own process it does not, and the compiled code stays warm there)."""
from __future__ import annotations

import multiprocessing as mp
import os
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..i18n import Msg
from . import work, worker

CORES = os.cpu_count() or 2


class LocalRunner:
    """Runs `fn(progress, *args)` in the calling job's thread, or in the projection process."""

    name = "local"
    # Training jobs share the cores with the projection process: half of them each, at least one.
    train_slots = int(os.environ.get("AEVIZ_WORKERS", max(1, CORES // 2)))
    projection_slots = 1

    def __init__(self):
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._projecting = 0  # projections running in the worker process now

    def run(self, job, fn, args: tuple, *, kind: str, isolated: bool = False, cpus: int = 1,
            pack=None, unpack=None):
        if isolated:
            with self._lock:
                self._projecting += 1
            try:
                return self.in_worker(fn, work.quiet, *args)
            finally:
                with self._lock:
                    self._projecting -= 1

        def progress(*a, **record):  # called in the job's own thread, after every epoch
            self._share_cores()
            return job.record_progress(*a, **record)

        self._share_cores()
        return fn(progress, *args)

    def _share_cores(self) -> None:
        """The calling job thread's torch threads: its share of the cores, less the one a running
        projection takes. OpenMP keeps the thread count per thread, so each job sets its own, and
        oversubscribed threads spin (a training sharing its cores with UMAP ran 4x slower)."""
        import torch

        torch.set_num_threads(max(1, (CORES - min(self._projecting, 1)) // self.train_slots))

    def _projection_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # The worker must import aeviz wherever the server was started from: "spawn" gives
                # the child the parent's sys.path, so the package's root goes there.
                root = str(Path(__file__).resolve().parents[2])
                if root not in sys.path:
                    sys.path.append(root)
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("spawn"),
                                                 initializer=worker.init)
            return self._pool

    def in_worker(self, fn, *args):
        """fn(*args) in the projection process. A process that died (killed, out of memory) fails
        this job, to be retried by the user, and is replaced for the next one."""
        try:
            return self._projection_pool().submit(fn, *args).result()
        except BrokenProcessPool:
            with self._lock:
                self._pool = None
            raise RuntimeError(Msg("jobs.worker_died")) from None
