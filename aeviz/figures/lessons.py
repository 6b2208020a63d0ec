"""The figures of each lesson: its Verdict -> list of plotly figures (used by the app and the reports)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go

from ..i18n import t
from . import curves, mosaics

if TYPE_CHECKING:  # a type only: figures take results, they import no lesson
    from ..lessons.verdict import Verdict


def _unit_range(rows: np.ndarray) -> np.ndarray:
    """Each row scaled to [0, 1] (weights and components have arbitrary sign and scale)."""
    rows = np.asarray(rows, np.float32)
    lo, hi = rows.min(1, keepdims=True), rows.max(1, keepdims=True)
    return (rows - lo) / np.maximum(hi - lo, 1e-12)


def _bottleneck(les: Verdict) -> list[go.Figure]:
    n = les.numbers
    return [
        curves.error_vs_bottleneck(
            n["latent_sizes"],
            {t("lesson_figures.bottleneck.ae"): n["ae_error"], t("lesson_figures.bottleneck.linear"): n["linear_error"],
             t("lesson_figures.bottleneck.pca"): n["pca_error"]},
            title=t("lesson_figures.bottleneck.title"),
        )
    ]


def _linear(les: Verdict) -> list[go.Figure]:
    a = les.arrays
    k = les.numbers["k"]
    angles = curves.bars(
        {f"θ{i + 1}": float(v) for i, v in enumerate(a["angles"])},
        title=t("lesson_figures.linear-vs-pca.angles_title", k=k),
        y_title=t("lesson_figures.linear-vs-pca.degrees"),
        fmt=".1f",
    )
    rows = np.concatenate([_unit_range(a["decoder"]), _unit_range(a["pca"])])
    grid = mosaics.image_grid(
        rows,
        a["image_shape"],
        ncols=k,
        row_labels=[t("lesson_figures.linear-vs-pca.decoder_columns"),
                    t("lesson_figures.linear-vs-pca.pca_components")],
        title=t("lesson_figures.linear-vs-pca.bases_title"),
    )
    return [angles, grid]


def _structure(les: Verdict) -> list[go.Figure]:
    n = les.numbers
    return [
        curves.bars(
            {t("lesson_figures.structure-vs-noise.digits"): n["digits_relative_error"],
             t("lesson_figures.structure-vs-noise.noise"): n["noise_relative_error"]},
            title=t("lesson_figures.structure-vs-noise.title"),
            y_title=t("lesson_figures.error_over_variance"),
            fmt=".2f",
        )
    ]


def _sparsity(les: Verdict) -> list[go.Figure]:
    a = les.arrays
    names = {"KL to rho": t("lesson_figures.sparsity.kl"), "no penalty": t("lesson_figures.sparsity.plain")}
    hist = curves.histogram(
        {names[k]: v.ravel() for k, v in a["activations"].items() if k in names},  # the L1 net is not drawn
        title=t("lesson_figures.sparsity.title"),
        x_title=t("lesson_figures.sparsity.activation"),
        vline=les.numbers["rho"],
        vline_label="ρ",
    )
    w = _unit_range(a["weights"][:60])
    grid = mosaics.image_grid(w, a["image_shape"], ncols=15, title=t("lesson_figures.sparsity.weights_title"))
    return [hist, grid]


def _overcomplete(les: Verdict) -> list[go.Figure]:
    n, a = les.numbers, les.arrays
    bars = curves.bars(
        {t("lesson_figures.overcomplete.overcomplete"): n["noise_error_overcomplete"],
         t("lesson_figures.overcomplete.undercomplete"): n["noise_error_undercomplete"]},
        title=t("lesson_figures.overcomplete.title"),
        y_title=t("lesson_figures.error_over_variance"),
        fmt=".2f",
    )
    outs = a["outputs"]
    rows = np.concatenate([a["noisy"], a["clean"], outs["overcomplete"], outs["denoising"]])
    grid = mosaics.image_grid(
        rows,
        a["image_shape"],
        ncols=len(a["clean"]),
        row_labels=[t(f"lesson_figures.overcomplete.{row}") for row in ("noisy", "clean", "overcomplete", "denoising")],
        title=t("lesson_figures.overcomplete.grid_title"),
    )
    return [bars, grid]


def _classify(les: Verdict) -> list[go.Figure]:
    n = les.numbers
    clean = [n["accuracy_clean"]] * len(n["noise_levels"])
    return [
        curves.grouped_lines(
            n["noise_levels"],
            {t("lesson_figures.denoise-then-classify.clean"): clean,
             t("lesson_figures.denoise-then-classify.noisy"): n["accuracy_noisy"],
             t("lesson_figures.denoise-then-classify.denoised"): n["accuracy_denoised"]},
            title=t("lesson_figures.denoise-then-classify.title"),
            x_title=t("lesson_figures.denoise-then-classify.sigma"),
            y_title=t("lesson_figures.denoise-then-classify.accuracy"),
        )
    ]


def _chapter(les: Verdict) -> list[go.Figure]:
    n, a = les.numbers, les.arrays
    units = n["n_hidden"]
    bars = curves.bars(
        {t("lesson_figures.chapter-example.ae", units=units): n["ae_error"],
         t("lesson_figures.chapter-example.pca", units=units): n["pca_error"]},
        title=t("lesson_figures.chapter-example.title", inputs=n["n_inputs"], units=units),
        y_title=t("lesson_figures.chapter-example.mse"),
        fmt=".4f",
    )
    grid = mosaics.image_grid(
        np.concatenate([a["clean"], a["recon"]]),
        a["image_shape"],
        ncols=len(a["clean"]),
        row_labels=[t("lesson_figures.chapter-example.digit"), t("lesson_figures.chapter-example.reconstruction")],
        title=t("lesson_figures.chapter-example.grid_title"),
    )
    return [bars, grid]


def _holes(les: Verdict) -> list[go.Figure]:
    n, a = les.numbers, les.arrays
    return [mosaics.latent_grid(g, a["image_shape"], region, n["grid"],
                                title=t("lesson_figures.latent-holes.title",
                                        kind=t(f"lesson_figures.latent-holes.{kind}"), share=frac))
            for kind, frac, g, region in zip(n["kinds"], n["confident_fraction"], a["grids"], a["regions"])]


# How each lesson of lessons.LESSONS is drawn (a test checks that both name the same lessons).
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


def lesson_figures(les: Verdict) -> list[go.Figure]:
    return BUILDERS[les.name](les)
