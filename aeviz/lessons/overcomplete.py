"""Too much capacity just copies the input: a code twice as wide as the input, unconstrained,
against a 32-number and a denoising net.

Copying is measured on i.i.d. noise: each net is trained on noise images and tested on new ones
(error as a fraction of the variance). Only a net that has learned the identity can reproduce
noise it has never seen.
"""
from __future__ import annotations

from .. import metrics, noise
from ..config import NoiseConfig
from ..i18n import Msg
from ..nets import infer
from .planner import Lesson
from .recipes import Setting, ae_error, more_epochs, net, steps, variance
from .verdict import Check, judge


def nets(setting: Setting, sigma: float = 0.5) -> list:
    cfg = steps(epochs=setting.quick(30, 10))
    return [setting.net(net(kind="overcomplete"), cfg),
            setting.net(net(kind="overcomplete"), cfg, dataset="gaussian-noise"),
            setting.net(net(latent_dim=32), cfg, dataset="gaussian-noise"),
            setting.net(net(kind="denoising", latent_dim=32), cfg, NoiseConfig("gaussian", sigma))]


def measure(setting: Setting, trained: list, progress=None, sigma: float = 0.5):
    ds, rand = setting.digits(), setting.digits("gaussian-noise")
    over, over_noise, under_noise, denoiser = trained
    var = variance(rand.x_test)
    noisy = noise.gaussian(ds.x_test, sigma, seed=setting.seed + 7)
    outs = {"overcomplete": infer.reconstruct(over, noisy), "denoising": infer.reconstruct(denoiser, noisy)}
    n = {
        "train_error_overcomplete": ae_error(over, ds.x_train),
        "noise_error_overcomplete": ae_error(over_noise, rand.x_test) / var,
        "noise_error_undercomplete": ae_error(under_noise, rand.x_test) / var,
        "denoise_psnr_overcomplete": metrics.psnr(ds.x_test, outs["overcomplete"]),
        "denoise_psnr_denoising": metrics.psnr(ds.x_test, outs["denoising"]),
        "noisy_psnr": metrics.psnr(ds.x_test, noisy),
    }
    gap = n["denoise_psnr_denoising"] - n["denoise_psnr_overcomplete"]
    over_share, under_share = float(n["noise_error_overcomplete"]), float(n["noise_error_undercomplete"])
    checks = [
        Check(over_share <= 0.5, Msg("lessons.overcomplete.copies", over=over_share, under=under_share),
              Msg("lessons.overcomplete.no_copy", over=over_share)),
        Check(gap >= 1, Msg("lessons.overcomplete.psnr_gap", over=float(n["denoise_psnr_overcomplete"]),
                            denoiser=float(n["denoise_psnr_denoising"])),
              Msg("lessons.overcomplete.psnr_close", gap=float(gap))),
    ]
    return judge(
        "overcomplete", n, Msg("lessons.overcomplete.criterion"), Msg("lessons.overcomplete.finding"), checks,
        more_epochs(nets(setting, sigma)[0].train),
        {"noisy": noisy[:10], "clean": ds.x_test[:10], "outputs": {k: v[:10] for k, v in outs.items()},
         "image_shape": ds.image_shape})


LESSON = Lesson("overcomplete", nets, measure)
