"""The 2-D maps of the same held-out digits, over seeds, in one run: each kind of map (the default
autoencoder, parametric UMAP, the variational autoencoder) trained two ways, the app's
(`analysis.train`: all training digits, validated on the held-out ones) and the scikit-learn
estimator's defaults (`AutoencoderTransformer`, which holds out 10% of what it is given), beside
umap-learn in the same run. Then the default map on five 90% subsets of the training digits, and
the 32-number default net against PCA-32.

    python bench/maps.py --seeds 0 1 2     # ~12 minutes on 2 cores
    python bench/maps.py --kinds undercomplete --subsets 5

MNIST-5k, its 1,000 held-out digits: 5-NN accuracy of the map (5-fold CV, as the app's panel),
trustworthiness (k = 5), per-pixel MSE of the reconstructions, fit time. Each figure is the median
over the seeds with its range.
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

KINDS = ("undercomplete", "parametric-umap", "variational")
# The targets of issue 27, for the medians (and the floor for every seed and every subset).
TARGETS = {"undercomplete": dict(knn=0.70, trust=0.89, seconds=15.0, floor=0.66),
           "parametric-umap": dict(knn=0.85, trust=0.92, seconds=25.0, mse_ratio=1.15)}


def spread(values, fmt: str = ".3f") -> str:
    """'median (min-max)' of values."""
    v = np.asarray(values, float)
    return f"{np.median(v):{fmt}} ({v.min():{fmt}}-{v.max():{fmt}})"


def scored(encode, reconstruct, x, y, seconds: float) -> dict:
    from aeviz import metrics

    z = encode(x)
    return {"knn": metrics.knn_accuracy(z, y), "trust": metrics.trustworthiness(x, z),
            "mse": metrics.reconstruction_error(x, reconstruct(x)) if reconstruct else float("nan"),
            "seconds": seconds}


def app_path(ds, kind: str, seed: int, rows=None) -> dict:
    """The app's way: analysis.train_on (the default net and training for `kind`), on ds's training
    digits or those of them at `rows`."""
    from dataclasses import replace

    from aeviz import analysis
    from aeviz.config import ExperimentConfig, ModelConfig, TrainConfig
    from aeviz.nets import infer

    if rows is not None:
        ds = replace(ds, x_train=ds.x_train[rows], y_train=ds.y_train[rows])
    cfg = ExperimentConfig(model=ModelConfig(kind=kind), train=TrainConfig(seed=seed))
    t0 = time.perf_counter()
    model = analysis.train_on(ds, cfg, track=False).model
    seconds = time.perf_counter() - t0
    return scored(lambda a: infer.encode(model, a), lambda a: infer.reconstruct(model, a),
                  ds.x_test, ds.y_test, seconds)


def estimator_path(ds, kind: str, seed: int) -> dict:
    from aeviz.estimator import AutoencoderTransformer

    est = AutoencoderTransformer(kind=kind, random_state=seed)
    t0 = time.perf_counter()
    est.fit(ds.x_train)
    seconds = time.perf_counter() - t0
    return scored(est.transform, est.reconstruct, ds.x_test, ds.y_test, seconds)


def umap_learn(ds, seed: int) -> tuple[dict, dict]:
    """umap-learn fitted on the training digits and applied with `transform` (the like-for-like
    baseline of a parametric map), and fitted on the held-out digits (as the app's UMAP panel)."""
    from aeviz import projections

    t0 = time.perf_counter()
    with projections.NUMBA_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reducer = projections.import_umap().UMAP(random_state=seed).fit(ds.x_train)
    z = reducer.transform(ds.x_test)
    transform = scored(lambda a: z, None, ds.x_test, ds.y_test, time.perf_counter() - t0)
    t0 = time.perf_counter()
    z2 = projections.project("umap", ds.x_test, seed=seed)
    return transform, scored(lambda a: z2, None, ds.x_test, ds.y_test, time.perf_counter() - t0)


def table(rows: list[tuple[str, list[dict]]]) -> None:
    print("map | 5-NN accuracy | trustworthiness | per-pixel MSE | fit s")
    for name, runs in rows:
        col = {key: [r[key] for r in runs] for key in runs[0]}
        mse = "-" if np.isnan(col["mse"]).all() else spread(col["mse"], ".4f")
        print(f"{name} | {spread(col['knn'])} | {spread(col['trust'])} | {mse} | {spread(col['seconds'], '.1f')}")


def verdicts(results: dict) -> None:
    """One line per target: the medians against it, and whether every run clears the floor."""
    med = {key: {m: float(np.median([r[m] for r in runs])) for m in runs[0]} for key, runs in results.items()}
    for path in ("app", "estimator"):
        if (key := ("undercomplete", path)) in med:
            t, m = TARGETS["undercomplete"], med[key]
            low = min(r["knn"] for r in results[key])
            ok = (m["knn"] >= t["knn"] and m["trust"] >= t["trust"] and m["seconds"] <= t["seconds"]
                  and low >= t["floor"])
            print(f"default AE, {path}'s path: median 5-NN {m['knn']:.3f} (target {t['knn']}), trust {m['trust']:.3f} "
                  f"({t['trust']}), {m['seconds']:.1f} s ({t['seconds']:.0f}), lowest seed {low:.3f} "
                  f"({t['floor']}): {'met' if ok else 'NOT met'}")
        if (key := ("parametric-umap", path)) in med and ("undercomplete", path) in med:
            t, m = TARGETS["parametric-umap"], med[key]
            ratio = m["mse"] / med[("undercomplete", path)]["mse"]
            ok = (m["knn"] >= t["knn"] and m["trust"] >= t["trust"] and m["seconds"] <= t["seconds"]
                  and ratio <= t["mse_ratio"])
            print(f"parametric UMAP, {path}'s path: median 5-NN {m['knn']:.3f} (target {t['knn']}), trust "
                  f"{m['trust']:.3f} ({t['trust']}), {m['seconds']:.1f} s ({t['seconds']:.0f}), MSE {ratio:.2f} x "
                  f"the default AE's ({t['mse_ratio']}): {'met' if ok else 'NOT met'}")


def subsets(ds, count: int) -> None:
    """The default map (seed 0) on `count` random 90% subsets of the training digits."""
    from sklearn.model_selection import train_test_split

    runs = []
    for i in range(count):
        rows, _ = train_test_split(np.arange(len(ds.x_train)), test_size=0.1, stratify=ds.y_train,
                                   random_state=100 + i)
        runs.append(app_path(ds, "undercomplete", 0, rows))
        print(f"  subset {i}: 5-NN {runs[-1]['knn']:.3f}, trust {runs[-1]['trust']:.3f}, "
              f"MSE {runs[-1]['mse']:.4f}, {runs[-1]['seconds']:.1f} s", flush=True)
    low, floor = min(r["knn"] for r in runs), TARGETS["undercomplete"]["floor"]
    print(f"default AE on {count} subsets of 90% of the training digits (seed 0): 5-NN "
          f"{spread([r['knn'] for r in runs])}, trust {spread([r['trust'] for r in runs])}; lowest {low:.3f} "
          f"(floor {floor}: {'met' if low >= floor else 'NOT met'})")


def against_pca(ds, seeds) -> None:
    from aeviz import analysis, metrics
    from aeviz.config import ExperimentConfig, ModelConfig, TrainConfig
    from aeviz.nets import infer

    pca = analysis.fit_pca(ds.x_train, 32)
    pca_err = metrics.reconstruction_error(ds.x_test, pca.inverse_transform(pca.transform(ds.x_test)))
    under, seconds = [], []
    for seed in seeds:
        cfg = ExperimentConfig(model=ModelConfig(latent_dim=32), train=TrainConfig(seed=seed))
        t0 = time.perf_counter()
        model = analysis.train_on(ds, cfg, track=False).model
        seconds.append(time.perf_counter() - t0)
        under.append(100 * (1 - metrics.reconstruction_error(ds.x_test, infer.reconstruct(model, ds.x_test)) / pca_err))
    print(f"32-number default AE: {spread(under, '.0f')}% under PCA-32's held-out MSE ({pca_err:.4f}) in "
          f"{spread(seconds, '.1f')} s (target: 25% within 10 s)")


def main() -> None:
    import torch

    from aeviz import data

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    parser.add_argument("--subsets", type=int, default=5, help="90%% subsets of the default map (0: none)")
    parser.add_argument("--no-umap-learn", action="store_true")
    parser.add_argument("--no-pca", action="store_true", help="skip the 32-number net against PCA-32")
    args = parser.parse_args()
    torch.set_num_threads(2)
    ds = data.load("mnist-5k")
    results: dict[tuple[str, str], list[dict]] = {}
    for kind in args.kinds:
        for path, run in (("app", app_path), ("estimator", estimator_path)):
            results[(kind, path)] = [run(ds, kind, seed) for seed in args.seeds]
            print(f"  {kind}, {path}'s path: 5-NN " + ", ".join(f"{r['knn']:.3f}" for r in results[(kind, path)]),
                  flush=True)
    rows = [(f"{kind} ({path}'s path)", runs) for (kind, path), runs in results.items()]
    if not args.no_umap_learn:
        pairs = [umap_learn(ds, seed) for seed in args.seeds]
        rows += [("umap-learn (fit on train, transform)", [p[0] for p in pairs]),
                 ("umap-learn (fit on the held-out digits)", [p[1] for p in pairs])]
    print(f"\nseeds {' '.join(map(str, args.seeds))}: median (range)")
    table(rows)
    verdicts(results)
    if args.subsets and "undercomplete" in args.kinds:
        subsets(ds, args.subsets)
    if not args.no_pca:
        against_pca(ds, args.seeds)


if __name__ == "__main__":
    from results import recorded  # bench/results.py: RESULTS.md keeps what this printed

    with recorded("maps"):
        main()
