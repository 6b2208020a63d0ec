"""Denoise first, then classify: a small CNN trained on clean digits, tested on clean, noisy and
autoencoder-denoised digits."""
from __future__ import annotations

import numpy as np

from .. import noise
from ..config import NoiseConfig
from ..i18n import Msg
from ..nets import classifier, infer
from .planner import Lesson, say
from .recipes import Setting, epochs_note, net, steps
from .verdict import Check, judge

LEVELS = [0.1, 0.3, 0.5, 0.7]  # the noise's sigma; the claim is decided at 0.5


def nets(setting: Setting) -> list:
    return [setting.classifier(setting.quick(10, 6)),
            setting.net(net(kind="denoising", latent_dim=32), steps(epochs=setting.quick(30, 20)),
                        NoiseConfig("gaussian", 0.5))]


def measure(setting: Setting, trained: list, progress=None):
    ds, (cnn, denoiser) = setting.digits(), trained

    def acc(x):
        return float(np.mean(classifier.predict(cnn, x) == ds.y_test))

    clean, noisy_acc, denoised_acc = acc(ds.x_test), [], []
    for i, s in enumerate(LEVELS):
        say(progress, 0.8 + 0.2 * i / len(LEVELS), Msg("lessons.progress.testing_sigma", sigma=s))
        noisy = noise.gaussian(ds.x_test, s, seed=setting.seed + 11)
        noisy_acc.append(acc(noisy))
        denoised_acc.append(acc(infer.reconstruct(denoiser, noisy)))
    j = LEVELS.index(0.5)
    gain = denoised_acc[j] - noisy_acc[j]
    checks = [
        Check(clean - noisy_acc[j] >= 0.1,
              Msg("lessons.denoise-then-classify.noise_hurts", clean=clean, noisy=noisy_acc[j]),
              Msg("lessons.denoise-then-classify.noise_harmless", points=100 * (clean - noisy_acc[j]))),
        Check(gain >= 0.1, Msg("lessons.denoise-then-classify.gain_ok", denoised=denoised_acc[j]),
              Msg("lessons.denoise-then-classify.gain_small", points=100 * gain)),
    ]
    cost = 100 * (noisy_acc[0] - denoised_acc[0])
    aside = Msg("lessons.denoise-then-classify.aside", points=cost) if cost > 0 else ""
    return judge(
        "denoise-then-classify",
        {"noise_levels": LEVELS, "accuracy_clean": clean, "accuracy_noisy": noisy_acc,
         "accuracy_denoised": denoised_acc},
        Msg("lessons.denoise-then-classify.criterion"), Msg("lessons.denoise-then-classify.finding"), checks,
        Msg("lessons.denoise-then-classify.advice", note=epochs_note(nets(setting)[1].train)), aside=aside)


LESSON = Lesson("denoise-then-classify", nets, measure)
