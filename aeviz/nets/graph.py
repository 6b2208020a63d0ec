"""UMAP's fuzzy neighbour graph of the training digits, and the loss that keeps it in a code.

The parametric-umap kind (Sainburg, McInnes & Gentner 2021) trains on this graph's edges; the UMAP
baseline of `projections` runs umap-learn itself. Both go through numba, so both hold NUMBA_LOCK.
torch is imported only inside the loss: the projection process imports this module for the lock
and stays small.
"""
from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from sklearn.neighbors import NearestNeighbors

if TYPE_CHECKING:
    import torch

# numba's "workqueue" threading layer ships inside numba's own wheel, so it loads in any
# environment (a virtualenv, a machine-wide Python, no LD_LIBRARY_PATH); "tbb" and "omp" need a
# shared library that the dynamic loader may not find. workqueue aborts the process when two
# threads launch parallel numba code at once, so every numba call of aeviz holds NUMBA_LOCK.
os.environ.setdefault("NUMBA_THREADING_LAYER", "workqueue")
NUMBA_LOCK = threading.RLock()

# An epoch of the parametric-umap kind draws this many edges per training image, in batches of
# EDGE_BATCH_FACTOR x batch_size edges: with the default batch (128), 1,024 edges a step and about
# half the steps of a plain epoch. Its time is the steps' encoding and decoding (bench/pumap_time.py),
# so a step decodes only DECODED_FRACTION of its heads (the reconstruction still sees each digit
# about 8 times an epoch): with 4 edges an image instead of 7, 2.5x faster at the same map quality
# (bench/maps.py). NEGATIVES random pairs per edge repel.
EDGES_PER_IMAGE = 4
EDGE_BATCH_FACTOR = 8
DECODED_FRACTION = 0.25
NEGATIVES = 5


def import_umap():
    """umap-learn, imported on first use (numba's import is slow). Call it under NUMBA_LOCK."""
    import umap

    return umap


@dataclass(frozen=True)
class NeighbourGraph:
    """UMAP's fuzzy neighbour graph of N points as its edges, and what the parametric-umap kind
    needs with it: the curve's a and b for min_dist, and UMAP's spectral layout of the graph."""

    heads: np.ndarray  # (E,) int64
    tails: np.ndarray  # (E,) int64
    weights: np.ndarray  # (E,) float32 membership strengths in (0, 1]
    a: float
    b: float
    layout: np.ndarray  # (N, 2) float32, scaled to [-10, 10] as umap-learn scales its initialisation


def neighbour_graph(x: np.ndarray, n_neighbors: int = 15, min_dist: float = 0.1, seed: int = 0) -> NeighbourGraph:
    """The graph umap-learn builds for x (N, D), N >= 4, with umap-learn's own functions (exact
    neighbours from scikit-learn, as projections' UMAP)."""
    k = max(2, min(n_neighbors, len(x) - 1))
    dist, idx = NearestNeighbors(n_neighbors=k).fit(x).kneighbors(x)  # (N, k) each
    with NUMBA_LOCK:
        import_umap()
        from umap.spectral import spectral_layout
        from umap.umap_ import find_ab_params, fuzzy_simplicial_set

        graph, _, _ = fuzzy_simplicial_set(x, k, np.random.RandomState(seed), "euclidean", knn_indices=idx,
                                           knn_dists=dist)
        a, b = find_ab_params(1.0, min_dist)
        layout = spectral_layout(x, graph, 2, np.random.RandomState(seed))
    layout = layout - layout.mean(0)
    layout = 10 * layout / max(np.abs(layout).max(), 1e-12)
    coo = graph.tocoo()
    return NeighbourGraph(coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float32),
                          float(a), float(b), layout.astype(np.float32))


def steps_per_epoch(n_train: int, batch_size: int) -> int:
    """How many edge batches one parametric-umap epoch draws."""
    return math.ceil(n_train * EDGES_PER_IMAGE / (EDGE_BATCH_FACTOR * batch_size))


def umap_cross_entropy(z_head: torch.Tensor, z_tail: torch.Tensor, a: float, b: float, negatives: int,
                       generator: torch.Generator | None = None) -> torch.Tensor:
    """UMAP's cross-entropy between the neighbour graph and the codes (Sainburg, McInnes & Gentner
    2021): edges drawn by weight attract, q = 1 / (1 + a d^(2b)) -> 1; `negatives` random pairs per
    edge (each head with shuffled tails of the batch) repel, q -> 0. z_head, z_tail: (B, 2).
    Written by hand: neither torch nor umap-learn has it as a torch loss."""
    import torch

    def q(d2):  # the codes' similarity at squared distance d2
        return 1.0 / (1.0 + a * d2.clamp_min(1e-12) ** b)

    attract = -torch.log(q(((z_head - z_tail) ** 2).sum(1)).clamp_min(1e-4))  # (B,)
    if negatives == 0:
        return attract.mean()
    pick = torch.randint(0, len(z_tail), (len(z_tail) * negatives,), generator=generator).to(z_tail.device)
    d2 = ((z_head.repeat(negatives, 1) - z_tail[pick]) ** 2).sum(1)  # (B * negatives,)
    repel = -torch.log((1.0 - q(d2)).clamp_min(1e-4))
    return attract.mean() + negatives * repel.mean()
