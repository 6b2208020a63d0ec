"""The chapter's numbers: 10x10 digits (n = 100 inputs) through s = 50 hidden units, beside PCA-50."""
from __future__ import annotations

from ..i18n import Msg
from ..nets import infer
from .planner import Lesson
from .recipes import Setting, ae_error, more_epochs, net, pca_error, steps, variance
from .verdict import Check, judge


def nets(setting: Setting, n_hidden: int = 50) -> list:
    return [setting.net(net(latent_dim=n_hidden, hidden=()), steps(epochs=setting.quick(20, 100), lr=3e-3))]


def measure(setting: Setting, trained: list, progress=None, n_hidden: int = 50):
    ds, [model] = setting.digits(), trained
    ae, pca = ae_error(model, ds.x_test), pca_error(ds, n_hidden)
    pixels, lost = int(ds.n_features), float(ae / variance(ds.x_test))
    checks = [Check(lost <= 0.05, Msg("lessons.chapter-example.kept", pixels=pixels, units=n_hidden, lost=lost,
                                      ae=float(ae), pca=float(pca)),
                    Msg("lessons.chapter-example.lost_too_much", pixels=pixels, units=n_hidden, lost=lost))]
    return judge(
        "chapter-example", {"n_inputs": ds.n_features, "n_hidden": n_hidden, "ae_error": ae, "pca_error": pca,
                            "variance_lost": lost},
        Msg("lessons.chapter-example.criterion", units=n_hidden), Msg("lessons.chapter-example.finding"), checks,
        more_epochs(nets(setting, n_hidden)[0].train),
        {"clean": ds.x_test[:12], "recon": infer.reconstruct(model, ds.x_test[:12]), "image_shape": ds.image_shape})


LESSON = Lesson("chapter-example", nets, measure, dataset="mnist-10x10", fixed_dataset=True)
