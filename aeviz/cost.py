"""What a job will cost before it starts: the FLOPs its configuration implies, in seconds.

A training's cost is its forward FLOPs per image (counted on the net built on torch's "meta"
device, so nothing is allocated) times the images it passes over: 3x per training image (forward
and backward), 1x per validation image and per tracked image, every epoch; at a rate that grows
with the batch size; plus, per optimiser step, a fixed cost and a cost per activation value (the
element-wise work that no FLOP count sees). The rates are measured once per process and device
by `throughput()`, on small trainings of the kind the server runs, on the device the training will
run on (`device_of`: a GPU where torch sees one), so the estimate follows the machine.
"""
from __future__ import annotations

import contextlib
import functools
import math
import os
import socket
import threading
import time
from dataclasses import dataclass

import numpy as np

from .config import ClassifierConfig, ExperimentConfig, ModelConfig
from .i18n import Msg

TRACKED = 2000  # the held-out digits whose codes are kept every epoch (analysis.TRACKED; a test holds them equal)
LBFGS_EVALS = 50  # evaluations in one L-BFGS epoch, at most (loop.optimizer)
LBFGS_SLOWDOWN = 2.0  # float64 instead of float32


def max_job_seconds() -> float:
    """The operator's budget for one job (AEVIZ_MAX_JOB_S, default 120 s)."""
    return float(os.environ.get("AEVIZ_MAX_JOB_S", "120"))


def forward_flops(model: ModelConfig, image_shape: tuple[int, int]) -> float:
    """FLOPs of one image's forward pass through the autoencoder `model` describes."""
    return _profile(model, tuple(image_shape))[0]


def step_units(model: ModelConfig, image_shape: tuple[int, int]) -> float:
    """A step's fixed cost in units of the calibration net's (4 linear layers): a linear layer
    counts 1, a convolution 3 (its kernels take longer to launch and set up)."""
    return _profile(model, tuple(image_shape))[1] / 4


@functools.lru_cache(maxsize=256)
def _profile(model: ModelConfig, image_shape: tuple[int, int]) -> tuple[float, float]:
    from .nets import models

    return _net_profile(lambda: models.build(model, image_shape), image_shape)


@functools.lru_cache(maxsize=16)
def classifier_flops(image_shape: tuple[int, int], n_classes: int = 10) -> float:
    """FLOPs of one image's forward pass through the lessons' CNN (classifier.SmallCNN)."""
    from .nets import classifier

    return _net_profile(lambda: classifier.SmallCNN(tuple(image_shape), n_classes), image_shape)[0]


def _net_profile(build, image_shape) -> tuple[float, float]:
    """(forward FLOPs, layer units): 2 FLOPs per multiply-add of every linear and conv layer,
    counted on a net built on torch's meta device (no memory, no initialisation) by hooks that
    see each layer's shapes; units as in step_units."""
    import torch
    from torch import nn

    with torch.device("meta"):
        net = build().eval()  # evaluation mode: batch normalisation takes a batch of one
    total = [0.0, 0.0]

    def count(module, inputs, output):
        if isinstance(module, nn.Linear):
            total[0] += 2.0 * module.in_features * module.out_features
            total[1] += 1
        elif isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
            k = module.kernel_size[0] * module.kernel_size[1]
            spatial = (output if isinstance(module, nn.Conv2d) else inputs[0]).shape[-2:]
            total[0] += 2.0 * module.in_channels * module.out_channels * k * spatial[0] * spatial[1]
            total[1] += 3

    hooks = [m.register_forward_hook(count) for m in net.modules() if not list(m.children())]
    with torch.no_grad():
        net(torch.empty(1, image_shape[0] * image_shape[1], device="meta"))
    for h in hooks:
        h.remove()
    return total[0], total[1]


CONV_SLOWDOWN = 3.0  # CPU convolutions of these small images reach about a third of the matrix-product rate


GRAPH_S = 5.0  # parametric-umap: building UMAP's graph of MNIST-5k, numba's compile included
RATE_BATCHES = (16, 64, 256)  # the batch sizes at which the matrix-product rate is measured


@dataclass(frozen=True)
class Rates:
    flops_per_s: tuple[float, ...]  # training FLOP/s of a compute-bound net at each of RATE_BATCHES
    step_s: float  # fixed cost of one optimiser step (Python, kernel launches, Adam)
    value_s: float  # cost of one activation value in a step (element-wise work)

    def rate(self, batch: int) -> float:
        """FLOP/s at this batch size: interpolated in log(batch) between the measured ones."""
        logs = np.log2(RATE_BATCHES)
        return float(np.interp(np.log2(max(batch, 1)), logs, self.flops_per_s))


