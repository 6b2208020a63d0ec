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
from .i18n import Msg

# callback(epoch, train_loss, val_loss, elapsed_s) -> True to ask the loop to stop after this epoch.
EpochCallback = Callable[[int, float, float, float], bool | None]


class TrainingDiverged(RuntimeError):
    """The loss became non-finite or exploded; the message (a Msg) says how to fix it."""


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
        raise ValueError(Msg("train.no_gpu"))
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


def _batches(n: int, batch_size: int) -> list[tuple[int, int]]:
    """The (start, stop) of each minibatch of a pass over n rows; a last batch of one row joins the
    one before it (batch normalisation needs two rows to normalise)."""
    bounds = [(s, min(s + batch_size, n)) for s in range(0, n, batch_size)]
    if len(bounds) > 1 and bounds[-1][1] - bounds[-1][0] == 1:
        bounds[-2:] = [(bounds[-2][0], n)]
    return bounds


def _run_epoch(model, cfg, x_in, target, batch_size, opt, generator, scheduler=None) -> float:
    """Mean training loss over one shuffled pass. x_in, target: (N, D)."""
    n = x_in.shape[0]
    order = torch.randperm(n, generator=generator, device="cpu").to(x_in.device)
    # One gather, then contiguous slices (no DataLoader: no per-sample Python, no collation).
    x_in, target = (x_in[order],) * 2 if x_in is target else (x_in[order], target[order])
    total = torch.zeros((), device=x_in.device)
    for start, stop in _batches(n, batch_size):
        xb, tb = x_in[start:stop], target[start:stop]
        total += step(model, cfg, xb, tb, opt) * xb.shape[0]
        if scheduler is not None:
            scheduler.step()
    return total.item() / n


def _scheduler(opt: torch.optim.Optimizer, cfg: TrainConfig, steps_per_epoch: int):
    """torch's one-cycle schedule over the whole run (warm-up over the first 15% of the steps,
    then cosine annealing), or None for a constant rate."""
    if cfg.schedule != "one-cycle" or cfg.optimizer != "adam":
        return None
    return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.epochs * steps_per_epoch,
                                               pct_start=0.15)


# parametric-umap: an epoch draws this many edges per training image, in batches of
# EDGE_BATCH_FACTOR x batch_size edges (1,024 with the defaults): about 27 steps on MNIST-5k's
# 4,000 training digits, so the default 30 epochs make ~800 steps. The first quarter of the epochs
# pull the codes towards UMAP's spectral layout of the graph (its own initialisation), the rest
# minimise the cross-entropy. Both with the reconstruction.
EDGES_PER_IMAGE = 7
EDGE_BATCH_FACTOR = 4
NEGATIVES = 5


def _umap_steps_per_epoch(n_train: int, batch_size: int) -> int:
    return math.ceil(n_train * EDGES_PER_IMAGE / (EDGE_BATCH_FACTOR * batch_size))


def _umap_epoch(model, cfg: ModelConfig, x_in, target, graph, batch_size: int, opt, generator, scheduler,
                pull_to_layout: bool) -> float:
    """One epoch of the parametric-umap kind; its mean loss. x_in, target: (N, D); graph: the
    projections.NeighbourGraph of the training digits (layout: (N, 2))."""
    weights = torch.as_tensor(graph.weights)
    heads, tails = torch.as_tensor(graph.heads), torch.as_tensor(graph.tails)
    layout = torch.as_tensor(graph.layout).to(x_in.device, x_in.dtype)
    size, total, steps = EDGE_BATCH_FACTOR * batch_size, 0.0, _umap_steps_per_epoch(len(x_in), batch_size)
    for _ in range(steps):
        e = torch.multinomial(weights, size, replacement=True, generator=generator)  # edges, by weight
        h, t = heads[e].to(x_in.device), tails[e].to(x_in.device)
        z_head, z_tail = model.encode(x_in[h]), model.encode(x_in[t])  # (B, 2) each
        if pull_to_layout:
            graph_loss = torch.nn.functional.mse_loss(z_head, layout[h])
        else:
            graph_loss = models.umap_cross_entropy(z_head, z_tail, graph.a, graph.b, NEGATIVES, generator)
        loss = torch.nn.functional.mse_loss(model.decode(z_head), target[h]) + cfg.umap_weight * graph_loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.item()
    return total / steps


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
    ops per tensor, a large share of a small net's step."""
    return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=True)


def _validate(model: nn.Module, cfg: ModelConfig, x_in: torch.Tensor, target: torch.Tensor,
              batch: int = 4096) -> tuple[float, float, np.ndarray]:
    """(per-pixel MSE of model(x_in) against target, largest per-pixel spread of the first batch's
    reconstructions, the codes of x_in (N, k)). The spread is ~0 when every digit decodes to the
    same image."""
    with torch.no_grad():
        total, spread, codes = 0.0, None, []
        for start in range(0, len(x_in), batch):
            x_hat, z = model(x_in[start:start + batch])  # (B, D), (B, k) (a VAE's: mean and log-variance)
            total += models.loss_fn(cfg, x_hat, target[start:start + batch], None, penalty=False).item() * len(x_hat)
            codes.append(z[:, :model.latent_dim])
            if spread is None:
                spread = x_hat[:256].std(0).max().item() if len(x_hat) > 1 else 1.0
    return total / len(x_in), spread, torch.cat(codes).float().cpu().numpy()


