"""Pure metric functions on numpy arrays; each one calls the library that defines it, except PSNR
and SSIM: scikit-image scores one image per call, so they write out its formulas for a whole stack
at once (tests hold them to scikit-image, image by image).

Images are rows: x has shape (N, D) with D = H * W pixels in [0, data_range]. Embeddings are
(N, d) and labels (N,). Every function validates its inputs and raises ValueError on bad ones.
"""
from __future__ import annotations

import numpy as np
from scipy.linalg import subspace_angles
from scipy.ndimage import uniform_filter
from sklearn.decomposition import PCA
from sklearn.manifold import trustworthiness as _sk_trustworthiness
from sklearn.metrics import mean_squared_error, silhouette_score
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier

PSNR_CAP_DB = 100.0  # a perfect reconstruction has infinite PSNR; each image is capped here
SILHOUETTE_MAX_POINTS = 2000  # silhouette is O(N^2); above this a seeded sample is scored
RECONSTRUCTION_PER = ("pixel", "image")


def _rows(name: str, a, n: int | None = None) -> np.ndarray:
    """a as a finite float (N, D) array; with n, also check it has n rows."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got shape {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    if n is not None and len(a) != n:
        raise ValueError(f"{name} has {len(a)} rows, expected {n}")
    return a


def _pair(x, x_hat) -> tuple[np.ndarray, np.ndarray]:
    """Two finite (N, D) arrays of the same shape."""
    x, x_hat = np.asarray(x), np.asarray(x_hat)
    if x.shape != x_hat.shape:
        raise ValueError(f"x and x_hat must have the same shape, got {x.shape} and {x_hat.shape}")
    return _rows("x", x), _rows("x_hat", x_hat)


def _labels(labels, n: int) -> np.ndarray:
    """labels as a (n,) array."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n:
        raise ValueError(f"labels must have shape ({n},), got {labels.shape}")
    return labels


def reconstruction_error(x, x_hat, *, per: str = "pixel") -> float:
    """Squared reconstruction error of x_hat against x, both (N, D).

    per="pixel": mean squared error per pixel; per="image": mean over images of the summed squared
    error of each image (= per-pixel error * D)."""
    if per not in RECONSTRUCTION_PER:
        raise ValueError(f"unknown per {per!r}; valid: {', '.join(map(repr, RECONSTRUCTION_PER))}")
    x, x_hat = _pair(x, x_hat)
    mse = float(mean_squared_error(x.ravel(), x_hat.ravel()))
    return mse if per == "pixel" else mse * x.shape[1]


def psnr(x, x_hat, *, data_range: float = 1.0) -> float:
    """Mean over images of the peak signal-to-noise ratio in dB; x, x_hat: (N, D).

    A perfect reconstruction of an image has infinite PSNR, so each image is capped at PSNR_CAP_DB
    (100 dB) before averaging; the mean stays finite and identical inputs give exactly the cap."""
    x, x_hat = _pair(x, x_hat)
    return _psnr(np.mean((x - x_hat) ** 2, axis=1), data_range)


def _psnr(mse: np.ndarray, data_range: float) -> float:
    """PSNR from each image's mean squared error (N,). skimage's peak_signal_noise_ratio,
    10 log10(data_range^2 / MSE), for all images in one go (one call per image cost 14 ms per
    1,000 digits); a test holds it to skimage image by image."""
    with np.errstate(divide="ignore"):  # a perfect image has zero MSE: infinite PSNR, capped below
        per_image = 10 * np.log10(data_range ** 2 / mse)
    return float(np.mean(np.minimum(per_image, PSNR_CAP_DB)))


def image_scores(x, x_hat, image_shape, *, data_range: float = 1.0) -> dict[str, float]:
    """{"PSNR (dB)", "SSIM", "MSE"} of x_hat against x, both (N, H*W): psnr, ssim and
    reconstruction_error (per pixel) at once, with the inputs checked and converted once, not three
    times (the Denoising page scores three rows of 1,000 digits on every move of its noise slider).
    The per-pixel MSE is the mean of the per-image MSEs that PSNR needs (equal-sized images)."""
    x, x_hat = _pair(x, x_hat)
    mse = np.mean((x - x_hat) ** 2, axis=1)  # (N,)
    return {"PSNR (dB)": _psnr(mse, data_range), "SSIM": _ssim(x, x_hat, image_shape, data_range),
            "MSE": float(np.mean(mse))}


