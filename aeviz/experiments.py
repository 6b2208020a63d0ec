"""The chapter's claims, one experiment each. Every function returns a Lesson: the numbers that
prove or refute the claim (JSON-ready), arrays for its figures, and one sentence reading them.

`quick=True` runs the same experiment on a smaller budget (fewer epochs, fewer digits): for
tests and previews. `progress(fraction, message)` is called as the work goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.decomposition import PCA

from . import data, failures, metrics, models, noise, train
from .config import ModelConfig, NoiseConfig, TrainConfig

Progress = Callable[[float, str], None] | None


@dataclass
class Lesson:
    name: str
    numbers: dict  # the JSON keys of the lesson: floats, ints and lists of floats
    sentence: str  # what the numbers say, in one sentence
    arrays: dict = field(default_factory=dict)  # inputs of the lesson's figures (numpy)


def _say(progress: Progress, fraction: float, message: str) -> None:
    if progress is not None:
        progress(fraction, message)


def _data(name: str, seed: int, quick: bool) -> data.Dataset:
    ds = data.load(name, seed=seed)
    return data.subsample(ds, 800, 300, seed=seed) if quick else ds


def _fit(ds, model: ModelConfig, train_cfg: TrainConfig, noise_cfg: NoiseConfig = NoiseConfig()):
    return train.fit(ds.x_train, ds.x_test, ds.image_shape, model, train_cfg, noise_cfg).model


def _pca_error(ds, k: int) -> float:
    pca = PCA(min(k, ds.n_features), random_state=0).fit(ds.x_train)
    return metrics.reconstruction_error(ds.x_test, pca.inverse_transform(pca.transform(ds.x_test)))


def _ae_error(model, x) -> float:
    return metrics.reconstruction_error(x, train.reconstruct(model, x))


# A linear net's last directions converge slowly (small eigenvalue gaps): many large steps.
LINEAR_TRAIN = TrainConfig(epochs=25, batch_size=128, lr=3e-3)
LINEAR_QUICK = TrainConfig(epochs=60, batch_size=64, lr=1e-2)  # 800 digits: more, larger steps


def bottleneck(dataset: str = "mnist-5k", seed: int = 0, quick: bool = False, progress: Progress = None) -> Lesson:
    """Held-out error against latent size for the autoencoder, the linear autoencoder and PCA."""
    ds = _data(dataset, seed, quick)
    sizes = [1, 2, 4, 8, 16] if quick else [1, 2, 4, 8, 16, 32, 64]
    ae_cfg = TrainConfig(epochs=20 if quick else 10, seed=seed)
    lin_cfg = replace(LINEAR_QUICK if quick else LINEAR_TRAIN, seed=seed)
    ae, lin, pca = [], [], []
    for i, k in enumerate(sizes):
        _say(progress, i / len(sizes), f"latent size {k}")
        ae.append(_ae_error(_fit(ds, ModelConfig(latent_dim=k), ae_cfg), ds.x_test))
        lin.append(_ae_error(_fit(ds, ModelConfig(kind="linear", latent_dim=k, hidden=()), lin_cfg), ds.x_test))
        pca.append(_pca_error(ds, k))
    gain = np.array(pca) / np.array(ae)
    best = int(np.argmax(gain))
    lost = [k for k, g in zip(sizes, gain) if g < 1]
    sentence = (
        f"Every code loses less as the bottleneck widens; the non-linear autoencoder's gain over "
        f"PCA is largest at k = {sizes[best]} ({gain[best]:.2f}x lower error)"
        + (f", though PCA is better at k = {', '.join(map(str, lost))} on this budget" if lost else "")
        + "; the linear autoencoder tracks PCA at every size."
    )
    return Lesson(
        "bottleneck", {"latent_sizes": sizes, "ae_error": ae, "linear_error": lin, "pca_error": pca}, sentence
    )


def linear_vs_pca(
    dataset: str = "mnist-5k", seed: int = 0, quick: bool = False, k: int = 8, progress: Progress = None
) -> Lesson:
    """A linear autoencoder and PCA at the same k: error ratio and principal angles."""
    ds = _data(dataset, seed, quick)
    _say(progress, 0.1, f"training a linear autoencoder with k = {k}")
    cfg = replace(LINEAR_QUICK if quick else LINEAR_TRAIN, seed=seed)
    model = _fit(ds, ModelConfig(kind="linear", latent_dim=k, hidden=()), cfg)
    ratio = _ae_error(model, ds.x_test) / _pca_error(ds, k)
    decoder = model.decoder[0].weight.detach().numpy()  # (D, k): the decoder's column space
    angles = metrics.principal_angles_deg(decoder, metrics.pca_components(ds.x_train, k))
    sentence = (
        f"At k = {k} the linear autoencoder's held-out error is {ratio:.3f} x PCA's and its decoder "
        f"spans nearly PCA's subspace (mean principal angle {angles.mean():.1f} deg): it learns PCA, "
        f"up to a rotation inside the subspace."
    )
    return Lesson(
        "linear-vs-pca",
        {
            "k": k,
            "error_ratio": ratio,
            "max_principal_angle_deg": float(angles.max()),
            "mean_principal_angle_deg": float(angles.mean()),
        },
        sentence,
        {
            "angles": angles,
            "decoder": decoder.T,
            "pca": metrics.pca_components(ds.x_train, k).T,
            "image_shape": ds.image_shape,
        },
    )


def _relative_error(ds, seed: int, quick: bool) -> float:
    """Held-out error of a 32-D autoencoder as a fraction of the data's per-pixel variance."""
    model = _fit(ds, ModelConfig(latent_dim=32), TrainConfig(epochs=20 if quick else 15, seed=seed))
    return _ae_error(model, ds.x_test) / float(ds.x_test.var(axis=0).mean())


