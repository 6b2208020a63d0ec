"""A trained autoencoder applied to arrays: encode, decode, reconstruct.

In float64 on a copy of the net, so that a row's result does not depend on the rows computed with
it: float32 matrix kernels sum in an order that depends on the batch size, which moves codes by
~1e-7 (scikit-learn's check_methods_subset_invariance). The copy costs a few ms.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn


def to_tensor(x: np.ndarray, device="cpu", dtype=torch.float32) -> torch.Tensor:
    """A copy of x on device (inputs may be read-only cached arrays)."""
    return torch.tensor(np.asarray(x), device=device, dtype=dtype)


def _apply(model: nn.Module, fn, x: np.ndarray, dtype, batch: int = 4096) -> np.ndarray:
    """fn(float64 copy of model, rows of x as float64) on the CPU, without gradients, as `dtype`."""
    net = copy.deepcopy(model).cpu().double().eval()
    x = np.asarray(x)
    with torch.no_grad():
        parts = [fn(net, torch.tensor(x[i:i + batch], dtype=torch.float64)).numpy().astype(dtype, copy=False)
                 for i in range(0, len(x), batch)]
    return np.concatenate(parts) if parts else fn(net, torch.zeros((0, x.shape[1]), dtype=torch.float64)).numpy()


def reconstruct(model: nn.Module, x: np.ndarray, dtype=np.float32) -> np.ndarray:
    """model(x) for x (N, D) float in [0, 1] -> (N, D)."""
    return _apply(model, lambda net, t: net(t)[0], x, dtype)


def encode(model: nn.Module, x: np.ndarray, dtype=np.float32) -> np.ndarray:
    """The codes (N, k) of x (N, D)."""
    return _apply(model, lambda net, t: net.encode(t), x, dtype)


def decode(model: nn.Module, z: np.ndarray, dtype=np.float32) -> np.ndarray:
    """Images (N, D) decoded from codes z (N, k)."""
    return _apply(model, lambda net, t: net.decode(t), z, dtype)
