"""Corruptions for denoising: seeded, never in place, float32, clipped to [0, 1].

Each takes x of any shape with values in [0, 1] and returns a new float32 array of the same shape.
"""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def _check_fraction(name: str, p: float) -> None:
    if not 0.0 <= p <= 1.0:  # also rejects NaN
        raise ValueError(f"{name} must be a fraction in [0, 1], got {p}")


def _copy(x: np.ndarray) -> np.ndarray:
    """A float32 copy of x clipped to [0, 1]; same shape."""
    return np.clip(np.array(x, dtype=np.float32, copy=True), 0.0, 1.0)


def none(x: np.ndarray, level: float = 0.0, *, seed: int = 0) -> np.ndarray:
    """No corruption: a float32 copy, clipped to [0, 1] (level and seed are ignored)."""
    return _copy(x)


def gaussian(x: np.ndarray, sigma: float, *, seed: int = 0) -> np.ndarray:
    """x + N(0, sigma^2) independently per pixel, clipped to [0, 1]. sigma must lie in [0, inf)."""
    if not (sigma >= 0 and math.isfinite(sigma)):
        raise ValueError(f"gaussian sigma must be a finite number >= 0, got {sigma}")
    rng = np.random.default_rng(seed)
    noisy = np.asarray(x, np.float32) + rng.normal(0.0, sigma, size=np.shape(x)).astype(np.float32)
    return np.clip(noisy, 0.0, 1.0)


def salt_and_pepper(x: np.ndarray, p: float, *, seed: int = 0) -> np.ndarray:
    """Each pixel, with probability p, set to 0 or 1 (equal chance). p must lie in [0, 1]."""
    _check_fraction("salt-and-pepper fraction", p)
    rng = np.random.default_rng(seed)
    out = _copy(x)
    hit = rng.random(out.shape) < p
    out[hit] = (rng.random(int(hit.sum())) < 0.5).astype(np.float32)
    return out


def masking(x: np.ndarray, p: float, *, seed: int = 0) -> np.ndarray:
    """Each pixel, with probability p, set to 0 (dropped). p must lie in [0, 1]."""
    _check_fraction("masking fraction", p)
    rng = np.random.default_rng(seed)
    out = _copy(x)
    out[rng.random(out.shape) < p] = 0.0
    return out


NOISES: dict[str, Callable[..., np.ndarray]] = {
    "none": none,
    "gaussian": gaussian,
    "salt-and-pepper": salt_and_pepper,
    "masking": masking,
}


def corrupt(x: np.ndarray, kind: str, level: float, *, seed: int = 0) -> np.ndarray:
    """x (any shape, values in [0, 1]) corrupted by `kind` at `level`: a new float32 array.

    level is sigma for "gaussian" and the fraction of pixels hit for the others.
    """
    if kind not in NOISES:
        raise ValueError(f"unknown noise kind {kind!r}; valid: {', '.join(NOISES)}")
    return NOISES[kind](x, level, seed=seed)
