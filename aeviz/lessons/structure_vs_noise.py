"""Structure (correlated pixels) can be compressed, i.i.d. noise cannot: the same undercomplete
autoencoder on digits and on i.i.d. Gaussian pixels, each error as a share of its data's variance."""
from __future__ import annotations

from ..i18n import Msg
from .planner import Lesson
from .recipes import Setting, ae_error, more_epochs, net, steps, variance
from .verdict import Check, judge


def _sets(setting: Setting) -> list[str]:
    return [setting.dataset, "gaussian-noise"]


def nets(setting: Setting) -> list:
    return [setting.net(net(latent_dim=32), steps(epochs=setting.quick(20, 15)), dataset=name)
            for name in _sets(setting)]


def measure(setting: Setting, trained: list, progress=None):
    digits, noise_rel = [ae_error(m, d.x_test) / variance(d.x_test)  # the share of the variance lost
                         for m, d in zip(trained, [setting.digits(name) for name in _sets(setting)])]
    checks = [
        Check(digits <= 0.5, Msg("lessons.structure-vs-noise.digits_ok", share=float(digits)),
              Msg("lessons.structure-vs-noise.digits_high", share=float(digits))),
        Check(noise_rel >= 0.8, Msg("lessons.structure-vs-noise.noise_ok", share=float(noise_rel)),
              Msg("lessons.structure-vs-noise.noise_low", share=float(noise_rel))),
    ]
    return judge(
        "structure-vs-noise", {"digits_relative_error": digits, "noise_relative_error": noise_rel},
        Msg("lessons.structure-vs-noise.criterion"), Msg("lessons.structure-vs-noise.finding"), checks,
        more_epochs(nets(setting)[0].train))


LESSON = Lesson("structure-vs-noise", nets, measure)
