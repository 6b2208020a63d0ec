"""Analysis for the app: train a configured autoencoder and measure what it learned, as plain results.

The app's pages and the CLI only present what these functions return (numpy arrays and floats).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sklearn.decomposition import PCA

from . import data, metrics, projections
from .config import ExperimentConfig, ProjectionConfig
from .nets import infer, loop

VIEW_SIZE = 2000  # at most this many held-out digits are embedded and plotted (full MNIST has 14,000)


def view_indices(ds: data.Dataset, n: int = VIEW_SIZE) -> np.ndarray:
    """Indices of the held-out digits shown in the views: all of them, or a seeded stratified subset."""
    m = len(ds.x_test)
    if m <= n:
        return np.arange(m)
    from sklearn.model_selection import train_test_split

    idx, _ = train_test_split(np.arange(m), train_size=n, stratify=ds.y_test, random_state=0)
    return np.sort(idx)


def train(cfg: ExperimentConfig, callback: loop.EpochCallback | None = None,
          track: bool = True) -> loop.TrainResult:
    """Train cfg's autoencoder on its data set; the viewed held-out codes are kept every epoch."""
    return train_on(data.of(cfg.data), cfg, callback, track)


def train_on(ds: data.Dataset, cfg: ExperimentConfig, callback: loop.EpochCallback | None = None,
             track: bool = True) -> loop.TrainResult:
    """Train cfg's autoencoder on ds (cfg's data set, loaded by the caller: an upload lives only in
    the server that received it)."""
    x_track = ds.x_test[view_indices(ds)] if track else None
    return loop.fit(ds.x_train, ds.x_test, ds.image_shape, cfg.model, cfg.train, cfg.noise,
                     callback=callback, x_track=x_track)


@dataclass
class LatentView:
    """What a trained model does to the viewed held-out digits x (N, D)."""

    ids: np.ndarray  # (N,) indices into the data set's test split
    x: np.ndarray  # (N, D) clean digits
    labels: np.ndarray  # (N,)
    codes: np.ndarray  # (N, k)
    recon: np.ndarray  # (N, D)
    emb: np.ndarray  # (N, 2) the codes in 2-D (as they are when k = 2), or (N, 3): a 3-number code as it is
    scores: dict = field(default_factory=dict)  # trustworthiness, knn_accuracy, silhouette of emb
    error: float = 0.0  # per-pixel MSE of recon against x


def latent_view(model, ds: data.Dataset, proj: ProjectionConfig = ProjectionConfig()) -> LatentView:
    ids = view_indices(ds)
    x, y = ds.x_test[ids], ds.y_test[ids]
    codes = infer.encode(model, x)
    recon = infer.reconstruct(model, x)
    emb = codes.astype(np.float32) if codes.shape[1] == 3 else projections.codes_to_2d(codes, proj.reduce, proj.seed)
    return LatentView(ids, x, y, codes, recon, emb, scores(x, emb, y, proj),
                      metrics.reconstruction_error(x, recon))


def scores(x: np.ndarray, emb: np.ndarray, labels: np.ndarray, proj: ProjectionConfig = ProjectionConfig()) -> dict:
    return metrics.embedding_scores(x, emb, labels, n_neighbors=5, seed=proj.seed)


def display_scores(scores: dict) -> dict:
    """The three panel scores under the names the app and the reports show."""
    return {"trustworthiness": scores["trustworthiness"], "kNN accuracy": scores["knn_accuracy"],
            "silhouette": scores["silhouette"]}


def baseline_projection(method: str, ds: data.Dataset, proj: ProjectionConfig = ProjectionConfig()) -> np.ndarray:
    """The viewed held-out digits in proj.n_components dimensions by a baseline method: PCA fitted on
    the training digits; UMAP and t-SNE fitted on the viewed digits themselves (they have no
    out-of-sample map worth the wait). -> (N, 2) or (N, 3)"""
    x = ds.x_test[view_indices(ds)]
    if method == "pca":
        return fit_pca(ds.x_train, proj.n_components).transform(x).astype(np.float32)
    return projections.project_points(method, x, proj)


def fit_pca(x_train: np.ndarray, k: int) -> PCA:
    """PCA with k components (clipped to what x_train (N, D) allows) fitted on x_train."""
    return PCA(max(1, min(k, x_train.shape[1], len(x_train))), random_state=0).fit(x_train)


def pca_denoise(x_train: np.ndarray, x_noisy: np.ndarray, k: int, pca: PCA | None = None) -> np.ndarray:
    """PCA's baseline denoiser: project noisy digits (N, D) on the top-k components of the clean
    training digits and back, clipped to [0, 1]. Pass a fitted `pca` to skip the fit."""
    pca = pca or fit_pca(x_train, k)
    return np.clip(pca.inverse_transform(pca.transform(x_noisy)), 0, 1).astype(np.float32)
