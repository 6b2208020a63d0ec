"""The one training loop for every kind of autoencoder: `fit`.

One objective (the loss of a batch: the kind's reconstruction loss and penalty, or for
parametric-umap the reconstruction plus the graph's loss over a batch of edges) and one update (an
optimiser step on it) serve minibatch Adam, full-batch L-BFGS, the edge batches of parametric-umap
and validation, as a shared step does in PyTorch Lightning.

Fast on a CPU because the data lives in one tensor and minibatches are slices of a permuted copy
(no DataLoader, no per-sample Python). Seeded: the same config on the same machine gives
bit-identical weights. Denoising draws fresh noise every epoch; the target is always the clean digit.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .. import failures, noise
from ..config import ModelConfig, NoiseConfig, TrainConfig
from ..i18n import Msg
from . import graph, models
from .diverge import TrainingDiverged, lower_the_rate, stuck_check_epoch, why_diverged
from .infer import to_tensor

# callback(epoch, train_loss, val_loss, elapsed_s) -> True to ask the loop to stop after this epoch.
EpochCallback = Callable[[int, float, float, float], bool | None]


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


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError(Msg("train.no_gpu"))
    return torch.device(name)


@dataclass(frozen=True)
class Edges:
    """A batch of the neighbour graph's edges, for the parametric-umap objective: the batch's inputs
    are the edges' heads, `tails` their other ends."""

    tails: torch.Tensor  # (B, D)
    layout: torch.Tensor | None  # (B, 2): UMAP's layout at the heads while the codes are pulled to it
    graph: graph.NeighbourGraph
    generator: torch.Generator


def objective(model: nn.Module, cfg: ModelConfig, x_in: torch.Tensor, target: torch.Tensor, *,
              penalty: bool = True, edges: Edges | None = None):
    """(loss, x_hat (B, D), penalised) of one batch x_in (B, D) against target (B, D).

    Training minimises the kind's full objective (MSE plus any penalty); validation asks with
    penalty=False for the per-pixel MSE alone, so the curves of all kinds are on one scale. With
    `edges`, the parametric-umap objective: the reconstruction of a share of the heads (x_hat is
    theirs) plus umap_weight x the graph's loss (a pull towards UMAP's layout early on, then UMAP's
    cross-entropy)."""
    if edges is None:
        x_hat, penalised = model(x_in)  # (B, D), (B, k) (a VAE's: (B, 2k), mean and log-variance)
        return models.loss_fn(cfg, x_hat, target, penalised, penalty), x_hat, penalised
    z_head = model.encode(x_in)  # (B, 2)
    if edges.layout is not None:  # the pull needs no tails
        graph_loss = F.mse_loss(z_head, edges.layout)
    else:
        g = edges.graph
        graph_loss = graph.umap_cross_entropy(z_head, model.encode(edges.tails), g.a, g.b, graph.NEGATIVES,
                                              edges.generator)
    m = max(1, round(len(z_head) * graph.DECODED_FRACTION))  # edges are drawn at random: any m heads will do
    x_hat = model.decode(z_head[:m])  # (m, D)
    return F.mse_loss(x_hat, target[:m]) + cfg.umap_weight * graph_loss, x_hat, z_head


def update(opt: torch.optim.Optimizer, loss_of: Callable[[], torch.Tensor], scheduler=None) -> torch.Tensor:
    """One optimiser step on the loss loss_of() computes (called once, or as often as L-BFGS's line
    search asks); the step's loss as a 0-d tensor (no host sync per step)."""
    def closure():
        opt.zero_grad(set_to_none=True)
        loss = loss_of()
        loss.backward()
        return loss

    if isinstance(opt, torch.optim.LBFGS):
        loss = opt.step(closure)
    else:
        loss = closure()
        opt.step()
    if scheduler is not None:
        scheduler.step()
    return loss.detach()