def structure_vs_noise(
    dataset: str = "mnist-5k", seed: int = 0, quick: bool = False, progress: Progress = None
) -> Lesson:
    """The same undercomplete autoencoder on digits and on i.i.d. Gaussian pixels."""
    _say(progress, 0.0, "digits")
    digits = _relative_error(_data(dataset, seed, quick), seed, quick)
    _say(progress, 0.5, "i.i.d. noise")
    noise_rel = _relative_error(_data("gaussian-noise", seed, quick), seed, quick)
    sentence = (
        f"Squeezed through 32 numbers, digits lose {digits:.0%} of their variance but i.i.d. noise "
        f"loses {noise_rel:.0%}: only correlated inputs can be compressed."
    )
    return Lesson("structure-vs-noise", {"digits_relative_error": digits, "noise_relative_error": noise_rel}, sentence)


def sparsity(
    dataset: str = "mnist-5k",
    seed: int = 0,
    quick: bool = False,
    rho: float = 0.05,
    n_hidden: int = 200,
    progress: Progress = None,
) -> Lesson:
    """Many sigmoid hidden units with a KL sparsity penalty (and an L1 variant) vs none."""
    ds = _data(dataset, seed, quick)
    cfg = TrainConfig(epochs=30 if quick else 20, seed=seed)
    runs = {}
    for i, (label, kind, extra) in enumerate(
        [("KL to rho", "sparse-kl", {}), ("no penalty", "sparse-kl", {"beta": 0.0}), ("L1", "sparse-l1", {})]
    ):
        _say(progress, i / 3, f"training: {label}")
        model = _fit(ds, ModelConfig(kind=kind, latent_dim=n_hidden, hidden=(), rho=rho, **extra), cfg)
        runs[label] = (model, train.encode(model, ds.x_test))  # codes (N, n_hidden)
    kl_model, kl_codes = runs["KL to rho"]
    plain = float(runs["no penalty"][1].mean())
    weights = models.first_layer_weights(kl_model)  # (n_hidden, D)
    sentence = (
        f"With the KL penalty the {n_hidden} hidden units fire {kl_codes.mean():.3f} on average "
        f"(target rho = {rho}), against {plain:.3f} without it; their weights turn into strokes."
    )
    return Lesson(
        "sparsity",
        {
            "rho": rho,
            "mean_activation_sparse": float(kl_codes.mean()),
            "mean_activation_plain": plain,
            "mean_abs_code_l1": float(np.abs(runs["L1"][1]).mean()),
        },
        sentence,
        {"activations": {k: v[1] for k, v in runs.items()}, "weights": weights, "image_shape": ds.image_shape},
    )


def overcomplete(
    dataset: str = "mnist-5k", seed: int = 0, quick: bool = False, sigma: float = 0.5, progress: Progress = None
) -> Lesson:
    """A code twice as wide as the input, unconstrained, against a 32-D and a denoising net.

    Copying is measured on i.i.d. noise: each net is trained on noise images and tested on new
    ones (error as a fraction of the variance). Only a net that has learned the identity can
    reproduce noise it has never seen.
    """
    ds, rand = _data(dataset, seed, quick), _data("gaussian-noise", seed, quick)
    cfg = TrainConfig(epochs=30 if quick else 10, seed=seed)
    steps = [
        ("overcomplete on digits", ds, ModelConfig(kind="overcomplete"), NoiseConfig()),
        ("overcomplete on noise", rand, ModelConfig(kind="overcomplete"), NoiseConfig()),
        ("32-D on noise", rand, ModelConfig(latent_dim=32), NoiseConfig()),
        (
            f"denoising (sigma {sigma})",
            ds,
            ModelConfig(kind="denoising", latent_dim=32),
            NoiseConfig("gaussian", sigma),
        ),
    ]
    nets = []
    for i, (label, d, m, nz) in enumerate(steps):
        _say(progress, i / len(steps), f"training: {label}")
        nets.append(_fit(d, m, cfg, nz))
    over, over_noise, under_noise, denoiser = nets
    var = float(rand.x_test.var(axis=0).mean())
    noisy = noise.gaussian(ds.x_test, sigma, seed=seed + 7)
    outs = {"overcomplete": train.reconstruct(over, noisy), "denoising": train.reconstruct(denoiser, noisy)}
    n = {
        "train_error_overcomplete": _ae_error(over, ds.x_train),
        "noise_error_overcomplete": _ae_error(over_noise, rand.x_test) / var,
        "noise_error_undercomplete": _ae_error(under_noise, rand.x_test) / var,
        "denoise_psnr_overcomplete": metrics.psnr(ds.x_test, outs["overcomplete"]),
        "denoise_psnr_denoising": metrics.psnr(ds.x_test, outs["denoising"]),
        "noisy_psnr": metrics.psnr(ds.x_test, noisy),
    }
    sentence = (
        f"The overcomplete net copies: training error {n['train_error_overcomplete']:.4f}, and on "
        f"unseen random noise it loses {n['noise_error_overcomplete']:.0%} of the variance where a "
        f"32-D net loses {n['noise_error_undercomplete']:.0%}; on noisy digits it reaches "
        f"{n['denoise_psnr_overcomplete']:.1f} dB, a denoising net {n['denoise_psnr_denoising']:.1f} dB."
    )
    return Lesson(
        "overcomplete",
        n,
        sentence,
        {
            "noisy": noisy[:10],
            "clean": ds.x_test[:10],
            "outputs": {k: v[:10] for k, v in outs.items()},
            "image_shape": ds.image_shape,
        },
    )


