"""The one training loop for every kind of autoencoder.

Fast on a CPU because the data lives in one tensor and minibatches are slices of a permuted copy
(no DataLoader, no per-sample Python). Seeded: the same config on the same machine gives
bit-identical weights. Denoising draws fresh noise every epoch; the target is always the clean digit.
"""
from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from . import failures, models, noise
from .config import ModelConfig, NoiseConfig, TrainConfig

# callback(epoch, train_loss, val_loss, elapsed_s) -> True to ask the loop to stop after this epoch.
EpochCallback = Callable[[int, float, float, float], bool | None]


class TrainingDiverged(RuntimeError):
    """The loss became non-finite or exploded; the message says how to fix it."""


@dataclass
class TrainResult:
    model: nn.Module  # in eval mode, on the CPU
    train_loss: list[float] = field(default_factory=list)  # one per epoch run
    val_loss: list[float] = field(default_factory=list)
    seconds: float = 0.0
    stopped_early: bool = False  # a callback asked to stop
    codes_per_epoch: np.ndarray | None = None  # (epochs_run + 1, N_track, k): codes of x_track
    trained_in: dict | None = None  # where it was trained ({"host", "pid"}), when a job recorded it

    @property
    def epochs_run(self) -> int:
        return len(self.train_loss)


def _tensor(x: np.ndarray, device="cpu", dtype=torch.float32) -> torch.Tensor:
    """A copy of x on device (inputs may be read-only cached arrays)."""
    return torch.tensor(np.asarray(x), device=device, dtype=dtype)


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("device 'cuda' was asked for, but torch sees no GPU; use 'auto' or 'cpu'")
    return torch.device(name)


def step(model: nn.Module, cfg: ModelConfig, x_in: torch.Tensor, target: torch.Tensor,
         opt: torch.optim.Optimizer) -> torch.Tensor:
    """One gradient step on a minibatch; returns its loss as a 0-d tensor (no host sync per step).

    Training minimises the kind's full objective (MSE plus any sparsity penalty); validation
    (_validate) reports the per-pixel MSE alone, so the curves of all kinds are on one scale.
    """
    x_hat, z = model(x_in)  # (B, D), (B, k)
    loss = models.loss_fn(cfg, x_hat, target, z)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.detach()


def _run_epoch(model, cfg, x_in, target, batch_size, opt, generator) -> float:
    """Mean training loss over one shuffled pass. x_in, target: (N, D)."""
    n = x_in.shape[0]
    order = torch.randperm(n, generator=generator, device="cpu").to(x_in.device)
    # One gather, then contiguous slices (no DataLoader: no per-sample Python, no collation).
    x_in, target = (x_in[order],) * 2 if x_in is target else (x_in[order], target[order])
    total = torch.zeros((), device=x_in.device)
    for start in range(0, n, batch_size):
        xb, tb = x_in[start:start + batch_size], target[start:start + batch_size]
        total += step(model, cfg, xb, tb, opt) * xb.shape[0]
    return total.item() / n


def _lbfgs_epoch(model, cfg, x_in, target, opt) -> float:
    """One full-batch L-BFGS step (up to max_iter evaluations); the training loss after it."""
    def closure():
        opt.zero_grad(set_to_none=True)
        x_hat, z = model(x_in)  # (N, D), (N, k)
        loss = models.loss_fn(cfg, x_hat, target, z)
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        x_hat, z = model(x_in)
        return models.loss_fn(cfg, x_hat, target, z).item()


def _optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    if cfg.optimizer == "lbfgs":
        return torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=50, history_size=50,
                                 line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-15)
    return _adam(model, cfg)


def _adam(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """Adam with torch's fused kernel: one pass over all parameters instead of a dozen element-wise
    ops per tensor; at batch 256 that takes a training step from ~6.2 to ~5.1 ms on 2 cores."""
    return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=True)


