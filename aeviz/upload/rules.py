"""The rules every upload must pass, whatever its format: the limits, the refusal (UploadError),
the pixel scaling, the shape, value, label and class checks, and the Dataset they make.

The limits are module attributes read when a check runs, so tests may lower them with monkeypatch.
"""
from __future__ import annotations

import math

import numpy as np
from sklearn.model_selection import train_test_split

from ..data import Dataset
from ..i18n import Msg

MB = 1_000_000
MAX_BYTES = 50 * MB  # raw upload
MAX_SAMPLES = 70_000  # images; full MNIST
MIN_SAMPLES = 50  # enough for an 80/20 split and UMAP's 15 neighbours
MIN_SIDE, MAX_SIDE = 4, 64  # pixels per image side (H and W)
MAX_VALUES = 70_000 * 28 * 28  # N*H*W in all: full MNIST's size (~220 MB as float32)
MAX_CLASSES = 256
MAX_CSV_LINE = 32 * (MAX_SIDE ** 2 + 1)  # characters: 32 a cell
MAX_ZIP_ENTRIES = 70_000
MAX_UNCOMPRESSED = 200 * MB  # sum of the declared sizes of all zip members
MAX_RATIO = 100  # uncompressed / compressed, per member and overall ...
RATIO_FLOOR = 1 << 20  # ... checked where the uncompressed size exceeds 1 MiB (tiny files may
#                        compress far better, harmlessly: e.g. an .npz's all-zero labels)
TEST_SIZE = 0.2  # the same stratified split as data.load


# Texts, worded by str() in the language of whoever shows them: help=str(ACCEPTED), caption(str(SCALING_NOTE)).
# ACCEPTED: what an upload may be, with its limits (shown as help and in refusals).
ACCEPTED = Msg("upload.accepted", max_mb=MAX_BYTES // MB, min_samples=MIN_SAMPLES, max_samples=MAX_SAMPLES,
               min_side=MIN_SIDE, max_side=MAX_SIDE)
SCALING_NOTE = Msg("upload.scaling_note")


class UploadError(ValueError):
    """An upload was refused; the message (a Msg: str(exc) is in the viewer's language) says what is
    wrong and what is accepted."""


def scale_to_unit(x: np.ndarray) -> tuple[np.ndarray, str]:
    """x (any shape, finite real numbers) as float32 in [0, 1] by the rule in SCALING_NOTE, and the
    rule applied: 'kept', 'divided by 255' or 'min-max'. A constant outside [0, 255] becomes 0."""
    lo, hi = float(x.min()), float(x.max())
    if 0 <= lo and hi <= 1:
        return x.astype(np.float32), "kept"
    if 0 <= lo and hi <= 255:
        return x.astype(np.float32) / np.float32(255), "divided by 255"
    half = np.asarray(x, dtype=np.float64) * 0.5  # halves: hi - lo cannot overflow
    span = hi * 0.5 - lo * 0.5
    scaled = (half - lo * 0.5) / span if span > 0 else np.zeros_like(half)
    return np.clip(scaled, 0, 1).astype(np.float32), "min-max"


def check_dtype(dtype: np.dtype, what: Msg, kinds: str = "biuf") -> None:
    """Refuse object (pickled) arrays and dtypes whose kind is not in `kinds` ('U': strings)."""
    if dtype.hasobject:
        raise UploadError(Msg("upload.rules.object_arrays", what=what))
    if dtype.kind not in kinds:
        key = "upload.rules.dtype_or_strings" if "U" in kinds else "upload.rules.dtype"
        raise UploadError(Msg(key, what=what, dtype=str(dtype)))


def is_square(d: int) -> bool:
    return d >= 0 and math.isqrt(d) ** 2 == d


