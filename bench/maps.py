"""Four 2-D maps of the same held-out digits, side by side, in one run: the default autoencoder,
parametric UMAP, the variational autoencoder (all with the app's default net and training), and
umap-learn fitted on the training digits and applied to the held-out ones with its `transform`
(the like-for-like baseline of a parametric map). Also the 32-D default against PCA-32.

    python bench/maps.py        # ~3 minutes on 2 cores

MNIST-5k, seed 0, the 1,000 held-out digits: 5-NN accuracy (5-fold CV) and trustworthiness
(k = 5) of each map, its per-pixel reconstruction error where it has a decoder, and fit time.
"""
from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

from aeviz.nets import infer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    import torch
    from sklearn.decomposition import PCA

    from aeviz import analysis, data, metrics, projections
    from aeviz.config import ExperimentConfig, ModelConfig

    torch.set_num_threads(2)
    ds = data.load("mnist-5k")
    x, y = ds.x_test, ds.y_test
    rows = []
    for kind in ("undercomplete", "parametric-umap", "variational"):
        cfg = ExperimentConfig(model=ModelConfig(kind=kind))
        t0 = time.perf_counter()
        model = analysis.train(cfg, track=False).model
        seconds = time.perf_counter() - t0
        z = infer.encode(model, x)
        rows.append((kind, metrics.knn_accuracy(z, y), metrics.trustworthiness(x, z),
                     metrics.reconstruction_error(x, infer.reconstruct(model, x)), seconds))
    t0 = time.perf_counter()
    with projections.NUMBA_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        umap = projections.import_umap()
        reducer = umap.UMAP(random_state=0).fit(ds.x_train)
        z = reducer.transform(x)
    rows.append(("umap-learn (fit on train, transform)", metrics.knn_accuracy(z, y), metrics.trustworthiness(x, z),
                 float("nan"), time.perf_counter() - t0))
    t0 = time.perf_counter()
    z = projections.project("umap", x, seed=0)  # as the app's UMAP panel: fitted on the held-out digits
    rows.append(("umap-learn (fit on the held-out digits)", metrics.knn_accuracy(z, y), metrics.trustworthiness(x, z),
                 float("nan"), time.perf_counter() - t0))
    print("map | 5-NN accuracy | trustworthiness | per-pixel MSE | fit s")
    for name, knn, trust, mse, s in rows:
        print(f"{name} | {knn:.3f} | {trust:.3f} | {mse:.4f} | {s:.1f}")
    ae_mse = rows[0][3]
    print(f"default AE: {rows[0][1] / rows[4][1]:.2f} x the 5-NN accuracy of umap-learn fitted on the held-out digits "
          f"(target 0.85; {rows[0][1] / rows[3][1]:.2f} x its transform's), trust {rows[0][2]:.3f} (target 0.89), "
          f"{rows[0][4]:.1f} s (target 15)")
    print(f"parametric UMAP: reconstruction {rows[1][3] / ae_mse:.2f} x the default AE's (target 1.15)")

    cfg32 = ExperimentConfig(model=ModelConfig(latent_dim=32))
    t0 = time.perf_counter()
    model = analysis.train(cfg32, track=False).model
    seconds = time.perf_counter() - t0
    ae = metrics.reconstruction_error(x, infer.reconstruct(model, x))
    pca = PCA(32, random_state=0).fit(ds.x_train)
    pca_err = metrics.reconstruction_error(x, pca.inverse_transform(pca.transform(x)))
    print(f"32-D default AE: held-out MSE {ae:.4f} in {seconds:.1f} s; PCA-32 {pca_err:.4f}; "
          f"{100 * (1 - ae / pca_err):.0f}% lower (target 25% within 10 s)")


if __name__ == "__main__":
    from results import recorded  # bench/results.py: RESULTS.md keeps what this printed

    with recorded("maps"):
        main()
