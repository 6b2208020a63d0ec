"""2-D projections of digits behind one interface: project(method, x, seed=..., **params) -> (N, 2).

"autoencoder" trains (or reuses) an autoencoder and plots its code; a code wider than 2 is brought
to 2-D by PCA or UMAP of the codes. UMAP gets exact neighbours from scikit-learn (fast for a few
thousand points), which skips pynndescent's slow first compile. Every numba call holds
nets.graph.NUMBA_LOCK (why: there).
"""
from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE
from sklearn.neighbors import NearestNeighbors

from . import failures
from .i18n import t
from .nets.graph import NUMBA_LOCK, import_umap


def _pca(x: np.ndarray, seed: int = 0, n_components: int = 2) -> np.ndarray:
    return PCA(n_components=n_components, random_state=seed).fit_transform(x)


def _umap(x: np.ndarray, seed: int = 0, n_neighbors: int = 15, min_dist: float = 0.1,
          n_epochs: int | None = 200, n_components: int = 2) -> np.ndarray:
    """UMAP with exact neighbours and 200 layout epochs (umap-learn picks 500 below 10,000 points):
    on 5,000 digits 2.5 s instead of 5.0 s, trustworthiness 0.961 instead of 0.964 (bench/run.py)."""
    n_neighbors = max(2, min(n_neighbors, len(x) - 1))
    dist, idx = NearestNeighbors(n_neighbors=n_neighbors).fit(x).kneighbors(x)  # (N, k) each
    with NUMBA_LOCK, warnings.catch_warnings():  # "no search index, so no transform": we never transform
        warnings.filterwarnings("ignore", message="precomputed_knn")
        reducer = import_umap().UMAP(n_neighbors=n_neighbors, min_dist=min_dist, random_state=seed,
                                     n_epochs=n_epochs, precomputed_knn=(idx, dist, None), init="spectral",
                                     n_components=n_components)
        return reducer.fit_transform(x)


def place_umap(x: np.ndarray, emb: np.ndarray, new: np.ndarray, proj=None) -> np.ndarray:
    """New digits new (M, D) placed on the UMAP map emb (N, 2) of x (N, D) by umap-learn's own
    transform: their neighbours among x, the fuzzy weights, then layout epochs against the fixed
    map. -> (M, 2). The map shown was made with exact neighbours, which leave umap-learn no search
    index to transform with; so a reducer is fitted on x (small data: umap-learn's exact distances)
    for its graph only (init = the map, a few epochs), and handed the map as its embedding_ and
    umap-learn's default transform epochs (n_epochs None) before transform."""
    from .config import ProjectionConfig

    proj = proj or ProjectionConfig()
    x, emb, new = (np.asarray(a, dtype=np.float32) for a in (x, emb, new))
    if len(x) != len(emb) or new.ndim != 2 or new.shape[1] != x.shape[1]:
        raise ValueError(f"place_umap needs x (N, D), emb (N, 2 or 3) and new (M, D); got {x.shape}, {emb.shape}, "
                         f"{new.shape}")
    with NUMBA_LOCK, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs.*")
        reducer = import_umap().UMAP(n_neighbors=max(2, min(proj.n_neighbors, len(x) - 1)), min_dist=proj.min_dist,
                                     random_state=proj.seed, init=emb, n_epochs=11, n_components=emb.shape[1],
                                     force_approximation_algorithm=False).fit(x)
        reducer.embedding_, reducer.n_epochs = emb, None
        return np.asarray(reducer.transform(new), dtype=np.float32)


def _tsne(x: np.ndarray, seed: int = 0, perplexity: float = 30.0, n_components: int = 2) -> np.ndarray:
    perplexity = min(perplexity, (len(x) - 1) / 3)
    return TSNE(n_components=n_components, perplexity=perplexity, random_state=seed, init="pca").fit_transform(x)


def codes_to_2d(codes: np.ndarray, reduce: str = "pca", seed: int = 0) -> np.ndarray:
    """Codes (N, k) as (N, 2): as they are for k = 2, padded with a zero column for k = 1, else
    reduced by `reduce` ("pca" or "umap")."""
    if codes.shape[1] == 2:
        return codes.astype(np.float32)
    if codes.shape[1] == 1:
        return np.hstack([codes, np.zeros_like(codes)]).astype(np.float32)
    if reduce not in ("pca", "umap"):
        raise ValueError(f"unknown reduce {reduce!r}; valid: 'pca', 'umap'")
    return project(reduce, codes, seed=seed).astype(np.float32)


def _autoencoder(x: np.ndarray, seed: int = 0, reduce: str = "pca", model=None, **params) -> np.ndarray:
    """Codes of a fitted AutoencoderTransformer `model`, or of one fitted here on x with `params`."""
    from .estimator import AutoencoderTransformer

    if model is None:
        model = AutoencoderTransformer(random_state=seed, **params).fit(x)
    return codes_to_2d(model.transform(x), reduce, seed)


def project_points(method: str, x: np.ndarray, proj=None) -> np.ndarray:
    """UMAP or t-SNE of x (N, D) with a ProjectionConfig's settings: what the app's worker process
    is sent (this module imports neither torch nor streamlit, so the worker stays small)."""
    from .config import ProjectionConfig

    proj = proj or ProjectionConfig()
    params = {"n_neighbors": proj.n_neighbors, "min_dist": proj.min_dist} if method == "umap" else {}
    return project(method, x, seed=proj.seed, n_components=proj.n_components, **params)


PROJECTIONS: dict[str, Callable[..., np.ndarray]] = {
    "autoencoder": _autoencoder,
    "pca": _pca,
    "umap": _umap,
    "tsne": _tsne,
}


def title(method: str) -> str:
    """The name a figure or page shows for a projection method, in the current language."""
    if method not in PROJECTIONS:
        raise ValueError(f"unknown projection {method!r}; valid: {', '.join(PROJECTIONS)}")
    return t(f"figures.method.{method}")


def project(method: str, x: np.ndarray, *, seed: int = 0, **params) -> np.ndarray:
    """x (N, D) -> (N, 2) float32 by `method`, one of PROJECTIONS (n_components=3: (N, 3), for
    PCA, UMAP and t-SNE)."""
    if method not in PROJECTIONS:
        raise ValueError(f"unknown projection {method!r}; valid: {', '.join(PROJECTIONS)}")
    failures.check(method)
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 2 or len(x) < 3:
        raise ValueError(f"projection needs a 2-D array of at least 3 samples, got shape {x.shape}")
    return np.asarray(PROJECTIONS[method](x, seed=seed, **params), dtype=np.float32)