def _validate(model: nn.Module, cfg: ModelConfig, x_in: torch.Tensor, target: torch.Tensor,
              batch: int = 4096) -> tuple[float, float]:
    """(per-pixel MSE of model(x_in) against target, largest per-pixel spread of the first batch's
    reconstructions). The spread is ~0 when every digit decodes to the same image."""
    with torch.no_grad():
        total, spread = 0.0, None
        for start in range(0, len(x_in), batch):
            x_hat = model(x_in[start:start + batch])[0]  # (B, D)
            total += models.loss_fn(cfg, x_hat, target[start:start + batch], None, penalty=False).item() * len(x_hat)
            if spread is None:
                spread = x_hat[:256].std(0).max().item() if len(x_hat) > 1 else 1.0
    return total / len(x_in), spread


def _divergence(result: TrainResult, first_loss: float, model: nn.Module, spread: float, pixels: bool) -> str:
    """Why training has diverged, or "" if it has not.

    Three signs: a non-finite loss or weight; an error ten times the untrained net's (it blew up);
    or, for pixels in [0, 1], every validation digit decoding to the same image (spread ~0: the
    units died, typically after a huge Adam step, and the net no longer looks at its input). Targets
    outside [0, 1] saturate the sigmoid output to a constant legitimately: no sign there.
    """
    tr, va = result.train_loss[-1], result.val_loss[-1]
    if not (math.isfinite(tr) and math.isfinite(va)) or not all(torch.isfinite(p).all() for p in model.parameters()):
        return f"the loss became {tr:.3g}"
    if va > 10 * first_loss:
        return f"the error exploded from {first_loss:.3g} to {va:.3g}"
    if pixels and spread < 1e-6:
        return "every digit now decodes to the same image (the units died)"
    return ""


def lower_the_rate(lr: float) -> str:
    """Advice after a divergence: a rate ten times lower than the one that failed, and the default
    only where it is lower still."""
    default = TrainConfig().lr
    also = f", or the default {default:g}" if default < lr / 10 else ""
    return f"The learning rate {lr:g} is too high: lower it (try {lr / 10:g}{also}) and train again."


def _encode(model: nn.Module, x: torch.Tensor, batch: int = 4096) -> np.ndarray:
    with torch.no_grad():
        return torch.cat([model.encode(x[i:i + batch]) for i in range(0, len(x), batch)]).float().cpu().numpy()


def fit(x_train: np.ndarray, x_val: np.ndarray, image_shape: tuple[int, int],
        model_cfg: ModelConfig = ModelConfig(), train_cfg: TrainConfig = TrainConfig(),
        noise_cfg: NoiseConfig = NoiseConfig(), callback: EpochCallback | None = None,
        x_track: np.ndarray | None = None) -> TrainResult:
    """Train an autoencoder on x_train (N, D), validating on x_val (M, D); both float in [0, 1].

    With noise_cfg.kind != "none" (or the denoising kind) the input is corrupted afresh each epoch
    and the target stays clean; the validation input is corrupted once, with a fixed seed.
    x_track (T, D), if given, is encoded before training and after every epoch (for replays).
    """
    if model_cfg.kind == "denoising" and noise_cfg.kind == "none":
        raise ValueError("the denoising kind needs a corruption: choose a noise type other than 'none'")
    failures.check("train")
    device = resolve_device(train_cfg.device)
    lbfgs = train_cfg.optimizer == "lbfgs"
    dtype = torch.float64 if lbfgs else torch.float32
    torch.manual_seed(train_cfg.seed)
    model = models.build(model_cfg, image_shape).to(device, dtype)
    opt = _optimizer(model, train_cfg)
    gen = torch.Generator().manual_seed(train_cfg.seed)
    clean = _tensor(x_train, device, dtype)  # (N, D)
    val_clean = _tensor(x_val, device, dtype)  # (M, D)
    noisy = noise_cfg.kind != "none"
    val_in = _corrupted(x_val, noise_cfg, 10_000 + train_cfg.seed, device, dtype) if noisy else val_clean
    track = None if x_track is None else _tensor(x_track, device, dtype)
    codes = [] if track is None else [_encode(model, track)]
    result = TrainResult(model=model)
    first_loss, _ = _validate(model, model_cfg, val_in, val_clean)
    pixels = bool(val_clean.min() >= 0 and val_clean.max() <= 1)  # the sigmoid output's range
    t0 = time.perf_counter()
    for epoch in range(1, train_cfg.epochs + 1):
        model.train()
        x_in = _corrupted(x_train, noise_cfg, train_cfg.seed * 1000 + epoch, device, dtype) if noisy else clean
        if lbfgs:
            tr = _lbfgs_epoch(model, model_cfg, x_in, clean, opt)
        else:
            tr = _run_epoch(model, model_cfg, x_in, clean, train_cfg.batch_size, opt, gen)
        model.eval()
        va, spread = _validate(model, model_cfg, val_in, val_clean)
        result.train_loss.append(tr)
        result.val_loss.append(va)
        why = _divergence(result, first_loss, model, spread, pixels)
        if why:
            raise TrainingDiverged(f"Training diverged at epoch {epoch}: {why}. {lower_the_rate(train_cfg.lr)}")
        if track is not None:
            codes.append(_encode(model, track))
        if callback is not None and callback(epoch, tr, va, time.perf_counter() - t0):
            result.stopped_early = epoch < train_cfg.epochs
            break
    result.seconds = time.perf_counter() - t0
    result.model = model.cpu().float().eval().requires_grad_(False)
    if codes:
        result.codes_per_epoch = np.stack(codes)  # (epochs_run + 1, T, k)
    return result


