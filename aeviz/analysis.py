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

# Every held-out digit is embedded and drawn, up to the upload limit's (70,000 images, 20% held
# out: full MNIST's 14,000). What must use fewer says so on the page (Sampling).
VIEW_SIZE = 14_000
SCORED = 2000  # the panel scores' digits at most: trustworthiness ranks every pair (N^2 memory)
TRACKED = 2000  # the held-out digits whose codes are kept every epoch for the replay (cost.TRACKED)
TSNE_MAX = 5000  # t-SNE's points at most: its cost grows fastest (17 s at 5,000 on 2 cores, 5 s at 2,000)


def view_indices(ds: data.Dataset, n: int = VIEW_SIZE) -> np.ndarray:
    """Indices of the held-out digits shown in the views: all of them, or a seeded stratified subset."""
    return subset(ds.y_test, n)


def subset(labels: np.ndarray, n: int) -> np.ndarray:
    """Positions of a seeded stratified sample of n of the labels (N,): all N when N <= n. -> sorted"""
    m = len(labels)
    if m <= n:
        return np.arange(m)
    from sklearn.model_selection import train_test_split

    idx, _ = train_test_split(np.arange(m), train_size=n, stratify=labels, random_state=0)
    return np.sort(idx)


def track_indices(ds: data.Dataset) -> np.ndarray:
    """Indices of the held-out digits whose codes the replay follows (at most TRACKED)."""
    return view_indices(ds, TRACKED)


@dataclass(frozen=True)
class Sampling:
    """How many digits a panel draws and scores, out of the held-out digits it could show."""

    total: int  # held-out digits in the view
    drawn: int  # points the panel draws
    scored: int  # digits its scores are computed on

    @property
    def complete(self) -> bool:
        return self.drawn == self.total == self.scored


def sampling(total: int, method: str = "ae") -> Sampling:
    """What a panel of `method` ("ae", "pca", "umap", "tsne") draws and scores of `total` digits."""
    drawn = min(total, TSNE_MAX) if method == "tsne" else total
    return Sampling(total, drawn, min(drawn, SCORED))


def drawn_ids(ds: data.Dataset, method: str) -> np.ndarray:
    """Indices (into ds's test split, sorted) of the held-out digits `method`'s panel draws: the
    view's, or for t-SNE a stratified sample of them."""
    ids = view_indices(ds)
    return ids[subset(ds.y_test[ids], sampling(len(ids), method).drawn)]


def train(cfg: ExperimentConfig, callback: loop.EpochCallback | None = None,
          track: bool = True) -> loop.TrainResult:
    """Train cfg's autoencoder on its data set; the tracked held-out codes (track_indices) are kept
    every epoch."""
    return train_on(data.of(cfg.data), cfg, callback, track)


def train_on(ds: data.Dataset, cfg: ExperimentConfig, callback: loop.EpochCallback | None = None,
             track: bool = True) -> loop.TrainResult:
    """Train cfg's autoencoder on ds (cfg's data set, loaded by the caller: an upload lives only in
    the server that received it)."""
    x_track = ds.x_test[track_indices(ds)] if track else None
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
    whole = len(ids) == len(ds.x_test)  # no copy of every held-out digit (56 MB at the upload limit)
    x, y = (ds.x_test, ds.y_test) if whole else (ds.x_test[ids], ds.y_test[ids])
    codes = infer.encode(model, x)
    recon = infer.reconstruct(model, x)
    emb = codes.astype(np.float32) if codes.shape[1] == 3 else projections.codes_to_2d(codes, proj.reduce, proj.seed)
    return LatentView(ids, x, y, codes, recon, emb, scores(x, emb, y, proj),
                      metrics.reconstruction_error(x, recon))


def every_row(emb: np.ndarray, ds: data.Dataset, method: str) -> np.ndarray:
    """`method`'s panel points (n, d), one per drawn digit (drawn_ids), on every viewed digit's row
    (N, d): NaN where the panel drew none (t-SNE's sample), so an export keeps every digit."""
    view = view_indices(ds)
    out = np.full((len(view), emb.shape[1]), np.nan, dtype=np.float32)
    out[np.searchsorted(view, drawn_ids(ds, method))] = emb
    return out


def filled_rows(emb: np.ndarray) -> np.ndarray:
    """Positions of the rows of an every_row array (N, d) that hold a point."""
    return np.flatnonzero(np.isfinite(emb).all(axis=1))


def scores(x: np.ndarray, emb: np.ndarray, labels: np.ndarray, proj: ProjectionConfig = ProjectionConfig()) -> dict:
    """The panel scores of emb (N, d), the map of x (N, D): on a stratified sample of SCORED points
    when N is larger (sampling() says how many), the same sample for every map of these labels."""
    pos = subset(labels, SCORED)
    return metrics.embedding_scores(x[pos], emb[pos], labels[pos], n_neighbors=5, seed=proj.seed)


def display_scores(scores: dict) -> dict:
    """The three panel scores under the names the app and the reports show."""
    return {"trustworthiness": scores["trustworthiness"], "kNN accuracy": scores["knn_accuracy"],
            "silhouette": scores["silhouette"]}


def baseline_projection(method: str, ds: data.Dataset, proj: ProjectionConfig = ProjectionConfig()) -> np.ndarray:
    """The viewed held-out digits in proj.n_components dimensions by a baseline method: PCA fitted on
    the training digits; UMAP and t-SNE fitted on the viewed digits themselves (they have no
    out-of-sample map worth the wait); t-SNE on at most TSNE_MAX of them (drawn_ids).
    -> (n, 2) or (n, 3), n = sampling(N, method).drawn"""
    x = ds.x_test[drawn_ids(ds, method)]
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
