"""With a sparsity constraint, many hidden units still find structure: many sigmoid units with a KL
penalty towards a rate rho (and an L1 variant) against none: mean activation, variance kept, and
whether the first-layer weights drawn as images look like strokes."""
from __future__ import annotations

import numpy as np

from .. import metrics
from ..i18n import Msg
from ..nets import infer, models
from .planner import Lesson
from .recipes import Setting, ae_error, more_epochs, net, steps, variance
from .verdict import Check, judge

RUNS = [("KL to rho", "sparse-kl", {"beta": 0.005}), ("no penalty", "sparse-kl", {"beta": 0.0}),
        ("L1", "sparse-l1", {})]


def nets(setting: Setting, rho: float = 0.05, n_hidden: int = 200) -> list:
    cfg = steps(epochs=setting.quick(30, 20), lr=1e-2)
    return [setting.net(net(kind=kind, latent_dim=n_hidden, hidden=(), rho=rho, **extra), cfg)
            for _, kind, extra in RUNS]


def measure(setting: Setting, trained: list, progress=None, rho: float = 0.05, n_hidden: int = 200):
    ds = setting.digits()
    runs = {label: (model, infer.encode(model, ds.x_test)) for (label, _, _), model in zip(RUNS, trained)}
    kl_model, kl_codes = runs["KL to rho"]  # codes (N, n_hidden)
    sparse, plain = float(kl_codes.mean()), float(runs["no penalty"][1].mean())
    kept = float(1 - ae_error(kl_model, ds.x_test) / variance(ds.x_test))
    weights = models.first_layer_weights(kl_model)  # (n_hidden, D)
    strokes = float(metrics.neighbour_correlation(weights, ds.image_shape))
    checks = [
        Check(rho / 2 <= sparse <= 2 * rho,
              Msg("lessons.sparsity.rate_ok", units=n_hidden, sparse=sparse, rho=rho, plain=plain),
              Msg("lessons.sparsity.rate_off", sparse=sparse, rho=rho)),
        Check(plain >= 3 * rho, Msg("lessons.sparsity.penalty_ok"), Msg("lessons.sparsity.penalty_weak", plain=plain)),
        Check(kept >= 0.65, Msg("lessons.sparsity.kept_ok", kept=kept), Msg("lessons.sparsity.kept_low", kept=kept)),
        Check(strokes >= 0.3, Msg("lessons.sparsity.strokes_ok", corr=strokes),
              Msg("lessons.sparsity.strokes_not", corr=strokes)),
    ]
    return judge(
        "sparsity",
        {"rho": rho, "mean_activation_sparse": sparse, "mean_activation_plain": plain,
         "mean_abs_code_l1": float(np.abs(runs["L1"][1]).mean()), "variance_kept_sparse": kept,
         "weight_neighbour_correlation": strokes},
        Msg("lessons.sparsity.criterion"), Msg("lessons.sparsity.finding"), checks,
        more_epochs(nets(setting, rho, n_hidden)[0].train),
        {"activations": {k: v[1] for k, v in runs.items()}, "weights": weights, "image_shape": ds.image_shape})


LESSON = Lesson("sparsity", nets, measure)