def _timed(x, shape, model: ModelConfig, batch: int, epochs: int = 1, repeats: int = 3, device: str = "cpu") -> float:
    """Seconds of `epochs` epochs over x: a run of 1 + epochs less a run of 1 (so that building the
    net and the first validation are not counted), the median of `repeats` tries: one try on a
    shared 2-core machine can be off by a factor of 2, and the estimates inherit it."""
    from .config import TrainConfig
    from .nets import loop

    tries = []
    for _ in range(repeats):
        spent = []
        for n in (1, 1 + epochs):
            t0 = time.perf_counter()
            loop.fit(x, x[:64], shape, model, TrainConfig(epochs=n, batch_size=batch, device=device))
            spent.append(time.perf_counter() - t0)
        tries.append(spent[1] - spent[0])
    return max(float(np.median(tries)), 1e-4)


def _images(n: int, d: int, rng) -> np.ndarray:
    """n random images of d pixels with structure (rank 4), which a net can learn: on i.i.d. pixels
    the best it can do is their mean, which the divergence guard takes for dead units."""
    z = rng.normal(size=(n, 4)) @ rng.normal(size=(4, d))
    return (1 / (1 + np.exp(-z))).astype(np.float32)


_rates_lock = threading.Lock()


def device_of(cfg: ExperimentConfig) -> str:
    """The device cfg's training runs on: "cuda" or "cpu" (its "auto" resolved as loop.fit does)."""
    from .nets.loop import resolve_device

    return resolve_device(cfg.train.device).type


def throughput(device: str = "cpu") -> Rates:
    """This process's rates on `device` ("cpu", "cuda"): measured once (a couple of seconds) and kept
    for a week in the cache folder for this machine and thread count (or GPU), so a restarted
    server knows them at once."""
    import json
    from pathlib import Path

    import torch

    with _rates_lock:
        if device in _rates:
            return _rates[device]
        base = Path(os.environ.get("AEVIZ_CACHE") or Path.home() / ".cache" / "aeviz")
        where = (f"cuda-{torch.cuda.get_device_name().replace(' ', '_').replace('/', '_')}" if device == "cuda"
                 else f"{os.cpu_count()}cpu-{torch.get_num_threads()}t")
        path = base / f"throughput-{socket.gethostname()}-{where}.json"
        try:
            saved = json.loads(path.read_text())
            if time.time() - saved["measured_at"] < 7 * 86400:
                _rates[device] = Rates(tuple(saved["flops_per_s"]), saved["step_s"], saved["value_s"])
                return _rates[device]
        except (OSError, ValueError, KeyError, TypeError):
            pass
        rates = _rates[device] = _measure(device)
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"measured_at": time.time(), "flops_per_s": list(rates.flops_per_s),
                                        "step_s": rates.step_s, "value_s": rates.value_s}))
        return rates


_rates: dict[str, Rates] = {}


def _measure(device: str = "cpu") -> Rates:
    """Measured once, on random structured images, with this process's torch threads (a couple of seconds in
    all): a tiny net on 8x8 images for the fixed cost of a step, the same on 28x28 for the cost
    per activation value, and a net wide enough to be compute-bound at RATE_BATCHES."""
    rng = np.random.default_rng(0)
    x64, x784 = _images(4096, 64, rng), _images(2048, 784, rng)
    # tanh: no unit can die on these few steps (the guard would stop a net whose units did)
    tiny = ModelConfig(latent_dim=2, hidden=(8,), activation="tanh")
    # the default widths: the rate of the layer shapes most trainings use
    wide = ModelConfig(latent_dim=16, hidden=(512, 256, 128), activation="tanh")
    _timed(x784[:128], (28, 28), tiny, 64, repeats=1, device=device)  # first calls: allocator and kernel warm-up
    step_s = _timed(x64, (8, 8), tiny, 64, epochs=2, device=device) / (2 * 4096 / 64)
    per_step = _timed(x784, (28, 28), tiny, 64, epochs=2, device=device) / (2 * 2048 / 64)
    value_s = max(per_step - step_s, 0.0) / (64 * _values((28, 28), tiny))
    rates = []
    for batch in RATE_BATCHES:
        steps = math.ceil(1024 / batch)
        overhead = steps * (step_s * step_units(wide, (28, 28)) + batch * value_s * _values((28, 28), wide))
        spent = _timed(x784[:1024], (28, 28), wide, batch, device=device) - overhead
        rates.append(forward_flops(wide, (28, 28)) * 3 * 1024 / max(spent, 1e-3))
    return Rates(flops_per_s=tuple(float(r) for r in np.maximum.accumulate(rates)), step_s=step_s, value_s=value_s)


def _values(image_shape, model: ModelConfig) -> float:
    """Activation values one image makes in a dense net's step: input, output, every layer twice."""
    d = image_shape[0] * image_shape[1]
    return 2.0 * d + 2.0 * (2 * sum(model.hidden) + model.latent_dim)


