"""Where a parametric UMAP's fit time goes, on MNIST-5k's training digits with the defaults:
UMAP's neighbour graph (cold: numba compiles; warm), the whole training loop, and inside it the
edge sampling, the steps' work at the default edge batch, a step's fixed cost (measured at a batch
of 8 edges: Python, kernel launches, Adam) and the validation passes.

    python bench/pumap_time.py        # ~2 minutes on 2 cores

Each part is timed alone over the run's own number of steps, so the parts add up to about the
loop's time; the loop itself is timed once, through loop.fit.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def seconds(fn, repeat: int = 1) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        fn()
    return time.perf_counter() - t0


def main() -> None:
    import numpy as np
    import torch

    from aeviz import data
    from aeviz.config import ModelConfig, TrainConfig
    from aeviz.nets import graph, loop, models

    ds = data.load("mnist-5k")
    model_cfg, train_cfg = ModelConfig(kind="parametric-umap"), TrainConfig()
    x = np.asarray(ds.x_train, np.float32)
    cold = seconds(lambda: graph.neighbour_graph(x, model_cfg.n_neighbors, model_cfg.min_dist, 0))
    t0 = time.perf_counter()
    g = graph.neighbour_graph(x, model_cfg.n_neighbors, model_cfg.min_dist, 0)
    warm = time.perf_counter() - t0
    fit = seconds(lambda: loop.fit(ds.x_train, ds.x_test, ds.image_shape, model_cfg, train_cfg))

    steps = graph.steps_per_epoch(len(x), train_cfg.batch_size) * train_cfg.epochs
    size = graph.EDGE_BATCH_FACTOR * train_cfg.batch_size
    clean = torch.from_numpy(x.copy())  # x may be read-only
    weights, heads, tails = torch.as_tensor(g.weights), torch.as_tensor(g.heads), torch.as_tensor(g.tails)
    gen = torch.Generator().manual_seed(0)

    def sample(n=size):
        e = torch.multinomial(weights, n, replacement=True, generator=gen)
        h, t = heads[e], tails[e]
        return h, loop.Edges(clean[t], None, g, gen)

    sampling = seconds(sample, steps)
    torch.manual_seed(0)
    model = models.build(model_cfg, ds.image_shape)
    opt = loop.optimizer(model, train_cfg)

    def step_time(n: int, count: int) -> float:
        """Seconds per step at n edges (sampling not counted), the median of 3 runs of count steps."""
        drawn = [sample(n) for _ in range(count)]
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            for h, edges in drawn:
                loop.update(opt, lambda h=h, edges=edges: loop.objective(model, model_cfg, clean[h], clean[h],
                                                                        edges=edges)[0]).item()
            runs.append((time.perf_counter() - t0) / count)
        return float(np.median(runs))

    per_step, fixed = step_time(size, 60), step_time(8, 200)
    model.eval()
    val = torch.from_numpy(np.array(ds.x_test))  # a writable copy
    validation = seconds(lambda: loop._validate(model, model_cfg, val, val), train_cfg.epochs + 1)

    print(f"parametric UMAP, defaults: {train_cfg.epochs} epochs x {steps // train_cfg.epochs} steps of "
          f"{size:,} edges (each encoded at both ends, {graph.DECODED_FRACTION:.0%} of the heads decoded) = "
          f"{steps * size / len(x):.0f} "
          f"edge draws per training digit; {len(g.weights):,} edges in the graph of {len(x):,} digits")
    print("part | seconds | share of the fit")
    rows = [("neighbour graph, first call (numba compiles)", cold),
            ("neighbour graph, warm (what loop.fit pays in a warm process)", warm),
            ("edge sampling (multinomial + gathers), all steps", sampling),
            (f"steps' work at {size} edges, less the fixed cost, all steps", (per_step - fixed) * steps),
            ("steps' fixed cost (at 8 edges: Python, launches, Adam), all steps", fixed * steps),
            (f"validation ({train_cfg.epochs + 1} passes over {len(val):,} digits)", validation)]
    for name, s in rows:
        print(f"{name} | {s:.1f} | {s / fit:.0%}")
    print(f"loop.fit, graph included (warm process) | {fit:.1f} | 100%")
    print(f"sum of the parts (warm graph) | {warm + sampling + per_step * steps + validation:.1f} |")


if __name__ == "__main__":
    from results import recorded  # bench/results.py: RESULTS.md keeps what this printed

    with recorded("pumap_time"):
        main()