def _ssim_window(image_shape: tuple[int, int]) -> int:
    """The largest odd window <= 7 that fits the smaller side: 7 for 8x8 and 28x28, 5 for 5x5."""
    side = min(image_shape)
    return min(7, side if side % 2 else side - 1)


def ssim(x, x_hat, image_shape, *, data_range: float = 1.0) -> float:
    """Mean over images of the structural similarity; x, x_hat: (N, H*W), image_shape: (H, W)."""
    x, x_hat = _pair(x, x_hat)
    return _ssim(x, x_hat, image_shape, data_range)


def _ssim(x: np.ndarray, x_hat: np.ndarray, image_shape, data_range: float) -> float:
    h, w = (int(s) for s in image_shape)
    if h * w != x.shape[1] or min(h, w) < 3:
        raise ValueError(f"image_shape {tuple(image_shape)} does not fit {x.shape[1]} pixels "
                         "(or has a side under 3)")
    a, b = x.reshape(-1, h, w), x_hat.reshape(-1, h, w)
    # In chunks: a dozen temporaries the size of the stack would add ~100 MB for 1,000 28x28 digits.
    step = 256
    return float(np.mean(np.concatenate([ssim_per_image(a[i:i + step], b[i:i + step], data_range=data_range)
                                         for i in range(0, len(a), step)])))


def ssim_per_image(a: np.ndarray, b: np.ndarray, *, data_range: float = 1.0) -> np.ndarray:
    """skimage's structural_similarity of each pair of images in two (N, H, W) stacks, as (N,).

    Written out because skimage scores one image per call: 0.12 s for 1,000 digits, paid on every
    move of the Denoising page's noise slider (three times). This is skimage's formula with its
    defaults (a uniform window of _ssim_window's size, sample covariance, K1 = 0.01, K2 = 0.03, the
    mean over the interior a window fits in) on the whole stack at once; a window of length 1
    along the stack's first axis keeps the images apart. The images are scaled to [0, 1] (SSIM does
    not change when the data range and the images scale together) and filtered in float32, twice
    as fast as float64; each image minus its mean for the (co)variances, which do not change with a
    shift, so that E[x^2] - E[x]^2 does not cancel away float32's digits on flat images. A test
    holds the result to skimage's float64 within 1e-5, image by image (the pages show 3 decimals).
    """
    a, b = np.asarray(a, dtype=np.float64) / data_range, np.asarray(b, dtype=np.float64) / data_range
    ma, mb = a.mean(axis=(1, 2), keepdims=True), b.mean(axis=(1, 2), keepdims=True)
    a, b = (a - ma).astype(np.float32), (b - mb).astype(np.float32)  # centred
    win = _ssim_window(a.shape[1:])
    size = (1, win, win)
    cov_norm = np.float32(win * win / (win * win - 1.0))  # sample covariance, as skimage's default
    ux, uy = uniform_filter(a, size), uniform_filter(b, size)  # local means of the centred images
    vx = cov_norm * (uniform_filter(a * a, size) - ux * ux)
    vy = cov_norm * (uniform_filter(b * b, size) - uy * uy)
    vxy = cov_norm * (uniform_filter(a * b, size) - ux * uy)
    ux, uy = ux + ma.astype(np.float32), uy + mb.astype(np.float32)  # local means of the images
    c1, c2 = np.float32(0.01 ** 2), np.float32(0.03 ** 2)
    s = ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux ** 2 + uy ** 2 + c1) * (vx + vy + c2))
    pad = (win - 1) // 2
    return s[:, pad:a.shape[1] - pad, pad:a.shape[2] - pad].mean(axis=(1, 2), dtype=np.float64)


