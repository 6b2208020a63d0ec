"""(Beyond the chapter) a regularised code decodes everywhere: decode a grid over each 2-D code's
region and count the cells a CNN reads with confidence, plain AE against VAE and parametric UMAP."""
from __future__ import annotations

import numpy as np

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


def measure(setting: Setting, trained: list, progress=None, grid: int = 15):
    ds, (cnn, *autoencoders) = setting.digits(), trained
    fractions, grids, regions = [], [], []
    for model in autoencoders:
        codes = infer.encode(model, ds.x_test)  # (N, 2)
        lo, hi = np.percentile(codes, 2.5, axis=0), np.percentile(codes, 97.5, axis=0)  # the central 95%
        xs, ys = np.linspace(lo[0], hi[0], grid), np.linspace(hi[1], lo[1], grid)  # rows from the top
        cells = np.array([[x, y] for y in ys for x in xs], np.float32)  # (grid * grid, 2)
        images = infer.decode(model, cells)  # (grid * grid, D)
        confident = classifier.predict_proba(cnn, images).max(1) >= 0.9
        fractions.append(float(confident.mean()))
        grids.append(images)
        regions.append((float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])))
    plain, vae, pu = fractions
    checks = [Check(vae >= plain + 0.1, Msg("lessons.latent-holes.reads", vae=vae, plain=plain, umap=pu),
                    Msg("lessons.latent-holes.no_gain", vae=vae, plain=plain))]
    return judge(
        "latent-holes", {"kinds": list(KINDS), "confident_fraction": fractions, "grid": grid},
        Msg("lessons.latent-holes.criterion"), Msg("lessons.latent-holes.finding"), checks,
        Msg("lessons.latent-holes.advice", note=epochs_note(nets(setting, grid)[1].train)),
        {"grids": grids, "regions": regions, "image_shape": ds.image_shape})


LESSON = Lesson("latent-holes", nets, measure, beyond_chapter=True)