def _batches(n: int, batch_size: int) -> list[tuple[int, int]]:
    """The (start, stop) of each minibatch of a pass over n rows: as few batches as batch_size
    allows, of equal sizes (within one row). A short last batch (16 of 3,600 digits at 256) took a
    full step on the batch statistics of a few rows: 10% fewer digits cost the 2-D map (bench/maps.py)."""
    count = max(1, -(-n // batch_size))
    edges = [round(i * n / count) for i in range(count + 1)]
    return list(zip(edges[:-1], edges[1:]))


def _minibatch_epoch(model, cfg, x_in, target, batch_size, opt, generator, scheduler=None) -> float:
    """Mean training loss over one shuffled pass. x_in, target: (N, D)."""
    n = x_in.shape[0]
    order = torch.randperm(n, generator=generator, device="cpu").to(x_in.device)
    # One gather, then contiguous slices (no DataLoader: no per-sample Python, no collation).
    x_in, target = (x_in[order],) * 2 if x_in is target else (x_in[order], target[order])
    total = torch.zeros((), device=x_in.device)
    for start, stop in _batches(n, batch_size):
        xb, tb = x_in[start:stop], target[start:stop]
        total += update(opt, lambda xb=xb, tb=tb: objective(model, cfg, xb, tb)[0], scheduler) * xb.shape[0]
    return total.item() / n


def _edge_epoch(model, cfg: ModelConfig, x_in, target, g: graph.NeighbourGraph, batch_size: int, opt, generator,
                scheduler, pull_to_layout: bool) -> float:
    """One epoch of the parametric-umap kind over edges drawn by weight; its mean loss. x_in,
    target: (N, D)."""
    weights = torch.as_tensor(g.weights)
    heads, tails = torch.as_tensor(g.heads), torch.as_tensor(g.tails)
    layout = torch.as_tensor(g.layout).to(x_in.device, x_in.dtype)
    size, total = graph.EDGE_BATCH_FACTOR * batch_size, 0.0
    steps = graph.steps_per_epoch(len(x_in), batch_size)
    for _ in range(steps):
        e = torch.multinomial(weights, size, replacement=True, generator=generator)  # edges, by weight
        h, t = heads[e].to(x_in.device), tails[e].to(x_in.device)
        edges = Edges(x_in[t], layout[h] if pull_to_layout else None, g, generator)
        loss_of = lambda h=h, edges=edges: objective(model, cfg, x_in[h], target[h], edges=edges)[0]
        total += update(opt, loss_of, scheduler).item()
    return total / steps


def _full_batch_epoch(model, cfg, x_in, target, opt) -> float:
    """One full-batch L-BFGS step (up to max_iter evaluations); the training loss after it."""
    update(opt, lambda: objective(model, cfg, x_in, target)[0])
    with torch.no_grad():
        return objective(model, cfg, x_in, target)[0].item()


def _scheduler(opt: torch.optim.Optimizer, cfg: TrainConfig, steps_per_epoch: int):
    """torch's one-cycle schedule over the whole run (warm-up over the first 15% of the steps,
    then cosine annealing), or None for a constant rate."""
    if cfg.schedule != "one-cycle" or cfg.optimizer != "adam":
        return None
    return torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=cfg.epochs * steps_per_epoch,
                                               pct_start=0.15)


def optimizer(model: nn.Module, cfg: TrainConfig) -> torch.optim.Optimizer:
    """L-BFGS for the full-batch optimiser; otherwise Adam with torch's fused kernel: one pass over
    all parameters instead of a dozen element-wise ops per tensor, a large share of a small net's step."""
    if cfg.optimizer == "lbfgs":
        return torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=50, history_size=50,
                                 line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-15)
    return torch.optim.Adam(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay, fused=True)


