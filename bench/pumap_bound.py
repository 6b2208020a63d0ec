"""How good can a parametric map of MNIST-5k's 4,000 training digits be on its 1,000 held-out ones?

umap-learn places a held-out digit by its nearest training digits (`transform`): 5-NN about .86,
trustworthiness about .94. A parametric map encodes it with a net instead. The best such a net can
do with UMAP's objective is to reproduce UMAP's own layout of the training digits, so this fits
the parametric-umap kind's encoder (784-512-256-128-2, batch norm) to umap-learn's embedding of the
training digits by regression, long and well (AdamW, 60 and 200 epochs), and scores it on the
held-out digits, over seeds, beside the transform and the app's parametric UMAP (bench/maps.py).

    python bench/pumap_bound.py --seeds 0 1 2      # ~3 minutes on 2 cores
"""
from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def distilled(x_train, layout, x_eval, epochs: int, seed: int) -> tuple[np.ndarray, float]:
    """The parametric-umap kind's encoder regressed on layout (N, 2); its codes of x_eval, and seconds."""
    import torch

    from aeviz.config import ModelConfig
    from aeviz.nets import models

    torch.manual_seed(seed)
    encoder = models.build(ModelConfig(kind="parametric-umap"), (28, 28)).encoder
    opt = torch.optim.AdamW(encoder.parameters(), 1e-3, weight_decay=1e-4)
    x, y = torch.tensor(x_train), torch.tensor((layout - layout.mean(0)) / layout.std(), dtype=torch.float32)
    t0 = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            rows = order[i:i + 128]
            loss = ((encoder(x[rows]) - y[rows]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    encoder.eval()
    with torch.no_grad():
        return encoder(torch.tensor(x_eval)).numpy(), time.perf_counter() - t0


def main() -> None:
    import umap
    from maps import spread
    from results import recorded

    from aeviz import data, metrics

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    ds = data.load("mnist-5k")
    rows: dict[str, list] = {}
    with recorded("pumap_bound"):
        for seed in args.seeds:
            reducer = umap.UMAP(n_neighbors=15, random_state=seed).fit(ds.x_train)
            found = {"umap-learn transform (not parametric)": (reducer.transform(ds.x_test), float("nan"))}
            for epochs in (60, 200):
                found[f"encoder fitted to UMAP's layout, {epochs} epochs"] = distilled(
                    ds.x_train, reducer.embedding_, ds.x_test, epochs, seed)
            for name, (z, seconds) in found.items():
                knn, trust = metrics.knn_accuracy(z, ds.y_test), metrics.trustworthiness(ds.x_test, z)
                rows.setdefault(name, []).append((knn, trust, seconds))
                print(f"  seed {seed}, {name}: 5-NN {knn:.3f}, trust {trust:.3f}, fit {seconds:.1f} s", flush=True)
        print(f"\nheld-out digits, seeds {' '.join(map(str, args.seeds))}: median (range)")
        print("map | 5-NN accuracy | trustworthiness | fit s")
        for name, values in rows.items():
            knn, trust, seconds = zip(*values)
            print(f"{name} | {spread(knn)} | {spread(trust)} | "
                  f"{'-' if np.isnan(seconds).all() else spread(seconds, '.1f')}")
        print("targets of issue 27 for a parametric UMAP: 5-NN 0.85, trustworthiness 0.92, within 25 s")


if __name__ == "__main__":
    main()