def train_seconds(cfg: ExperimentConfig, n_train: int, n_val: int, image_shape: tuple[int, int],
                  tracked: int = TRACKED, rates: Rates | None = None) -> float:
    """About how long cfg's training takes on n_train images, validated on n_val, on the device it
    will run on."""
    rates = rates or throughput(device_of(cfg))
    f = forward_flops(cfg.model, tuple(image_shape)) * (CONV_SLOWDOWN if cfg.model.kind == "conv" else 1.0)
    tracked = min(tracked, n_val)
    eval_s = f * (n_val + tracked) / rates.rate(RATE_BATCHES[-1])  # validation, tracked codes: large batches
    if cfg.model.kind == "parametric-umap":  # edge batches: both ends encoded, a share of the heads decoded
        from .nets.graph import DECODED_FRACTION, EDGE_BATCH_FACTOR, EDGES_PER_IMAGE

        edges = EDGE_BATCH_FACTOR * cfg.train.batch_size
        steps = math.ceil(n_train * EDGES_PER_IMAGE / edges)
        passes = 1.0 + 0.5 * DECODED_FRACTION  # an encoder is about half the net's forward flops
        per_step = 3 * passes * f * edges / rates.rate(edges) + rates.step_s * step_units(cfg.model, image_shape) \
            + passes * edges * rates.value_s * _values(image_shape, cfg.model)
        return cfg.train.epochs * (steps * per_step + eval_s) + GRAPH_S
    if cfg.train.optimizer == "lbfgs":
        per_eval = 3 * f * n_train / rates.rate(n_train) + n_train * _values(image_shape, cfg.model) * rates.value_s
        per_epoch = LBFGS_EVALS * (per_eval * LBFGS_SLOWDOWN + rates.step_s)
    else:
        b = cfg.train.batch_size
        steps = math.ceil(n_train / b)
        per_epoch = (3 * f * n_train / rates.rate(b) + steps * (rates.step_s * step_units(cfg.model, image_shape)
                                                               + b * rates.value_s * _values(image_shape, cfg.model)))
    return cfg.train.epochs * (per_epoch + eval_s) + 0.01  # + building the net


def classifier_seconds(cfg: ClassifierConfig, n_train: int, image_shape: tuple[int, int],
                       rates: Rates | None = None) -> float:
    """About how long the lessons' CNN takes to train on n_train digits (batches of 64)."""
    rates = rates or throughput()
    steps = math.ceil(n_train / 64)
    return cfg.epochs * (3 * classifier_flops(image_shape) * CONV_SLOWDOWN * n_train / rates.rate(64)
                         + steps * rates.step_s)


def lesson_seconds(name: str, kwargs: dict, rates: Rates | None = None) -> float:
    """About how long a lesson takes: the sum of its planned nets' trainings (lessons.plan), in turn."""
    from . import data, lessons

    total = 0.0  # each net at the rates of the device it trains on, unless `rates` are given
    for planned in lessons.plan(name, **kwargs):
        ds = data.of(planned.data)
        n, shape = len(ds.x_train), ds.image_shape
        if isinstance(planned, ClassifierConfig):
            total += classifier_seconds(planned, n, shape, rates)
        else:
            total += train_seconds(planned, n, len(ds.x_test), shape, tracked=0, rates=rates)
    return total


def projection_seconds(method: str, n: int) -> float:
    """About how long a UMAP or t-SNE of n points takes, warm (UMAP with 200 layout epochs, t-SNE
    with scikit-learn's defaults): fitted to timings on 2 cores (UMAP 0.8, 2.3, 9.6 s at 2,000,
    5,000, 14,000 digits; t-SNE 5.3 and 17 s at 2,000 and 5,000); numba's first compile in a fresh
    process adds about 10 s. A guard against a job far over the budget, not a promise."""
    if method == "umap":
        return 0.2 + 4.5e-4 * n * (n / 5000) ** 0.35
    if method == "tsne":
        return 3.2e-3 * n * (n / 5000) ** 0.25
    return 1.0


def projection_fits(method: str, limit: float) -> int:
    """The most points a `method` projection of which fits within `limit` seconds (0: none)."""
    lo, hi = 0, 1_000_000
    while lo < hi:  # projection_seconds grows with n
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if projection_seconds(method, mid) <= limit else (lo, mid - 1)
    return lo


def about(seconds: float) -> Msg:
    """'about 6 s', 'about 3 min', 'about 2 h', worded later (for a message kept and shown afterwards)."""
    if seconds < 90:
        return Msg("cost.about_s", n=max(1, round(seconds)))
    if seconds < 5400:
        return Msg("cost.about_min", n=round(seconds / 60))
    return Msg("cost.about_h", n=seconds / 3600)


def say(seconds: float) -> str:
    """'about 6 s', 'about 3 min', 'about 2 h', in the current language (for the page being drawn)."""
    return str(about(seconds))
