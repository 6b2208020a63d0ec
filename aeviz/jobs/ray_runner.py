"""The Ray backend's runner: every job's work is a Ray task named aeviz-<kind>, on any machine of
the cluster. Progress and Stop travel through one named actor (the board) that every server of
the cluster shares; results come back through Ray's object store as plain data (a trained model
as safetensors bytes). Selected by AEVIZ_RAY_ADDRESS=host:port or auto (jobs.backend).
"""
from __future__ import annotations

import os

import ray

from ..i18n import Msg

NAMESPACE = "aeviz"
POLL_S = 0.25  # how often a job's thread reads its task's progress from the board


@ray.remote(num_cpus=0)
class Board:
    """Progress and stop flags of the cluster's running tasks, by job id."""

    def __init__(self):
        self.jobs: dict[str, dict] = {}

    def _job(self, job_id: str) -> dict:
        return self.jobs.setdefault(job_id, {"progress": 0.0, "message": "", "records": [], "stop": False})

    def record_progress(self, job_id: str, fraction: float, message: str, record: dict) -> bool:
        job = self._job(job_id)
        job["progress"] = fraction
        job["message"] = message or job["message"]
        if record:
            job["records"].append(record)
        return job["stop"]

    def updates(self, job_id: str, since: int) -> tuple[float, str, list]:
        job = self._job(job_id)
        return job["progress"], job["message"], job["records"][since:]

    def stop(self, job_id: str) -> None:
        self._job(job_id)["stop"] = True

    def forget(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)


def _limit_threads(cpus: int, uses_torch: bool) -> None:
    """The task's share of a machine: Ray sets OMP_NUM_THREADS to num_cpus for the task, but torch
    and numba size their pools once per worker process, which Ray reuses across tasks."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(cpus)
    if uses_torch:
        import torch

        torch.set_num_threads(cpus)


def _execute(board, job_id: str, cpus: int, uses_torch: bool, fn, pack, *args):
    """The body of every aeviz Ray task: fn(progress, *args), packed for the trip back. Without a
    board (a lesson's nets) it reports nowhere. The args come one by one: Ray resolves object
    references passed directly, not inside a tuple."""
    _limit_threads(cpus, uses_torch)

    def progress(fraction: float, message: str = "", **record) -> bool:
        if board is None:
            return False
        return ray.get(board.record_progress.remote(job_id, float(fraction), message, record))

    result = fn(progress, *args)
    return pack(result, *args) if pack is not None else result


_task = ray.remote(_execute)


def train_many(planned: list, progress=None) -> list:
    """A lesson's nets as parallel Ray tasks (aeviz-lesson-fit), one core each; called inside the
    lesson's own task, which gives its core back while it waits. Returns the models in order."""
    from . import work

    task = _task.options(name="aeviz-lesson-fit", num_cpus=1)
    refs = [task.remote(None, "", 1, True, work.train_lesson_net, None, cfg) for cfg in planned]
    pending = list(refs)
    while pending:
        _, pending = ray.wait(pending, num_returns=1)
        if progress is not None:
            done = len(refs) - len(pending)
            progress(done / len(refs), Msg("jobs.nets_trained", done=done, total=len(refs)))
    return [work.unpack_lesson_net(w) for w in ray.get(refs)]


class RayRunner:
    """Runs `fn(progress, *args)` as a Ray task and relays its progress, Stop and result."""

    name = "ray"

    def __init__(self, address: str):
        if not ray.is_initialized():
            ray.init(address=address, namespace=NAMESPACE, include_dashboard=False, log_to_driver=False)
        # As many of this server's jobs at once as the cluster has cores: the rest wait here, where
        # the sessions take turns (Ray itself would serve them first come, first served).
        self.train_slots = self.projection_slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.board = Board.options(name="aeviz-board", namespace=NAMESPACE, get_if_exists=True,
                                   lifetime="detached").remote()
        self._shipped: dict[int, tuple[object, ray.ObjectRef]] = {}  # data sets already in the object store

    def put(self, obj) -> ray.ObjectRef:
        """obj in the object store, once per object (a data set is shipped once, not per job)."""
        held = self._shipped.get(id(obj))
        if held is None or held[0] is not obj:
            held = (obj, ray.put(obj))
            self._shipped[id(obj)] = held
            while len(self._shipped) > 8:
                self._shipped.pop(next(iter(self._shipped)))
        return held[1]

    def run(self, job, fn, args: tuple, *, kind: str, isolated: bool = False, cpus: int = 1,
            pack=None, unpack=None):
        args = tuple(self.put(a) if hasattr(a, "x_train") else a for a in args)  # data sets by reference
        ref = _task.options(name=f"aeviz-{kind}", num_cpus=cpus).remote(
            self.board, job.id, cpus, not isolated, fn, pack, *args)
        seen, stop_sent = 0, False
        try:
            while True:
                ready, _ = ray.wait([ref], timeout=POLL_S)
                progress, message, records = ray.get(self.board.updates.remote(job.id, seen))
                seen += len(records)
                job.progress, job.message = progress, message or job.message
                job.history.extend(records)
                job.changed()
                if job.stop_requested and not stop_sent:
                    self.board.stop.remote(job.id)
                    stop_sent = True
                if ready:
                    break
            try:
                out = ray.get(ref)
            except ray.exceptions.RayTaskError as exc:  # the work's own exception, as if raised here
                raise (exc.cause if isinstance(exc.cause, Exception) else exc) from None
        finally:
            self.board.forget.remote(job.id)
        return unpack(out) if unpack is not None else out

    lesson_train_many = staticmethod(train_many)
