"""The background task registry: shared results, Stop keeps the work so far, failures are messages."""
import time

from aeviz import analysis
from aeviz.config import DataConfig, ExperimentConfig, TrainConfig
from aeviz.ui.tasks import TaskRegistry


def _train(cfg):
    def run(task):
        return analysis.fit(cfg, callback=lambda e, tr, va, el: task.report(e / cfg.train.epochs, f"epoch {e}",
                                                                            epoch=e, val_loss=va))
    return run


def test_stop_keeps_the_model_trained_so_far():
    cfg = ExperimentConfig(data=DataConfig("digits"), train=TrainConfig(epochs=200))
    reg = TaskRegistry()
    task = reg.submit(cfg, _train(cfg))
    while not task.history:
        time.sleep(0.05)
    task.stop()
    task.wait(60)
    assert task.status == "stopped"
    assert 1 <= task.result.epochs_run < 200 and task.result.stopped_early
    assert len(task.history) == task.result.epochs_run


def test_same_key_shares_one_task_and_failures_become_messages():
    reg = TaskRegistry()
    calls = []

    def boom(task):
        calls.append(1)
        raise ValueError("the denoising kind needs a corruption")

    a = reg.submit("k", boom).wait(10)
    assert a.status == "failed" and "corruption" in a.error
    assert reg.submit("k", boom) is a and calls == [1]  # a failure is final: never run again by itself
    b = reg.submit("k", lambda t: 42, restart=True).wait(10)  # the user's Retry
    assert b is not a and b.result == 42
    assert reg.submit("k", lambda t: 0) is b  # a finished one is shared


def test_registry_keeps_at_most_max_entries_finished_tasks():
    reg = TaskRegistry(max_entries=3)
    for i in range(6):
        reg.submit(i, lambda t: 1).wait(10)
    assert len(reg) <= 4  # the newest is added before the oldest finished ones are dropped


def test_tasks_beyond_the_workers_wait_in_a_queue():
    reg = TaskRegistry(workers=1)
    first = reg.submit("a", lambda t: time.sleep(0.5))
    second = reg.submit("b", lambda t: 2)
    time.sleep(0.1)
    assert second.status == "queued" and second.message == "waiting for a free worker"
    assert second.wait(10).result == 2 and first.wait(10).status == "done"


def test_a_crashed_projection_worker_is_replaced():
    import os

    import pytest

    from aeviz.ui import common

    with pytest.raises(RuntimeError, match="worker process stopped"):
        common._in_worker(os._exit, 3)  # kills the worker process: this job fails, once
    assert common._in_worker(abs, -3) == 3  # a fresh worker serves the next projection
