"""Which denoiser the Denoising page trains: candidates on the page's opening noise (Gaussian,
sigma 0.5) over seeds 0, 1, 2, each with its training time, its PSNR gain over the noisy digits,
its SSIM and how often the lessons' CNN (trained on clean digits) reads its outputs right.

    python bench/denoiser.py            # ~6 minutes on 2 cores
    python bench/denoiser.py --quick    # the page's denoiser only

MNIST-5k, all 1,000 held-out digits, corrupted with the page's noise seed. The figures are the
median over the three seeds with their range.
"""
from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _candidates(quick: bool):
    from aeviz.config import DENOISER, ModelConfig

    page = ("the page's denoiser", DENOISER.model, DENOISER.train)
    if quick:
        return [page]
    dense, steps = ModelConfig(kind="denoising"), DENOISER.train  # batch 256 at 1e-2, as when it was chosen
    return [page,
            ("dense, code 2 (the old twin)", replace(dense, latent_dim=2), replace(steps, epochs=4)),
            ("dense, code 64, 40 epochs", replace(dense, latent_dim=64), replace(steps, epochs=40)),
            ("dense, code 64, 50 epochs", replace(dense, latent_dim=64), replace(steps, epochs=50)),
            ("dense 1024,512, code 256, 30 ep", replace(dense, latent_dim=256, hidden=(1024, 512)),
             replace(steps, epochs=30)),
            ("conv, code 64, lr 3e-3, 20 ep", ModelConfig(kind="conv", latent_dim=64),
             replace(steps, epochs=20, lr=3e-3))]


def main(quick: bool = False) -> None:
    import torch
    from results import recorded

    from aeviz import analysis, data, metrics, noise
    from aeviz.config import DENOISE_NOISE, DENOISE_SEED, ClassifierConfig, ExperimentConfig, NoiseConfig
    from aeviz.lessons import train_net
    from aeviz.nets import classifier, infer

    torch.set_num_threads(2)
    ds = data.load("mnist-5k")
    x, y = ds.x_test, ds.y_test
    noisy = noise.corrupt(x, DENOISE_NOISE.kind, DENOISE_NOISE.level, seed=DENOISE_SEED)
    noisy_psnr = metrics.psnr(x, noisy)
    seeds = (0, 1, 2)
    cnns = {}
    for seed in seeds:
        t0 = time.perf_counter()
        cnns[seed] = train_net(ClassifierConfig(seed=seed))
        cnns[seed].seconds = time.perf_counter() - t0
    rows = []
    for name, model_cfg, train_cfg in _candidates(quick):
        runs = []
        for seed in seeds:
            cfg = ExperimentConfig(model=model_cfg, train=replace(train_cfg, seed=seed),
                                   noise=NoiseConfig(DENOISE_NOISE.kind, DENOISE_NOISE.level))
            t0 = time.perf_counter()
            model = analysis.train_on(ds, cfg, track=False).model
            seconds = time.perf_counter() - t0
            cleaned = infer.reconstruct(model, noisy)
            scores = metrics.image_scores(x, cleaned, ds.image_shape)
            runs.append((seconds, scores["PSNR (dB)"] - noisy_psnr, scores["SSIM"],
                         float(np.mean(classifier.predict(cnns[seed], cleaned) == y))))
        rows.append((name, np.array(runs)))

    def cell(values, fmt):
        return f"{format(np.median(values), fmt)} ({format(values.min(), fmt)}-{format(values.max(), fmt)})"

    with recorded("denoiser"):
        print(f"MNIST-5k, {len(x)} held-out digits, Gaussian sigma {DENOISE_NOISE.level}: noisy PSNR "
              f"{noisy_psnr:.2f} dB. Median (range) over seeds {', '.join(map(str, seeds))}.")
        clean_acc = np.array([np.mean(classifier.predict(cnns[s], x) == y) for s in seeds])
        cnn_s = np.array([cnns[s].seconds for s in seeds])
        noisy_acc = np.array([np.mean(classifier.predict(cnns[s], noisy) == y) for s in seeds])
        print(f"CNN: {cell(cnn_s, '.1f')} s to train; reads {cell(clean_acc, '.3f')} of the clean digits, "
              f"{cell(noisy_acc, '.3f')} of the noisy ones")
        print(f"{'denoiser':<30} {'train s':>16} {'PSNR gain dB':>18} {'SSIM':>20} {'CNN reads':>20}")
        for name, runs in rows:
            print(f"{name:<30} {cell(runs[:, 0], '.1f'):>16} {cell(runs[:, 1], '.2f'):>18} "
                  f"{cell(runs[:, 2], '.3f'):>20} {cell(runs[:, 3], '.3f'):>20}")


if __name__ == "__main__":
    main("--quick" in sys.argv)
