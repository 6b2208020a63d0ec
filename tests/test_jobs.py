"""Background jobs against both backends: shared results, progress, Stop keeps the work so far,
failures are final messages, bounded memory; on Ray, the work runs in tasks named aeviz-*."""
import threading

import numpy as np
import pytest

from aeviz import jobs
from aeviz.config import DataConfig, ExperimentConfig, ModelConfig, ProjectionConfig, TrainConfig
from aeviz.jobs import Job, Jobs, Registry, store, work
from aeviz.jobs.job import FairSlots
from aeviz.jobs.local import LocalRunner


@pytest.fixture(scope="module")
def ray_jobs():
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install -r requirements-ray.txt): "
                                            "the Ray backend's tests are skipped")
    from aeviz.jobs.ray_runner import RayRunner

    ray.init(address="local", num_cpus=2, include_dashboard=False, namespace="aeviz")  # a fresh one
    yield Jobs(RayRunner("auto"))
    ray.shutdown()


@pytest.fixture(params=["local", "ray"])
def backend(request):
    return Jobs(LocalRunner()) if request.param == "local" else request.getfixturevalue("ray_jobs")


def _cfg(backend, epochs=3, **model):
    """A config of this backend's own (the model store is shared: the other backend's would load)."""
    seed = {"local": 0, "ray": 1}[backend.runner.name]
    return ExperimentConfig(data=DataConfig("digits"), model=ModelConfig(**model),
                            train=TrainConfig(epochs=epochs, seed=seed))


def _registry(slots=2, max_entries=16):
    return Registry(max_entries=max_entries, slots=FairSlots(slots))


def test_training_runs_reports_every_epoch_and_is_stored(backend, digits):
    cfg = _cfg(backend, epochs=4, latent_dim=3)
    job = backend.train(cfg, digits).wait(120)
    assert job.status == "done", job.error
    assert [h["epoch"] for h in job.history] == [1, 2, 3, 4] and job.origin is None
    x_hat = job.result.model(__import__("torch").tensor(digits.x_test[:5]))[0]
    assert x_hat.shape == (5, 64) and job.result.codes_per_epoch.shape[0] == 5
    assert backend.train(cfg, digits) is job  # the same config: the same job, for every session
    again = Jobs(backend.runner).train(cfg, digits).wait(30)  # another server sharing the store
    assert again.origin["store"] and again.history == [] and str(again.message) == "loaded from the model store"
    np.testing.assert_array_equal(again.result.model.state_dict()["encoder.0.weight"],
                                  job.result.model.state_dict()["encoder.0.weight"])


def test_stop_keeps_the_model_trained_so_far(backend, digits):
    cfg = _cfg(backend, epochs=300, latent_dim=2, hidden=(32,))
    job = backend.train(cfg, digits)
    assert job.wait_for(lambda j: j.history or not j.pending, 120)
    job.stop()
    job.wait(120)
    assert job.status == "stopped", job.error
    assert 1 <= job.result.epochs_run < 300 and job.result.stopped_early
    assert not store.contains(cfg)  # only fully trained models go to the store


def test_a_failed_projection_is_a_message_and_final(backend):
    key = ("umap", f"too-few-{id(backend)}", ProjectionConfig())
    x = np.zeros((2, 5), np.float32)  # UMAP needs at least 3 digits
    job = backend.project("umap", key, x, ProjectionConfig()).wait(120)
    assert job.status == "failed" and str(job.error).startswith("projection needs a 2-D array of at least 3 samples")
    assert backend.project("umap", key, x, ProjectionConfig()) is job  # never run again by itself
    retried = backend.project("umap", key, np.random.default_rng(0).random((40, 5)), ProjectionConfig(),
                              restart=True).wait(180)
    assert retried is not job and retried.status == "done" and retried.result.shape == (40, 2)


def test_a_lesson_runs_as_a_job(backend):
    job = backend.lesson(("lesson", "linear-vs-pca", id(backend)), "linear-vs-pca",
                         {"dataset": "digits", "few_digits": True}).wait(300)
    assert job.status == "done", job.error
    assert job.result.holds and job.result.numbers["max_principal_angle_deg"] <= 5


def test_on_ray_the_work_runs_in_tasks_named_aeviz(ray_jobs):
    import os

    import ray

    def task_name(progress):
        progress(0.5, "here")
        return ray.get_runtime_context().get_task_name(), os.getpid(), os.environ["OMP_NUM_THREADS"]

    job = _registry().submit("name", lambda j: ray_jobs.runner.run(j, task_name, (), kind="umap", cpus=2))
    name, pid, threads = job.wait(60).result
    assert name == "aeviz-umap" and pid != os.getpid() and threads == "2"
    assert job.message == "here"


def test_the_bottleneck_sweep_trains_its_nets_in_parallel_ray_tasks(ray_jobs):
    """train_many submits every net at once; each one a task of its own (aeviz-lesson-fit)."""
    from aeviz.config import DataConfig
    from aeviz.jobs import ray_runner

    seen = []
    planned = [ExperimentConfig(DataConfig("digits", 0, few_digits=True), model=ModelConfig(latent_dim=k),
                                train=TrainConfig(epochs=2)) for k in (1, 2, 4)]
    nets = ray_runner.train_many(planned, progress=lambda f, m: seen.append(f))
    assert [n.latent_dim for n in nets] == [1, 2, 4] and seen[-1] == 1.0


