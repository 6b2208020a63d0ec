"""Pure metric functions on numpy arrays; each one calls the library that defines it."""
from __future__ import annotations

import numpy as np
from scipy.linalg import subspace_angles
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness as _sk_trustworthiness
from sklearn.metrics import mean_squared_error, silhouette_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

PSNR_CAP_DB = 100.0  # a perfect reconstruction has infinite PSNR; each image is capped here


def _pair(x, x_hat):
    x, x_hat = np.asarray(x, np.float64), np.asarray(x_hat, np.float64)
    if x.shape != x_hat.shape or x.ndim != 2:
        raise ValueError(f"expected two (N, D) arrays of one shape, got {x.shape} and {x_hat.shape}")
    return x, x_hat


def _rows(name, a, n=None):
    a = np.asarray(a)
    if a.ndim != 2 or not np.isfinite(a).all():
        raise ValueError(f"{name} must be a finite 2-D array, got shape {a.shape}")
    if n is not None and len(a) != n:
        raise ValueError(f"{name} has {len(a)} rows, expected {n}")
    return a


def reconstruction_error(x, x_hat, *, per: str = "pixel") -> float:
    """per="pixel": mean squared error per pixel; per="image": mean over images of the summed
    squared error of each image. x, x_hat: (N, D)."""
    x, x_hat = _pair(x, x_hat)
    if per not in ("pixel", "image"):
        raise ValueError(f"unknown per {per!r}; valid: 'pixel', 'image'")
    mse = float(mean_squared_error(x.ravel(), x_hat.ravel()))
    return mse if per == "pixel" else mse * x.shape[1]


def psnr(x, x_hat, *, data_range: float = 1.0) -> float:
    """Mean over images of the peak signal-to-noise ratio in dB (each capped at PSNR_CAP_DB)."""
    x, x_hat = _pair(x, x_hat)
    with np.errstate(divide="ignore"):
        vals = [min(peak_signal_noise_ratio(a, b, data_range=data_range), PSNR_CAP_DB) for a, b in zip(x, x_hat)]
    return float(np.mean(vals))


def ssim(x, x_hat, image_shape, *, data_range: float = 1.0) -> float:
    """Mean over images of the structural similarity; images reshaped to image_shape (H, W)."""
    x, x_hat = _pair(x, x_hat)
    h, w = image_shape
    win = min(7, min(h, w) - (1 - min(h, w) % 2))  # the largest odd window <= 7 that fits
    return float(np.mean([structural_similarity(a.reshape(h, w), b.reshape(h, w), data_range=data_range,
                                                win_size=win) for a, b in zip(x, x_hat)]))


def trustworthiness(x_high, x_low, *, n_neighbors: int = 5) -> float:
    """scikit-learn's trustworthiness of the embedding x_low (N, d) of x_high (N, D)."""
    x_high = _rows("x_high", x_high)
    x_low = _rows("x_low", x_low, len(x_high))
    k = max(1, min(n_neighbors, len(x_high) // 2 - 1))
    return float(_sk_trustworthiness(x_high, x_low, n_neighbors=k))


def knn_accuracy(embedding, labels, *, n_neighbors: int = 5, seed: int = 0) -> float:
    """Held-out accuracy of a k-nearest-neighbour classifier on the embedding (N, d): stratified
    k-fold cross-validation, mean accuracy over folds."""
    emb = _rows("embedding", embedding)
    labels = np.asarray(labels)
    if len(labels) != len(emb):
        raise ValueError(f"{len(labels)} labels for {len(emb)} points")
    smallest = np.bincount(np.unique(labels, return_inverse=True)[1]).min()
    folds = StratifiedKFold(n_splits=int(max(2, min(5, smallest))), shuffle=True, random_state=seed)
    clf = KNeighborsClassifier(n_neighbors=n_neighbors)
    return float(cross_val_score(clf, emb, labels, cv=folds).mean())


def silhouette(embedding, labels) -> float:
    """scikit-learn's silhouette score of the classes in the embedding (on at most 2,000 points)."""
    emb = _rows("embedding", embedding)
    n = min(len(emb), 2000)
    return float(silhouette_score(emb, labels, sample_size=n, random_state=0))


def principal_angles_deg(a, b) -> np.ndarray:
    """Principal angles (degrees, ascending) between the column spaces of a (D, k1) and b (D, k2)."""
    a, b = _rows("a", a), _rows("b", b)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"subspaces live in different spaces: {a.shape[0]} vs {b.shape[0]} rows")
    return np.sort(np.degrees(subspace_angles(a, b)))


def pca_components(x, k: int) -> np.ndarray:
    """The top-k principal directions of x (N, D) as columns (D, k)."""
    return PCA(n_components=k, random_state=0).fit(_rows("x", x)).components_.T


def embedding_scores(x_high, embedding, labels, *, n_neighbors: int = 5, seed: int = 0) -> dict:
    """The three numbers under each 2-D panel."""
    return {
        "trustworthiness": trustworthiness(x_high, embedding, n_neighbors=n_neighbors),
        "knn_accuracy": knn_accuracy(embedding, labels, n_neighbors=n_neighbors, seed=seed),
        "silhouette": silhouette(embedding, labels),
    }
