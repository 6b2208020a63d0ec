"""Corruptions for denoising: seeded, never in place, float32, clipped to [0, 1]."""
from __future__ import annotations

from typing import Callable

import numpy as np


def _check_fraction(name: str, p: float) -> None:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a fraction in [0, 1], got {p}")


def none(x: np.ndarray, level: float = 0.0, *, seed: int = 0) -> np.ndarray:
    """No corruption: a float32 copy."""
    return np.array(x, dtype=np.float32, copy=True)


def gaussian(x: np.ndarray, sigma: float, *, seed: int = 0) -> np.ndarray:
    """x + N(0, sigma^2) per pixel, clipped to [0, 1]. x: any shape."""
    if not sigma >= 0:
        raise ValueError(f"gaussian sigma must be >= 0, got {sigma}")
    rng = np.random.default_rng(seed)
    noisy = np.asarray(x, np.float32) + rng.normal(0.0, sigma, size=np.shape(x)).astype(np.float32)
    return np.clip(noisy, 0.0, 1.0)


def salt_and_pepper(x: np.ndarray, p: float, *, seed: int = 0) -> np.ndarray:
    """A fraction p of the pixels set to 0 or 1 (equal chance)."""
    _check_fraction("salt-and-pepper fraction", p)
    rng = np.random.default_rng(seed)
    out = np.array(x, dtype=np.float32, copy=True)
    hit = rng.random(out.shape) < p
    out[hit] = (rng.random(int(hit.sum())) < 0.5).astype(np.float32)
    return out


def masking(x: np.ndarray, p: float, *, seed: int = 0) -> np.ndarray:
    """A fraction p of the pixels set to 0 (dropped)."""
    _check_fraction("masking fraction", p)
    rng = np.random.default_rng(seed)
    out = np.array(x, dtype=np.float32, copy=True)
    out[rng.random(out.shape) < p] = 0.0
    return out


NOISES: dict[str, Callable[..., np.ndarray]] = {
    "none": none,
    "gaussian": gaussian,
    "salt-and-pepper": salt_and_pepper,
    "masking": masking,
}


def corrupt(x: np.ndarray, kind: str, level: float, *, seed: int = 0) -> np.ndarray:
    """Corrupt x (any shape, values in [0, 1]) with `kind` at `level`."""
    if kind not in NOISES:
        raise ValueError(f"unknown noise {kind!r}; valid: {', '.join(NOISES)}")
    return NOISES[kind](x, level, seed=seed)
