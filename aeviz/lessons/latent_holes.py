"""(Beyond the chapter) a prior on the code fills its holes and blurs its digits: decode a grid over
each 2-D code's region, count the cells no held-out code comes near and the cells a CNN reads with
confidence, plain AE against VAE and parametric UMAP. The claim is the trade-off the numbers show
over seeds (bench/RESULTS.md, lessons): the VAE's plane has fewer holes and is read with less confidence."""
from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors

from ..config import ModelConfig, TrainConfig
from ..i18n import Msg
from ..nets import classifier, infer
from .planner import Lesson
from .recipes import Setting, epochs_note
from .verdict import Check, judge

KINDS = ("undercomplete", "variational", "parametric-umap")


def nets(setting: Setting, grid: int = 15) -> list:
    # The app's default net and training, for every kind.
    return [setting.classifier(setting.quick(10, 6))] + [
        setting.net(ModelConfig(kind=k, latent_dim=2), TrainConfig()) for k in KINDS]


def empty_fraction(codes: np.ndarray, cells: np.ndarray, step: np.ndarray) -> float:
    """The share of grid cells (C, 2) with no code of codes (N, 2) within one grid step (2,),
    distances measured in steps along each axis."""
    dist, _ = NearestNeighbors(n_neighbors=1).fit(codes / step).kneighbors(cells / step)
    return float((dist[:, 0] > 1.0).mean())


def measure(setting: Setting, trained: list, progress=None, grid: int = 15):
    ds, (cnn, *autoencoders) = setting.digits(), trained
    fractions, empty, grids, regions = [], [], [], []
    for model in autoencoders:
        codes = infer.encode(model, ds.x_test)  # (N, 2)
        lo, hi = np.percentile(codes, 2.5, axis=0), np.percentile(codes, 97.5, axis=0)  # the central 95%
        xs, ys = np.linspace(lo[0], hi[0], grid), np.linspace(hi[1], lo[1], grid)  # rows from the top
        cells = np.array([[x, y] for y in ys for x in xs], np.float32)  # (grid * grid, 2)
        images = infer.decode(model, cells)  # (grid * grid, D)
        confident = classifier.predict_proba(cnn, images).max(1) >= 0.9
        fractions.append(float(confident.mean()))
        empty.append(empty_fraction(codes, cells, np.maximum((hi - lo) / (grid - 1), 1e-12)))
        grids.append(images)
        regions.append((float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])))
    plain, vae, pu = fractions
    holes = dict(zip(("plain", "vae", "umap"), empty))
    checks = [Check(holes["vae"] <= holes["plain"], Msg("lessons.latent-holes.fills", **holes),
                    Msg("lessons.latent-holes.no_fill", vae=holes["vae"], plain=holes["plain"])),
              Check(vae < plain, Msg("lessons.latent-holes.blurs", vae=vae, plain=plain, umap=pu),
                    Msg("lessons.latent-holes.no_blur", vae=vae, plain=plain))]
    return judge(
        "latent-holes", {"kinds": list(KINDS), "confident_fraction": fractions, "empty_fraction": empty,
                         "grid": grid},
        Msg("lessons.latent-holes.criterion"), Msg("lessons.latent-holes.finding"), checks,
        Msg("lessons.latent-holes.advice", note=epochs_note(nets(setting, grid)[1].train)),
        {"grids": grids, "regions": regions, "image_shape": ds.image_shape})


LESSON = Lesson("latent-holes", nets, measure, beyond_chapter=True)
