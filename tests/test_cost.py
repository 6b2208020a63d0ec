"""The cost estimates: FLOPs counted right, seconds within a factor of 2 of a measured training on
small configurations, and the budget's refusal saying what to change."""
import time

import pytest

from aeviz import analysis, cost, data, experiments, jobs
from aeviz.config import ExperimentConfig, ModelConfig


def test_dense_flops_are_twice_the_weights_of_every_layer():
    # 64 -> 32 -> 4 -> 32 -> 64: the encoder and its mirror
    assert cost.forward_flops(ModelConfig(latent_dim=4, hidden=(32,)), (8, 8)) == 2 * 2 * (64 * 32 + 32 * 4)
    wide = cost.forward_flops(ModelConfig(kind="overcomplete"), (8, 8))  # 64 -> 128 -> 64
    assert wide == 2 * 2 * 64 * 128


def test_conv_flops_count_every_output_position():
    f = cost.forward_flops(ModelConfig(kind="conv", latent_dim=2), (8, 8))
    conv1 = 2 * 1 * 16 * 9 * 4 * 4  # 3x3 kernels, stride 2: a 4x4 output
    conv2 = 2 * 16 * 32 * 9 * 2 * 2
    dense = 2 * (32 * 2 * 2 * 2) * 2  # to the code and back
    deconv = 2 * 32 * 16 * 9 * 2 * 2 + 2 * 16 * 1 * 9 * 4 * 4  # transposed: per input position
    assert f == conv1 + conv2 + dense + deconv


@pytest.mark.parametrize("name, kind, hidden, epochs, batch", [
    ("digits", "undercomplete", (256,), 8, 64),
    ("digits", "undercomplete", (64, 32), 10, 32),
    ("digits", "conv", (), 4, 64),
    ("mnist-5k", "undercomplete", (256,), 3, 64),
    ("mnist-5k", "undercomplete", (512, 256), 2, 128),
    ("mnist-10x10", "sparse-kl", (), 5, 256),
])
def test_a_small_training_takes_within_a_factor_2_of_its_estimate(name, kind, hidden, epochs, batch):
    cfg = ExperimentConfig.of(name, kind, 4, hidden, epochs, batch, 1e-3, 0)
    ds = data.load(name)
    estimate = cost.train_seconds(cfg, len(ds.x_train), len(ds.x_test), ds.image_shape)
    t0 = time.perf_counter()
    analysis.fit(cfg)
    measured = time.perf_counter() - t0
    assert 0.5 < estimate / measured < 2, (estimate, measured)


def test_a_lesson_costs_the_nets_it_plans_to_train():
    fits = experiments.plan("denoise-then-classify", dataset="digits", quick=True)
    assert [type(f).__name__ for f in fits] == ["CnnFit", "Fit"]
    full = cost.lesson_seconds("bottleneck", {"dataset": "digits"})
    starved = cost.lesson_seconds("bottleneck", {"dataset": "digits", "epochs": 1})
    assert 0 < starved < full


def test_the_budget_refuses_with_the_estimate_and_what_to_change(monkeypatch, digits):
    monkeypatch.setenv("AEVIZ_MAX_JOB_S", "2")
    big = ExperimentConfig.of("digits", "undercomplete", 2, (2048, 2048), 60, 16, 1e-3, 0)
    from aeviz.jobs.local import LocalRunner

    backend = jobs.Jobs(LocalRunner())
    with pytest.raises(jobs.OverBudget) as refused:
        backend.train(big, digits)
    text = str(refused.value)
    assert text.startswith("This would take about") and "over its limit of about 2 s a job (AEVIZ_MAX_JOB_S)" in text
    assert "epochs instead of 60" in text and "hidden widths 512, 512 instead of 2048, 2048" in text
    assert "batch size 256 instead of 16" in text
    assert backend.trainings.get(big) is None  # nothing was started


@pytest.mark.parametrize("seconds, said", [(0.4, "about 1 s"), (6.2, "about 6 s"), (150, "about 2 min"),
                                           (2400, "about 40 min"), (9000, "about 2 h")])
def test_estimates_are_said_in_round_units(seconds, said):
    assert cost.say(seconds) == said