def _corrupted(x: np.ndarray, cfg: NoiseConfig, seed: int, device, dtype=torch.float32) -> torch.Tensor:
    return _tensor(noise.corrupt(x, cfg.kind, cfg.level, seed=seed), device, dtype)


def _inference(model: nn.Module, fn, x: np.ndarray, dtype, batch: int = 4096) -> np.ndarray:
    """fn(float64 copy of model, rows of x as float64) on the CPU, without gradients, as `dtype`.

    In float64, so that a row's result does not depend on the rows computed with it: float32
    matrix kernels sum in an order that depends on the batch size, which moved codes by ~1e-7
    (scikit-learn's check_methods_subset_invariance). The copy costs a few ms."""
    net = copy.deepcopy(model).cpu().double().eval()
    x = np.asarray(x)
    with torch.no_grad():
        parts = [fn(net, torch.tensor(x[i:i + batch], dtype=torch.float64)).numpy().astype(dtype, copy=False)
                 for i in range(0, len(x), batch)]
    return np.concatenate(parts) if parts else fn(net, torch.zeros((0, x.shape[1]), dtype=torch.float64)).numpy()


def reconstruct(model: nn.Module, x: np.ndarray, dtype=np.float32) -> np.ndarray:
    """model(x) for x (N, D) float in [0, 1] -> (N, D)."""
    return _inference(model, lambda net, t: net(t)[0], x, dtype)


def encode(model: nn.Module, x: np.ndarray, dtype=np.float32) -> np.ndarray:
    """The codes (N, k) of x (N, D)."""
    return _inference(model, lambda net, t: net.encode(t), x, dtype)


def decode(model: nn.Module, z: np.ndarray, dtype=np.float32) -> np.ndarray:
    """Images (N, D) decoded from codes z (N, k)."""
    return _inference(model, lambda net, t: net.decode(t), z, dtype)


def fit_classifier(x: np.ndarray, y: np.ndarray, image_shape: tuple[int, int], *, epochs: int = 5,
                   batch_size: int = 64, lr: float = 1e-3, seed: int = 0) -> nn.Module:
    """Train models.SmallCNN on digits x (N, D) with labels y (N,); seeded; returned in eval mode."""
    torch.manual_seed(seed)
    model = models.SmallCNN(image_shape, int(np.max(y)) + 1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    xt, yt = _tensor(x), torch.tensor(np.asarray(y, np.int64))
    for _ in range(epochs):
        order = torch.randperm(len(xt), generator=gen)
        for start in range(0, len(xt), batch_size):
            idx = order[start:start + batch_size]
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model.eval().requires_grad_(False)


def predict(classifier: nn.Module, x: np.ndarray) -> np.ndarray:
    """Class predictions (N,) for digits x (N, D)."""
    with torch.no_grad():
        return classifier(_tensor(x)).argmax(1).numpy()