def image_shape(shape: tuple[int, ...]) -> tuple[int, int, int]:
    """(N, H, W) from an images array's shape, (N, H, W) or (N, H*W) with H = W; refuses the rest."""
    if len(shape) not in (2, 3):
        raise UploadError(Msg("upload.rules.dimensions", ndim=len(shape), shape=str(tuple(shape))))
    if len(shape) == 2 and not is_square(shape[1]):
        raise UploadError(Msg("upload.rules.not_square", d=int(shape[1])))
    n, h, w = shape if len(shape) == 3 else (shape[0], math.isqrt(shape[1]), math.isqrt(shape[1]))
    if max(h, w) > MAX_SIDE:
        raise UploadError(Msg("upload.rules.too_many_pixels", h=h, w=w, min_side=MIN_SIDE, max_side=MAX_SIDE))
    if min(h, w) < MIN_SIDE:
        raise UploadError(Msg("upload.rules.too_small", h=h, w=w, min_side=MIN_SIDE, max_side=MAX_SIDE))
    if not MIN_SAMPLES <= n <= MAX_SAMPLES:
        key = "upload.rules.too_few_samples" if n < MIN_SAMPLES else "upload.rules.too_many_samples"
        raise UploadError(Msg(key, n=n, min=MIN_SAMPLES, max=MAX_SAMPLES))
    if n * h * w > MAX_VALUES:
        raise UploadError(Msg("upload.rules.too_many_values", n=n, h=h, w=w, values=n * h * w, max=MAX_VALUES))
    return n, h, w


def _check_values(x: np.ndarray) -> None:
    check_dtype(x.dtype, Msg("upload.what.images"))
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        bad = int(np.flatnonzero(~np.isfinite(x.reshape(len(x), -1)).all(axis=1))[0])
        key = "upload.rules.nan" if np.isnan(x).any() else "upload.rules.infinite"
        raise UploadError(Msg(key, index=bad))


def _labels(labels, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    """y (N,) int64 in 0..K-1 and the K class names, sorted by label value."""
    if labels is None:
        return np.zeros(n, dtype=np.int64), ("all",)
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n:
        raise UploadError(Msg("upload.rules.labels_shape", shape=str(labels.shape), n=n))
    if labels.dtype.kind in "fbiu":
        labels = _whole_numbers(labels)
    elif labels.dtype.kind != "U":
        raise UploadError(Msg("upload.rules.labels_dtype", dtype=str(labels.dtype)))
    values, y = np.unique(labels, return_inverse=True)
    return y.astype(np.int64).reshape(n), tuple(str(v) for v in values)


def _whole_numbers(labels: np.ndarray) -> np.ndarray:
    if labels.dtype.kind == "f":
        bad = ~np.isfinite(labels) | (labels != np.floor(labels)) | (labels >= 2 ** 53)
        if bad.any():
            raise UploadError(Msg("upload.rules.not_whole", label=labels[bad][0].item()))
    if (labels < 0).any():
        raise UploadError(Msg("upload.rules.negative", label=str(labels[labels < 0][0])))
    return labels.astype(np.int64) if labels.dtype.kind in "fb" else labels  # uint64 stays exact


def _check_classes(y: np.ndarray, names: tuple[str, ...]) -> None:
    """Each class needs 2 samples, and each part of the split one per class (stratification)."""
    counts = np.bincount(y, minlength=len(names))
    if counts.min() < 2:
        name = names[int(counts.argmin())]
        raise UploadError(Msg("upload.rules.one_sample", name=name))
    n_test = math.ceil(TEST_SIZE * len(y))
    limit = min(MAX_CLASSES, n_test)
    if len(names) > limit:
        raise UploadError(Msg("upload.rules.too_many_classes", n=len(names), limit=limit, max=MAX_CLASSES,
                              n_test=n_test))


def _read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    out = tuple(np.ascontiguousarray(a) for a in arrays)
    for a in out:
        a.setflags(write=False)
    return out


def to_dataset(images: np.ndarray, labels, name: str, seed: int) -> Dataset:
    n, h, w = image_shape(images.shape)
    _check_values(images)
    x, _ = scale_to_unit(images.reshape(n, h * w))  # (N, H*W) float32
    y, class_names = _labels(labels, n)
    _check_classes(y, class_names)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=TEST_SIZE, stratify=y, random_state=seed)
    x_tr, y_tr, x_te, y_te = _read_only(x_tr, y_tr, x_te, y_te)
    return Dataset(name, x_tr, y_tr, x_te, y_te, image_shape=(h, w), class_names=class_names)
