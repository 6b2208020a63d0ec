"""A bottleneck forces a compressed representation: held-out error against the code's width, for
the autoencoder, the linear autoencoder and PCA."""
from __future__ import annotations

import numpy as np

from ..i18n import Msg
from .planner import Lesson
from .recipes import Setting, ae_error, epochs_note, ks, net, pca_error, steps
from .verdict import Check, judge

# Minibatch Adam for the linear nets of the sweep: within a few percent of PCA at every size.
LINEAR_SWEEP = steps(epochs=25, batch_size=128, lr=3e-3)
LINEAR_SWEEP_QUICK = steps(epochs=60, batch_size=64, lr=1e-2)  # 800 digits: more, larger steps


def _sizes(setting: Setting) -> list[int]:
    return [1, 2, 4, 8, 16] if setting.few_digits else [1, 2, 4, 8, 16, 32, 64]


def nets(setting: Setting) -> list:
    sizes = _sizes(setting)
    linear = LINEAR_SWEEP_QUICK if setting.few_digits else LINEAR_SWEEP
    return ([setting.net(net(latent_dim=k), steps(epochs=setting.quick(20, 10))) for k in sizes]
            + [setting.net(net(kind="linear", latent_dim=k, hidden=()), linear) for k in sizes])


def measure(setting: Setting, trained: list, progress=None):
    ds, sizes, planned = setting.digits(), _sizes(setting), nets(setting)
    ae = [ae_error(m, ds.x_test) for m in trained[:len(sizes)]]
    lin = [ae_error(m, ds.x_test) for m in trained[len(sizes):]]
    pca = [pca_error(ds, k) for k in sizes]
    ae_a, lin_ratio, gain = np.array(ae), np.array(lin) / np.array(pca), np.array(pca) / np.array(ae)
    rises = [k for k, a, b in zip(sizes[1:], ae_a[:-1], ae_a[1:]) if b > 1.05 * a]
    narrow = [k for k in sizes if k <= 4]
    loses_narrow = [k for k, g in zip(sizes, gain) if k <= 4 and g <= 1]
    off = [k for k, r in zip(sizes, lin_ratio) if r > 1.1]
    best = int(np.argmax(gain))
    checks = [
        Check(not rises, Msg("lessons.bottleneck.falls", first=float(ae[0]), k0=sizes[0], last=float(ae[-1]),
                             k1=sizes[-1]),
              Msg("lessons.bottleneck.rises", ks=ks(rises))),
        Check(not loses_narrow, Msg("lessons.bottleneck.beats_pca", k=sizes[best], gain=float(gain[best])),
              Msg("lessons.bottleneck.loses_to_pca", ks=ks(loses_narrow))),
        Check(not off, Msg("lessons.bottleneck.linear_close", pct=float(100 * (lin_ratio.max() - 1))),
              Msg("lessons.bottleneck.linear_off", ks=ks(off))),
    ]
    return judge(
        "bottleneck", {"latent_sizes": sizes, "ae_error": ae, "linear_error": lin, "pca_error": pca},
        Msg("lessons.bottleneck.criterion", narrow=ks(narrow)), Msg("lessons.bottleneck.finding"), checks,
        Msg("lessons.bottleneck.advice", note=epochs_note(planned[0].train)))


LESSON = Lesson("bottleneck", nets, measure)