def _divergence(result: TrainResult, first_loss: float, model: nn.Module, spread: float,
                pixels: bool) -> Msg | None:
    """Why training has diverged, or None if it has not.

    Three signs: a non-finite loss or weight; an error ten times the untrained net's (it blew up);
    or, for pixels in [0, 1], every validation digit decoding to the same image (spread ~0: the
    units died, typically after a huge Adam step, and the net no longer looks at its input). Targets
    outside [0, 1] saturate the sigmoid output to a constant legitimately: no sign there.
    """
    tr, va = result.train_loss[-1], result.val_loss[-1]
    if not (math.isfinite(tr) and math.isfinite(va)) or not all(torch.isfinite(p).all() for p in model.parameters()):
        return Msg("train.loss_became", loss=tr)
    if va > 10 * first_loss:
        return Msg("train.exploded", first=first_loss, last=va)
    if pixels and spread < 1e-6:
        return Msg("train.units_died")
    return None


def lower_the_rate(lr: float) -> Msg:
    """Advice after a divergence: a rate ten times lower than the one that failed, and the default
    only where it is lower still."""
    default = TrainConfig().lr
    if default < lr / 10:
        return Msg("train.lower_rate_or_default", lr=lr, lower=lr / 10, default=default)
    return Msg("train.lower_rate", lr=lr, lower=lr / 10)


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
        raise ValueError(Msg("train.needs_noise"))
    failures.check("train")
    device = resolve_device(train_cfg.device)
    lbfgs = train_cfg.optimizer == "lbfgs"
    dtype = torch.float64 if lbfgs else torch.float32
    torch.manual_seed(train_cfg.seed)
    model = models.build(model_cfg, image_shape).to(device, dtype)
    opt = _optimizer(model, train_cfg)
    graph = None
    if model_cfg.kind == "parametric-umap" and len(x_train) >= 4:  # fewer points have no neighbours
        from . import projections

        graph = projections.neighbour_graph(np.asarray(x_train, np.float32), model_cfg.n_neighbors,
                                            model_cfg.min_dist, train_cfg.seed)
    steps_per_epoch = (_umap_steps_per_epoch(len(x_train), train_cfg.batch_size) if graph is not None
                       else len(_batches(len(x_train), train_cfg.batch_size)))
    scheduler = _scheduler(opt, train_cfg, steps_per_epoch)
    gen = torch.Generator().manual_seed(train_cfg.seed)
    clean = _tensor(x_train, device, dtype)  # (N, D)
    val_clean = _tensor(x_val, device, dtype)  # (M, D)
    noisy = noise_cfg.kind != "none"
    val_in = _corrupted(x_val, noise_cfg, 10_000 + train_cfg.seed, device, dtype) if noisy else val_clean
    track = None if x_track is None else _tensor(x_track, device, dtype)
    # The tracked digits are often the validation digits themselves: their codes come with validation.
    track_is_val = track is not None and track.shape == val_in.shape and bool(torch.equal(track, val_in))
    codes = [] if track is None else [_encode(model, track)]
    result = TrainResult(model=model)
    first_loss, _, _ = _validate(model, model_cfg, val_in, val_clean)
    pixels = bool(val_clean.min() >= 0 and val_clean.max() <= 1)  # the sigmoid output's range
    t0 = time.perf_counter()
    for epoch in range(1, train_cfg.epochs + 1):
        model.train()
        x_in = _corrupted(x_train, noise_cfg, train_cfg.seed * 1000 + epoch, device, dtype) if noisy else clean
        if lbfgs:
            tr = _lbfgs_epoch(model, model_cfg, x_in, clean, opt)
        elif graph is not None:
            tr = _umap_epoch(model, model_cfg, x_in, clean, graph, train_cfg.batch_size, opt, gen, scheduler,
                             pull_to_layout=epoch <= max(1, train_cfg.epochs // 4))
        else:
            tr = _run_epoch(model, model_cfg, x_in, clean, train_cfg.batch_size, opt, gen, scheduler)
        model.eval()
        va, spread, val_codes = _validate(model, model_cfg, val_in, val_clean)
        result.train_loss.append(tr)
        result.val_loss.append(va)
        why = _divergence(result, first_loss, model, spread, pixels)
        if why is not None:
            raise TrainingDiverged(Msg("train.diverged", epoch=epoch, why=why, advice=lower_the_rate(train_cfg.lr)))
        if track is not None:
            codes.append(val_codes if track_is_val else _encode(model, track))
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
    return predict_proba(classifier, x).argmax(1)


def predict_proba(classifier: nn.Module, x: np.ndarray) -> np.ndarray:
    """Class probabilities (N, classes) for digits x (N, D): the softmax of the classifier's logits."""
    with torch.no_grad():
        return torch.softmax(classifier(_tensor(x)), dim=1).numpy()