def trustworthiness(x_high, x_low, *, n_neighbors: int = 5) -> float:
    """scikit-learn's trustworthiness (in [0, 1]) of the embedding x_low (N, d) of x_high (N, D).

    n_neighbors is clipped below N / 2, as scikit-learn requires."""
    x_high = _rows("x_high", x_high)
    x_low = _rows("x_low", x_low, len(x_high))
    n = len(x_high)
    if n < 3:
        raise ValueError(f"trustworthiness needs at least 3 points, got {n}")
    k = max(1, min(n_neighbors, (n - 1) // 2))  # the largest k with k < n / 2
    return float(_sk_trustworthiness(x_high, x_low, n_neighbors=k))


def knn_accuracy(embedding, labels, *, n_neighbors: int = 5, seed: int = 0) -> float:
    """Held-out accuracy of a k-nearest-neighbour classifier on the embedding (N, d), labels (N,).

    Stratified k-fold cross-validation (shuffled with seed), mean accuracy over the folds; k-fold
    uses min(5, smallest class count) folds, at least 2, and n_neighbors is clipped to the
    smallest training fold."""
    emb = _rows("embedding", embedding)
    labels = _labels(labels, len(emb))
    counts = np.unique(labels, return_counts=True)[1]
    if len(counts) < 2:
        raise ValueError("knn_accuracy needs at least 2 classes")
    n_splits = int(max(2, min(5, counts.min())))
    folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    smallest_train = len(emb) - int(np.ceil(len(emb) / n_splits))
    clf = KNeighborsClassifier(n_neighbors=max(1, min(n_neighbors, smallest_train)))
    return float(cross_val_score(clf, emb, labels, cv=folds).mean())


def silhouette(embedding, labels) -> float:
    """scikit-learn's silhouette score (in [-1, 1]) of the classes in the embedding (N, d).

    Exact up to SILHOUETTE_MAX_POINTS points; above that, on a sample seeded with random_state=0."""
    emb = _rows("embedding", embedding)
    labels = _labels(labels, len(emb))
    sample = SILHOUETTE_MAX_POINTS if len(emb) > SILHOUETTE_MAX_POINTS else None
    return float(silhouette_score(emb, labels, sample_size=sample, random_state=0))


def principal_angles_deg(a, b) -> np.ndarray:
    """Principal angles in degrees, ascending, between the column spaces of a (D, k1) and b (D, k2).

    Returns (min(k1, k2),); 0 means a shared direction, 90 an orthogonal one."""
    a, b = _rows("a", a), _rows("b", b)
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"a and b must have the same number of rows (D), got {a.shape} and {b.shape}")
    return np.sort(np.degrees(subspace_angles(a, b)))


def pca_components(x, k: int) -> np.ndarray:
    """The top-k principal directions of x (N, D) as orthonormal columns: (D, k)."""
    x = _rows("x", x)
    if not 1 <= k <= min(x.shape):
        raise ValueError(f"k must be in [1, {min(x.shape)}] for x of shape {x.shape}, got {k}")
    return PCA(n_components=k, random_state=0).fit(x).components_.T


def embedding_scores(x_high, embedding, labels, *, n_neighbors: int = 5, seed: int = 0) -> dict[str, float]:
    """The three numbers under each 2-D panel, for x_high (N, D), embedding (N, d), labels (N,):
    {"trustworthiness", "knn_accuracy", "silhouette"} -> float."""
    return {
        "trustworthiness": trustworthiness(x_high, embedding, n_neighbors=n_neighbors),
        "knn_accuracy": knn_accuracy(embedding, labels, n_neighbors=n_neighbors, seed=seed),
        "silhouette": silhouette(embedding, labels),
    }


def neighbour_correlation(images, image_shape: tuple[int, int]) -> float:
    """Mean over images (N, H*W) of the correlation between horizontally and vertically adjacent
    pixels of each centred image: ~0 for random weights, high for smooth strokes and blobs.

    Written by hand: a lag-1 spatial autocorrelation of many small images in one vectorised pass
    (scikit-image and SciPy offer none; PySAL's Moran's I is one map at a time)."""
    w = _rows("images", images).reshape(-1, *image_shape)
    w = w - w.mean(axis=(1, 2), keepdims=True)

    def corr(a, b):  # per image, over all adjacent pairs (a, b)
        return (a * b).sum((1, 2)) / np.sqrt((a * a).sum((1, 2)) * (b * b).sum((1, 2)) + 1e-24)

    return float(np.mean((corr(w[:, :, 1:], w[:, :, :-1]) + corr(w[:, 1:, :], w[:, :-1, :])) / 2))