def denoise_then_classify(
    dataset: str = "mnist-5k", seed: int = 0, quick: bool = False, progress: Progress = None
) -> Lesson:
    """A small CNN trained on clean digits, tested on clean, noisy and autoencoder-denoised digits."""
    ds = _data(dataset, seed, quick)
    levels = [0.1, 0.3, 0.5, 0.7]
    _say(progress, 0.0, "training the CNN on clean digits")
    cnn = train.fit_classifier(ds.x_train, ds.y_train, ds.image_shape, epochs=10 if quick else 6, seed=seed)
    _say(progress, 0.4, "training a denoising autoencoder")
    denoiser = _fit(
        ds,
        ModelConfig(kind="denoising", latent_dim=32),
        TrainConfig(epochs=30 if quick else 20, seed=seed),
        NoiseConfig("gaussian", 0.5),
    )

    def acc(x):
        return float(np.mean(train.predict(cnn, x) == ds.y_test))

    noisy_acc, denoised_acc = [], []
    for i, s in enumerate(levels):
        _say(progress, 0.8 + 0.2 * i / len(levels), f"testing at sigma {s}")
        noisy = noise.gaussian(ds.x_test, s, seed=seed + 11)
        noisy_acc.append(acc(noisy))
        denoised_acc.append(acc(train.reconstruct(denoiser, noisy)))
    j = levels.index(0.5)
    sentence = (
        f"At sigma 0.5 the CNN's accuracy falls from {acc(ds.x_test):.1%} to {noisy_acc[j]:.1%}; "
        f"denoising first brings it back to {denoised_acc[j]:.1%}."
    )
    return Lesson(
        "denoise-then-classify",
        {
            "noise_levels": levels,
            "accuracy_clean": acc(ds.x_test),
            "accuracy_noisy": noisy_acc,
            "accuracy_denoised": denoised_acc,
        },
        sentence,
    )


def chapter_example(
    dataset: str = "mnist-10x10", seed: int = 0, quick: bool = False, n_hidden: int = 50, progress: Progress = None
) -> Lesson:
    """The chapter's numbers: 10x10 digits (n = 100 inputs) through s = 50 hidden units, beside PCA-50."""
    ds = _data(dataset, seed, quick)
    _say(progress, 0.1, f"training {ds.n_features} -> {n_hidden} -> {ds.n_features}")
    model = _fit(
        ds, ModelConfig(latent_dim=n_hidden, hidden=()), TrainConfig(epochs=20 if quick else 100, lr=3e-3, seed=seed)
    )
    ae, pca = _ae_error(model, ds.x_test), _pca_error(ds, n_hidden)
    sentence = (
        f"{ds.n_features} pixels through {n_hidden} hidden units come back with per-pixel error "
        f"{ae:.4f}, against {pca:.4f} for PCA with {n_hidden} components."
    )
    return Lesson(
        "chapter-example",
        {"n_inputs": ds.n_features, "n_hidden": n_hidden, "ae_error": ae, "pca_error": pca},
        sentence,
        {"clean": ds.x_test[:12], "recon": train.reconstruct(model, ds.x_test[:12]), "image_shape": ds.image_shape},
    )


LESSONS: dict[str, Callable[..., Lesson]] = {
    "bottleneck": bottleneck,
    "linear-vs-pca": linear_vs_pca,
    "structure-vs-noise": structure_vs_noise,
    "sparsity": sparsity,
    "overcomplete": overcomplete,
    "denoise-then-classify": denoise_then_classify,
    "chapter-example": chapter_example,
}


def run(name: str, **kwargs) -> Lesson:
    """Run the lesson `name` (one of LESSONS)."""
    if name not in LESSONS:
        raise ValueError(f"unknown lesson {name!r}; valid: {', '.join(LESSONS)}")
    failures.check("lesson")
    return LESSONS[name](**kwargs)