def test_registry_keeps_exactly_max_entries_finished_jobs():
    reg = _registry(max_entries=3)
    for i in range(6):
        reg.submit(i, lambda j: 1).wait(10)
    assert len(reg) == 3 and [reg.get(i) is not None for i in range(6)] == [False] * 3 + [True] * 3


def test_jobs_beyond_the_slots_wait_in_a_queue():
    reg, release = _registry(slots=1), threading.Event()
    first = reg.submit("a", lambda j: release.wait(10))
    second = reg.submit("b", lambda j: 2)
    assert first.wait_for(lambda j: j.status == "running", 10)
    assert second.status == "queued" and str(second.message) == "waiting for a free worker"
    release.set()
    assert second.wait(10).result == 2 and first.wait(10).status == "done"


def test_failures_are_one_line_and_final():
    reg, calls = _registry(), []

    def boom(job):
        calls.append(1)
        raise ValueError("the denoising kind needs a corruption\nand a second line nobody reads")

    a = reg.submit("k", boom).wait(10)
    assert a.status == "failed" and a.error == "the denoising kind needs a corruption"
    assert reg.submit("k", boom) is a and calls == [1]
    b = reg.submit("k", lambda j: 42, restart=True).wait(10)  # the user's Retry
    assert b is not a and b.result == 42 and reg.submit("k", lambda j: 0) is b


def test_a_crashed_projection_process_fails_its_job_once_and_is_replaced():
    import os

    runner = LocalRunner()
    with pytest.raises(RuntimeError, match="worker process stopped"):
        runner.in_worker(os._exit, 3)  # kills the projection process: this job fails, once
    assert runner.in_worker(abs, -3) == 3  # a fresh process serves the next projection


def test_the_backend_is_chosen_by_the_environment(monkeypatch):
    monkeypatch.setattr(jobs, "_backend", None)
    monkeypatch.delenv("AEVIZ_RAY_ADDRESS", raising=False)
    assert jobs.backend().runner.name == "local" and jobs.backend() is jobs.backend()
    assert isinstance(jobs.backend().trainings.get("nothing") or Job("k", lambda j: 0), Job)


def test_waiting_jobs_are_served_by_session_in_turn():
    """Session A queues three jobs, then B one: B's runs second, not fourth."""
    reg, gate, order = Registry(max_entries=16, slots=FairSlots(1)), threading.Event(), []
    first = reg.submit("a0", lambda j: gate.wait(10) and order.append("a0"), session="A")
    assert first.wait_for(lambda j: j.status == "running", 10)
    later = [reg.submit(k, lambda j, k=k: order.append(k), session=s)
             for k, s in [("a1", "A"), ("a2", "A"), ("b1", "B")]]
    assert reg._slots.queue_reaches(3, 10)  # all three waiting for the one slot
    gate.set()
    for job in [first, *later]:
        job.wait(10)
    assert order == ["a0", "b1", "a1", "a2"]


def test_a_new_train_replaces_the_sessions_queued_one_and_stops_its_running_one(digits):
    backend = Jobs(LocalRunner())
    release = threading.Event()
    blocker = backend.trainings.submit("someone else's", lambda j: release.wait(30), session="other")
    assert blocker.wait_for(lambda j: j.status == "running", 10)  # the local backend's training slots ...
    slots = backend.trainings._slots
    hogs = [backend.trainings.submit(f"hog{i}", lambda j: release.wait(30), session="other")
            for i in range(slots.n - 1)]
    assert all(h.wait_for(lambda j: j.status == "running", 10) for h in hogs)  # every slot is taken ...
    x, y = _cfg(backend, epochs=2, latent_dim=5), _cfg(backend, epochs=2, latent_dim=6)
    queued = backend.train(x, digits, session="A")
    assert queued.status == "queued"
    replacing = backend.train(y, digits, session="A")  # ... so A's first one was still queued
    queued.wait(5)
    assert queued.status == "cancelled" and replacing.status == "queued"
    release.set()
    assert replacing.wait(60).status == "done"
    long = _cfg(backend, epochs=300, latent_dim=7)
    running = backend.train(long, digits, session="A")
    assert running.wait_for(lambda j: j.history, 60)
    shared = backend.train(long, digits, session="B")  # B waits for the same training
    assert shared is running
    z = _cfg(backend, epochs=2, latent_dim=8)
    next_one = backend.train(z, digits, session="A")
    assert not running.stop_requested  # B still waits for it: A's new Train does not stop it
    assert backend.train(z, digits, session="B") is next_one  # B moves on too: nobody waits, it stops
    assert running.stop_requested and next_one.wait(60).status == "done"
    running.wait(60)
    assert running.status == "stopped" and 1 <= running.result.epochs_run < 300  # its model is kept
    for hog in hogs:
        hog.wait(5)


def test_a_training_past_its_wall_clock_cap_stops_and_keeps_its_model(digits):
    backend = Jobs(LocalRunner())
    cfg = _cfg(backend, epochs=2, latent_dim=9)
    job = backend.trainings.submit(cfg, lambda j: work.train_model(j.record_progress, replace_epochs(cfg, 500), digits),
                                   limit_s=0.6)
    job.wait(60)
    assert job.status == "stopped" and job.hit_limit and 1 <= job.result.epochs_run < 500


def replace_epochs(cfg, epochs):
    from dataclasses import replace

    return replace(cfg, train=replace(cfg.train, epochs=epochs))
