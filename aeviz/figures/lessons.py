"""The figures of each lesson: Lesson -> list of plotly figures (used by the app and the reports)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..experiments import Lesson
from . import curves, mosaics


def _unit_range(rows: np.ndarray) -> np.ndarray:
    """Each row scaled to [0, 1] (weights and components have arbitrary sign and scale)."""
    rows = np.asarray(rows, np.float32)
    lo, hi = rows.min(1, keepdims=True), rows.max(1, keepdims=True)
    return (rows - lo) / np.maximum(hi - lo, 1e-12)


def _bottleneck(les: Lesson) -> list[go.Figure]:
    n = les.numbers
    return [
        curves.error_vs_bottleneck(
            n["latent_sizes"],
            {"autoencoder": n["ae_error"], "linear autoencoder": n["linear_error"], "PCA": n["pca_error"]},
            title="Held-out error against bottleneck size",
        )
    ]


def _linear(les: Lesson) -> list[go.Figure]:
    a = les.arrays
    k = les.numbers["k"]
    angles = curves.bars(
        {f"θ{i + 1}": float(v) for i, v in enumerate(a["angles"])},
        title=f"Principal angles: linear decoder vs top-{k} PCA subspace",
        y_title="degrees",
        fmt=".1f",
    )
    rows = np.concatenate([_unit_range(a["decoder"]), _unit_range(a["pca"])])
    grid = mosaics.image_grid(
        rows,
        a["image_shape"],
        ncols=k,
        row_labels=["decoder columns", "PCA components"],
        title="Same subspace, different bases",
    )
    return [angles, grid]


def _structure(les: Lesson) -> list[go.Figure]:
    n = les.numbers
    return [
        curves.bars(
            {"digits": n["digits_relative_error"], "i.i.d. noise": n["noise_relative_error"]},
            title="Error of a 32-D code as a fraction of the data's variance",
            y_title="error / variance",
            fmt=".2f",
        )
    ]


def _sparsity(les: Lesson) -> list[go.Figure]:
    a = les.arrays
    hist = curves.histogram(
        {k: v.ravel() for k, v in a["activations"].items() if k != "L1"},
        title="Hidden activations on held-out digits",
        x_title="activation",
        vline=les.numbers["rho"],
        vline_label="ρ",
    )
    w = _unit_range(a["weights"][:60])
    grid = mosaics.image_grid(w, a["image_shape"], ncols=15, title="First-layer weights of the sparse net, as images")
    return [hist, grid]


def _overcomplete(les: Lesson) -> list[go.Figure]:
    n, a = les.numbers, les.arrays
    bars = curves.bars(
        {"overcomplete": n["noise_error_overcomplete"], "undercomplete (32-D)": n["noise_error_undercomplete"]},
        title="Unseen random noise: error / variance (low = it copies)",
        y_title="error / variance",
        fmt=".2f",
    )
    outs = a["outputs"]
    rows = np.concatenate([a["noisy"], a["clean"], outs["overcomplete"], outs["denoising"]])
    grid = mosaics.image_grid(
        rows,
        a["image_shape"],
        ncols=len(a["clean"]),
        row_labels=["noisy", "clean", "overcomplete", "denoising"],
        title="Noisy digits through each net",
    )
    return [bars, grid]


def _classify(les: Lesson) -> list[go.Figure]:
    n = les.numbers
    clean = [n["accuracy_clean"]] * len(n["noise_levels"])
    return [
        curves.grouped_lines(
            n["noise_levels"],
            {"clean": clean, "noisy": n["accuracy_noisy"], "denoised first": n["accuracy_denoised"]},
            title="CNN accuracy against noise level",
            x_title="Gaussian σ",
            y_title="test accuracy",
        )
    ]


def _chapter(les: Lesson) -> list[go.Figure]:
    n, a = les.numbers, les.arrays
    bars = curves.bars(
        {f"autoencoder ({n['n_hidden']} units)": n["ae_error"], f"PCA-{n['n_hidden']}": n["pca_error"]},
        title=f"n = {n['n_inputs']} inputs, s = {n['n_hidden']} hidden units",
        y_title="per-pixel MSE",
        fmt=".4f",
    )
    grid = mosaics.image_grid(
        np.concatenate([a["clean"], a["recon"]]),
        a["image_shape"],
        ncols=len(a["clean"]),
        row_labels=["10x10 digit", "reconstruction"],
        title="The chapter's example",
    )
    return [bars, grid]


def _holes(les: Lesson) -> list[go.Figure]:
    n, a = les.numbers, les.arrays
    return [mosaics.latent_grid(g, a["image_shape"], region, n["grid"],
                                title=f"{kind}: {frac:.0%} read with confidence")
            for kind, frac, g, region in zip(n["kinds"], n["confident_fraction"], a["grids"], a["regions"])]


# How each lesson of experiments.LESSONS is drawn (a test checks that both name the same lessons).
BUILDERS = {
    "bottleneck": _bottleneck,
    "linear-vs-pca": _linear,
    "structure-vs-noise": _structure,
    "sparsity": _sparsity,
    "overcomplete": _overcomplete,
    "denoise-then-classify": _classify,
    "chapter-example": _chapter,
    "latent-holes": _holes,
}


def lesson_figures(les: Lesson) -> list[go.Figure]:
    return BUILDERS[les.name](les)