def _validate(model: nn.Module, cfg: ModelConfig, x_in: torch.Tensor, target: torch.Tensor,
              batch: int = 4096) -> tuple[float, float, np.ndarray]:
    """(per-pixel MSE of model(x_in) against target, largest per-pixel spread of the first batch's
    reconstructions, the codes of x_in (N, k)). The spread is ~0 when every digit decodes to the
    same image."""
    with torch.no_grad():
        total, spread, codes = 0.0, None, []
        for start in range(0, len(x_in), batch):
            loss, x_hat, penalised = objective(model, cfg, x_in[start:start + batch], target[start:start + batch],
                                               penalty=False)
            total += loss.item() * len(x_hat)
            codes.append(penalised[:, :model.latent_dim])  # the code (a VAE's: its mean)
            if spread is None:
                spread = x_hat[:256].std(0).max().item() if len(x_hat) > 1 else 1.0
    return total / len(x_in), spread, torch.cat(codes).float().cpu().numpy()


def _encode(model: nn.Module, x: torch.Tensor, batch: int = 4096) -> np.ndarray:
    with torch.no_grad():
        return torch.cat([model.encode(x[i:i + batch]) for i in range(0, len(x), batch)]).float().cpu().numpy()


def _corrupted(x: np.ndarray, cfg: NoiseConfig, seed: int, device, dtype=torch.float32) -> torch.Tensor:
    return to_tensor(noise.corrupt(x, cfg.kind, cfg.level, seed=seed), device, dtype)


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
    opt = optimizer(model, train_cfg)
    g = None
    if model_cfg.kind == "parametric-umap" and len(x_train) >= 4:  # fewer points have no neighbours
        g = graph.neighbour_graph(np.asarray(x_train, np.float32), model_cfg.n_neighbors, model_cfg.min_dist,
                                  train_cfg.seed)
    steps_per_epoch = (graph.steps_per_epoch(len(x_train), train_cfg.batch_size) if g is not None
                       else len(_batches(len(x_train), train_cfg.batch_size)))
    scheduler = _scheduler(opt, train_cfg, steps_per_epoch)
    gen = torch.Generator().manual_seed(train_cfg.seed)
    clean = to_tensor(x_train, device, dtype)  # (N, D)
    val_clean = to_tensor(x_val, device, dtype)  # (M, D)
    noisy = noise_cfg.kind != "none"
    val_in = _corrupted(x_val, noise_cfg, 10_000 + train_cfg.seed, device, dtype) if noisy else val_clean
    track = None if x_track is None else to_tensor(x_track, device, dtype)
    # The tracked digits are often the validation digits themselves: their codes come with validation.
    track_is_val = track is not None and track.shape == val_in.shape and bool(torch.equal(track, val_in))
    codes = [] if track is None else [_encode(model, track)]
    result = TrainResult(model=model)
    first_loss, _, _ = _validate(model, model_cfg, val_in, val_clean)
    pixels = bool(val_clean.min() >= 0 and val_clean.max() <= 1)  # the sigmoid output's range
    high_rate = pixels and not lbfgs and train_cfg.lr > TrainConfig().lr
    mean_digit_loss = float(((val_clean - clean.mean(0)) ** 2).mean()) if high_rate else None
    t0 = time.perf_counter()
    for epoch in range(1, train_cfg.epochs + 1):
        model.train()
        x_in = _corrupted(x_train, noise_cfg, train_cfg.seed * 1000 + epoch, device, dtype) if noisy else clean
        if lbfgs:
            tr = _full_batch_epoch(model, model_cfg, x_in, clean, opt)
        elif g is not None:
            tr = _edge_epoch(model, model_cfg, x_in, clean, g, train_cfg.batch_size, opt, gen, scheduler,
                             pull_to_layout=epoch <= max(1, train_cfg.epochs // 4))
        else:
            tr = _minibatch_epoch(model, model_cfg, x_in, clean, train_cfg.batch_size, opt, gen, scheduler)
        model.eval()
        va, spread, val_codes = _validate(model, model_cfg, val_in, val_clean)
        result.train_loss.append(tr)
        result.val_loss.append(va)
        stuck_at = mean_digit_loss if high_rate and epoch >= stuck_check_epoch(train_cfg.epochs) else None
        why = why_diverged(tr, va, first_loss, model, spread, pixels, stuck_at)
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
