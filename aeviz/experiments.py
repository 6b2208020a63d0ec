"""The chapter's claims, one experiment each, in one registry (LESSONS).

Every experiment returns a Lesson: the numbers that decide its claim (JSON-ready), whether the
claim held on this run against a criterion stated with its thresholds, one sentence read off the
numbers (which says so plainly when the claim did not hold, and what would likely change that),
and arrays for its figures. Nothing a lesson says is written before it has run.

`few_digits=True` runs the same experiment on fewer digits (800 training, 300 held out), with more
epochs to make up for the fewer steps: for tests and previews. `epochs=N` overrides the epochs
of every net in the lesson, so a learner can starve one and watch a claim fail.
`progress(fraction, message)` is called as the work goes on. A lesson's nets are trained through
`fit_many(fits, progress)`, all of a sweep at once: one after another here by default, in parallel
when the jobs' Ray backend passes its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.decomposition import PCA

from . import data, failures, metrics, noise
from .config import ModelConfig, NoiseConfig, TrainConfig
from .i18n import Joined, Msg, t
from .nets import classifier, infer, loop, models

# A lesson runs in a background job, away from whoever reads it: everything it says is a Msg (or a
# Joined of them), worded by str() in the reader's language (catalogue aeviz/i18n/*/lessons.toml).
Progress = Callable[[float, Msg | str], None] | None


@dataclass(frozen=True)
class Fit:
    """One net a lesson trains: on which digits, what net, how (picklable: a Ray worker runs it)."""

    dataset: str
    seed: int
    few_digits: bool
    model: ModelConfig
    train: TrainConfig
    noise: NoiseConfig = NoiseConfig()


@dataclass(frozen=True)
class CnnFit:
    """The small CNN classifier a lesson trains on clean digits (classifier.fit_classifier)."""

    dataset: str
    seed: int
    few_digits: bool
    epochs: int


def fit(spec: Fit | CnnFit):
    """Train the net of one Fit (an autoencoder) or CnnFit (a classifier); returns it (eval mode, CPU)."""
    ds = _data(spec.dataset, spec.seed, spec.few_digits)
    if isinstance(spec, CnnFit):
        return classifier.fit_classifier(ds.x_train, ds.y_train, ds.image_shape, epochs=spec.epochs, seed=spec.seed)
    return loop.fit(ds.x_train, ds.x_test, ds.image_shape, spec.model, spec.train, spec.noise).model


class _Planned(Exception):
    def __init__(self, fits: list):
        self.fits = fits


def plan(name: str, **kwargs) -> list:
    """The nets lesson `name` would train (its Fits and CnnFits), without training any: the lesson
    runs up to its call of fit_many (data loading and PCA only) and stops there."""
    def record(fits, progress=None):
        raise _Planned(list(fits))

    try:
        LESSONS[name].run(**kwargs, fit_many=record)
    except _Planned as planned:
        return planned.fits
    return []


def fit_in_turn(fits: list[Fit], progress: Progress = None) -> list:
    """The default fit_many: each Fit in turn, in this process."""
    out = []
    for i, spec in enumerate(fits):
        what = spec.model.kind if isinstance(spec, Fit) else Msg("lessons.progress.classifier")
        _say(progress, i / len(fits), Msg("lessons.progress.training_net", i=i + 1, n=len(fits), what=what))
        out.append(fit(spec))
    return out


@dataclass
class Check:
    """One condition of a lesson's criterion: whether it held, and the words for either case."""

    ok: bool
    held: Msg  # what the numbers show when it held
    failed: Msg  # what they show when it did not


@dataclass
class Lesson:
    name: str
    numbers: dict  # the lesson's measured values: floats, ints and lists of floats
    holds: bool  # did the claim hold on this run, by `criterion`
    criterion: Msg  # one line: the thresholds that decide the claim (str() words it)
    sentence: Msg  # what the numbers say, computed from them (str() words it)
    arrays: dict = field(default_factory=dict)  # inputs of the lesson's figures (numpy)

    def to_json(self) -> dict:
        """The numbers with the verdict, worded in the current language: what `python -m aeviz lesson
        NAME --json` prints."""
        return {**self.numbers, "holds": self.holds, "criterion": str(self.criterion), "sentence": str(self.sentence)}


def _verdict(name: str, numbers: dict, criterion: Msg, finding: Msg, checks: list[Check], advice: Msg,
             arrays: dict | None = None, aside: Msg | str = "") -> Lesson:
    """A Lesson whose sentence is `finding` plus each check's own words (and `aside`) when all held,
    or a plain 'did not hold' naming what failed and `advice` otherwise."""
    holds = all(c.ok for c in checks)
    if holds:
        sentence = Msg("lessons.verdict.held", finding=finding, checks=Joined([c.held for c in checks], "; "),
                       aside=aside)
    else:
        sentence = Msg("lessons.verdict.failed", failed=Joined([c.failed for c in checks if not c.ok], "; "),
                       advice=advice)
    return Lesson(name, numbers, holds, criterion, sentence, arrays or {})


def _ks(ks) -> str:
    """Latent sizes as one parameter ("1, 2, 4"): whole numbers read the same in every language."""
    return ", ".join(map(str, ks))


def _say(progress: Progress, fraction: float, message: Msg | str) -> None:
    if progress is not None:
        progress(fraction, message)


def _data(name: str, seed: int, few_digits: bool) -> data.Dataset:
    ds = data.load(name, seed=seed)
    return data.subsample(ds, 800, 300, seed=seed) if few_digits else ds


def _budget(cfg: TrainConfig, seed: int, epochs: int | None) -> TrainConfig:
    """cfg with the lesson's seed, and the learner's epochs where given."""
    return replace(cfg, seed=seed, **({} if epochs is None else {"epochs": int(epochs)}))


def _pca_error(ds, k: int) -> float:
    pca = PCA(min(k, ds.n_features), random_state=0).fit(ds.x_train)
    return metrics.reconstruction_error(ds.x_test, pca.inverse_transform(pca.transform(ds.x_test)))


def _ae_error(model, x) -> float:
    return metrics.reconstruction_error(x, infer.reconstruct(model, x))


def _variance(x: np.ndarray) -> float:
    """The per-pixel variance of x (N, D): the error of predicting every image by the mean one."""
    return float(x.var(axis=0).mean())


def _epochs_note(cfg: TrainConfig) -> Msg:
    return Msg("lessons.epochs_note.one" if cfg.epochs == 1 else "lessons.epochs_note.many", n=cfg.epochs)


def _more_epochs(cfg: TrainConfig) -> Msg:
    """The advice of most lessons when their claim did not hold."""
    return Msg("lessons.advice.epochs", note=_epochs_note(cfg))


def _net(**model) -> ModelConfig:
    """A lesson's autoencoder: one hidden layer of 256, no normalisation, unless the lesson says
    otherwise. Small on purpose: a sweep of a dozen nets fits in seconds, and each lesson's
    criterion was set for it (the app's default net is deeper; bench/maps.py compares them)."""
    return ModelConfig(**{"hidden": (256,), "norm": "none", **model})


def _steps(**train) -> TrainConfig:
    """A lesson's training: minibatch Adam at a constant rate, unless the lesson says otherwise."""
    return TrainConfig(**{"batch_size": 64, "lr": 1e-3, "schedule": "constant", **train})


# Minibatch Adam for the linear nets of the sweep: within a few percent of PCA at every size.
LINEAR_SWEEP = _steps(epochs=25, batch_size=128, lr=3e-3)
LINEAR_SWEEP_QUICK = _steps(epochs=60, batch_size=64, lr=1e-2)  # 800 digits: more, larger steps
# Full-batch L-BFGS in float64: the last principal directions of digits differ by a few percent
# of variance, so the subspace is found only when the loss is minimised that precisely.
LINEAR_EXACT = _steps(epochs=6, optimizer="lbfgs")


def bottleneck(dataset: str = "mnist-5k", seed: int = 0, few_digits: bool = False, epochs: int | None = None,
               progress: Progress = None, fit_many=fit_in_turn) -> Lesson:
    """Held-out error against latent size for the autoencoder, the linear autoencoder and PCA."""
    ds = _data(dataset, seed, few_digits)
    sizes = [1, 2, 4, 8, 16] if few_digits else [1, 2, 4, 8, 16, 32, 64]
    ae_cfg = _budget(_steps(epochs=20 if few_digits else 10), seed, epochs)
    lin_cfg = _budget(LINEAR_SWEEP_QUICK if few_digits else LINEAR_SWEEP, seed, epochs)
    nets = fit_many([Fit(dataset, seed, few_digits, _net(latent_dim=k), ae_cfg) for k in sizes]
                    + [Fit(dataset, seed, few_digits, _net(kind="linear", latent_dim=k, hidden=()), lin_cfg)
                       for k in sizes], progress)
    ae = [_ae_error(m, ds.x_test) for m in nets[:len(sizes)]]
    lin = [_ae_error(m, ds.x_test) for m in nets[len(sizes):]]
    pca = [_pca_error(ds, k) for k in sizes]
    ae_a, lin_ratio, gain = np.array(ae), np.array(lin) / np.array(pca), np.array(pca) / np.array(ae)
    rises = [k for k, a, b in zip(sizes[1:], ae_a[:-1], ae_a[1:]) if b > 1.05 * a]
    narrow = [k for k in sizes if k <= 4]
    loses_narrow = [k for k, g in zip(sizes, gain) if k <= 4 and g <= 1]
    off = [k for k, r in zip(sizes, lin_ratio) if r > 1.1]
    best = int(np.argmax(gain))
    checks = [
        Check(not rises, Msg("lessons.bottleneck.falls", first=float(ae[0]), k0=sizes[0], last=float(ae[-1]),
                             k1=sizes[-1]),
              Msg("lessons.bottleneck.rises", ks=_ks(rises))),
        Check(not loses_narrow, Msg("lessons.bottleneck.beats_pca", k=sizes[best], gain=float(gain[best])),
              Msg("lessons.bottleneck.loses_to_pca", ks=_ks(loses_narrow))),
        Check(not off, Msg("lessons.bottleneck.linear_close", pct=float(100 * (lin_ratio.max() - 1))),
              Msg("lessons.bottleneck.linear_off", ks=_ks(off))),
    ]
    return _verdict(
        "bottleneck", {"latent_sizes": sizes, "ae_error": ae, "linear_error": lin, "pca_error": pca},
        Msg("lessons.bottleneck.criterion", narrow=_ks(narrow)), Msg("lessons.bottleneck.finding"), checks,
        Msg("lessons.bottleneck.advice", note=_epochs_note(ae_cfg)))


def linear_vs_pca(dataset: str = "mnist-5k", seed: int = 0, few_digits: bool = False, epochs: int | None = None,
                  k: int = 8, progress: Progress = None, fit_many=fit_in_turn) -> Lesson:
    """A linear autoencoder and PCA at the same k: error ratio and principal angles."""
    ds = _data(dataset, seed, few_digits)
    cfg = _budget(LINEAR_EXACT, seed, epochs)
    [model] = fit_many([Fit(dataset, seed, few_digits, _net(kind="linear", latent_dim=k, hidden=()), cfg)], progress)
    ratio = _ae_error(model, ds.x_test) / _pca_error(ds, k)
    decoder = model.decoder[0].weight.detach().numpy()  # (D, k): the decoder's column space
    pcs = metrics.pca_components(ds.x_train, k)  # (D, k)
    angles = metrics.principal_angles_deg(decoder, pcs)
    largest, mean = float(angles.max()), float(angles.mean())
    checks = [
        Check(ratio <= 1.01, Msg("lessons.linear-vs-pca.ratio_ok", ratio=float(ratio)),
              Msg("lessons.linear-vs-pca.ratio_high", ratio=float(ratio))),
        Check(largest <= 5, Msg("lessons.linear-vs-pca.angle_ok", largest=largest, mean=mean),
              Msg("lessons.linear-vs-pca.angle_off", largest=largest)),
    ]
    return _verdict(
        "linear-vs-pca",
        {"k": k, "error_ratio": ratio, "max_principal_angle_deg": largest, "mean_principal_angle_deg": mean},
        Msg("lessons.linear-vs-pca.criterion"), Msg("lessons.linear-vs-pca.finding", k=k), checks,
        Msg("lessons.linear-vs-pca.advice", note=_epochs_note(cfg)),
        {"angles": angles, "decoder": decoder.T, "pca": pcs.T, "image_shape": ds.image_shape})


def structure_vs_noise(dataset: str = "mnist-5k", seed: int = 0, few_digits: bool = False, epochs: int | None = None,
                       progress: Progress = None, fit_many=fit_in_turn) -> Lesson:
    """The same undercomplete autoencoder on digits and on i.i.d. Gaussian pixels."""
    cfg = _budget(_steps(epochs=20 if few_digits else 15), seed, epochs)
    sets = [dataset, "gaussian-noise"]
    nets = fit_many([Fit(name, seed, few_digits, _net(latent_dim=32), cfg) for name in sets], progress)
    digits, noise_rel = [_ae_error(m, d.x_test) / _variance(d.x_test)  # the share of the variance lost
                         for m, d in zip(nets, [_data(name, seed, few_digits) for name in sets])]
    checks = [
        Check(digits <= 0.5, Msg("lessons.structure-vs-noise.digits_ok", share=float(digits)),
              Msg("lessons.structure-vs-noise.digits_high", share=float(digits))),
        Check(noise_rel >= 0.8, Msg("lessons.structure-vs-noise.noise_ok", share=float(noise_rel)),
              Msg("lessons.structure-vs-noise.noise_low", share=float(noise_rel))),
    ]
    return _verdict(
        "structure-vs-noise", {"digits_relative_error": digits, "noise_relative_error": noise_rel},
        Msg("lessons.structure-vs-noise.criterion"), Msg("lessons.structure-vs-noise.finding"), checks,
        _more_epochs(cfg))


def sparsity(dataset: str = "mnist-5k", seed: int = 0, few_digits: bool = False, epochs: int | None = None,
             rho: float = 0.05, n_hidden: int = 200, progress: Progress = None, fit_many=fit_in_turn) -> Lesson:
    """Many sigmoid hidden units with a KL sparsity penalty (and an L1 variant) vs none."""
    ds = _data(dataset, seed, few_digits)
    cfg = _budget(_steps(epochs=30 if few_digits else 20, lr=1e-2), seed, epochs)
    runs = {}
    nets = [("KL to rho", "sparse-kl", {"beta": 0.005}), ("no penalty", "sparse-kl", {"beta": 0.0}),
            ("L1", "sparse-l1", {})]
    models_ = fit_many([Fit(dataset, seed, few_digits, _net(kind=kind, latent_dim=n_hidden, hidden=(), rho=rho,
                                                              **extra), cfg) for _, kind, extra in nets], progress)
    for (label, _, _), model in zip(nets, models_):
        runs[label] = (model, infer.encode(model, ds.x_test))  # codes (N, n_hidden)
    kl_model, kl_codes = runs["KL to rho"]
    sparse, plain = float(kl_codes.mean()), float(runs["no penalty"][1].mean())
    kept = 1 - _ae_error(kl_model, ds.x_test) / _variance(ds.x_test)
    weights = models.first_layer_weights(kl_model)  # (n_hidden, D)
    strokes = metrics.neighbour_correlation(weights, ds.image_shape)
    kept, strokes = float(kept), float(strokes)
    checks = [
        Check(rho / 2 <= sparse <= 2 * rho,
              Msg("lessons.sparsity.rate_ok", units=n_hidden, sparse=sparse, rho=rho, plain=plain),
              Msg("lessons.sparsity.rate_off", sparse=sparse, rho=rho)),
        Check(plain >= 3 * rho, Msg("lessons.sparsity.penalty_ok"), Msg("lessons.sparsity.penalty_weak", plain=plain)),
        Check(kept >= 0.65, Msg("lessons.sparsity.kept_ok", kept=kept), Msg("lessons.sparsity.kept_low", kept=kept)),
        Check(strokes >= 0.3, Msg("lessons.sparsity.strokes_ok", corr=strokes),
              Msg("lessons.sparsity.strokes_not", corr=strokes)),
    ]
    return _verdict(
        "sparsity",
        {"rho": rho, "mean_activation_sparse": sparse, "mean_activation_plain": plain,
         "mean_abs_code_l1": float(np.abs(runs["L1"][1]).mean()), "variance_kept_sparse": kept,
         "weight_neighbour_correlation": strokes},
        Msg("lessons.sparsity.criterion"), Msg("lessons.sparsity.finding"), checks, _more_epochs(cfg),
        {"activations": {k: v[1] for k, v in runs.items()}, "weights": weights, "image_shape": ds.image_shape})


def overcomplete(dataset: str = "mnist-5k", seed: int = 0, few_digits: bool = False, epochs: int | None = None,
                 sigma: float = 0.5, progress: Progress = None, fit_many=fit_in_turn) -> Lesson:
    """A code twice as wide as the input, unconstrained, against a 32-D and a denoising net.

    Copying is measured on i.i.d. noise: each net is trained on noise images and tested on new
    ones (error as a fraction of the variance). Only a net that has learned the identity can
    reproduce noise it has never seen.
    """
    ds, rand = _data(dataset, seed, few_digits), _data("gaussian-noise", seed, few_digits)
    cfg = _budget(_steps(epochs=30 if few_digits else 10), seed, epochs)
    over, over_noise, under_noise, denoiser = fit_many([
        Fit(dataset, seed, few_digits, _net(kind="overcomplete"), cfg),
        Fit("gaussian-noise", seed, few_digits, _net(kind="overcomplete"), cfg),
        Fit("gaussian-noise", seed, few_digits, _net(latent_dim=32), cfg),
        Fit(dataset, seed, few_digits, _net(kind="denoising", latent_dim=32), cfg, NoiseConfig("gaussian", sigma)),
    ], progress)
    var = _variance(rand.x_test)
    noisy = noise.gaussian(ds.x_test, sigma, seed=seed + 7)
    outs = {"overcomplete": infer.reconstruct(over, noisy), "denoising": infer.reconstruct(denoiser, noisy)}
    n = {
        "train_error_overcomplete": _ae_error(over, ds.x_train),
        "noise_error_overcomplete": _ae_error(over_noise, rand.x_test) / var,
        "noise_error_undercomplete": _ae_error(under_noise, rand.x_test) / var,
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
    return _verdict(
        "overcomplete", n, Msg("lessons.overcomplete.criterion"), Msg("lessons.overcomplete.finding"), checks,
        _more_epochs(cfg),
        {"noisy": noisy[:10], "clean": ds.x_test[:10], "outputs": {k: v[:10] for k, v in outs.items()},
         "image_shape": ds.image_shape})


def denoise_then_classify(dataset: str = "mnist-5k", seed: int = 0, few_digits: bool = False, epochs: int | None = None,
                          progress: Progress = None, fit_many=fit_in_turn) -> Lesson:
    """A small CNN trained on clean digits, tested on clean, noisy and autoencoder-denoised digits."""
    ds = _data(dataset, seed, few_digits)
    levels = [0.1, 0.3, 0.5, 0.7]
    cnn_epochs = epochs if epochs is not None else (10 if few_digits else 6)
    cfg = _budget(_steps(epochs=30 if few_digits else 20), seed, epochs)
    cnn, denoiser = fit_many([CnnFit(dataset, seed, few_digits, cnn_epochs),
                              Fit(dataset, seed, few_digits, _net(kind="denoising", latent_dim=32), cfg,
                                  NoiseConfig("gaussian", 0.5))], progress)

    def acc(x):
        return float(np.mean(classifier.predict(cnn, x) == ds.y_test))

    clean, noisy_acc, denoised_acc = acc(ds.x_test), [], []
    for i, s in enumerate(levels):
        _say(progress, 0.8 + 0.2 * i / len(levels), Msg("lessons.progress.testing_sigma", sigma=s))
        noisy = noise.gaussian(ds.x_test, s, seed=seed + 11)
        noisy_acc.append(acc(noisy))
        denoised_acc.append(acc(infer.reconstruct(denoiser, noisy)))
    j = levels.index(0.5)
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
    return _verdict(
        "denoise-then-classify",
        {"noise_levels": levels, "accuracy_clean": clean, "accuracy_noisy": noisy_acc,
         "accuracy_denoised": denoised_acc},
        Msg("lessons.denoise-then-classify.criterion"), Msg("lessons.denoise-then-classify.finding"), checks,
        Msg("lessons.denoise-then-classify.advice", note=_epochs_note(cfg)), aside=aside)


def chapter_example(dataset: str = "mnist-10x10", seed: int = 0, few_digits: bool = False, epochs: int | None = None,
                    n_hidden: int = 50, progress: Progress = None, fit_many=fit_in_turn) -> Lesson:
    """The chapter's numbers: 10x10 digits (n = 100 inputs) through s = 50 hidden units, beside PCA-50."""
    ds = _data(dataset, seed, few_digits)
    cfg = _budget(_steps(epochs=20 if few_digits else 100, lr=3e-3), seed, epochs)
    [model] = fit_many([Fit(dataset, seed, few_digits, _net(latent_dim=n_hidden, hidden=()), cfg)], progress)
    ae, pca = _ae_error(model, ds.x_test), _pca_error(ds, n_hidden)
    lost = ae / _variance(ds.x_test)
    pixels, lost = int(ds.n_features), float(lost)
    checks = [Check(lost <= 0.05, Msg("lessons.chapter-example.kept", pixels=pixels, units=n_hidden, lost=lost,
                                      ae=float(ae), pca=float(pca)),
                    Msg("lessons.chapter-example.lost_too_much", pixels=pixels, units=n_hidden, lost=lost))]
    return _verdict(
        "chapter-example", {"n_inputs": ds.n_features, "n_hidden": n_hidden, "ae_error": ae, "pca_error": pca,
                            "variance_lost": lost},
        Msg("lessons.chapter-example.criterion", units=n_hidden), Msg("lessons.chapter-example.finding"), checks,
        _more_epochs(cfg),
        {"clean": ds.x_test[:12], "recon": infer.reconstruct(model, ds.x_test[:12]), "image_shape": ds.image_shape})


HOLE_KINDS = ("undercomplete", "variational", "parametric-umap")


def latent_holes(dataset: str = "mnist-5k", seed: int = 0, few_digits: bool = False, epochs: int | None = None,
                 grid: int = 15, progress: Progress = None, fit_many=fit_in_turn) -> Lesson:
    """Decode a grid over each 2-D code's region; the share of cells a CNN reads with confidence."""
    ds = _data(dataset, seed, few_digits)
    cfg = _budget(TrainConfig(), seed, epochs)  # the app's default net and training, for every kind
    cnn_epochs = epochs if epochs is not None else (10 if few_digits else 6)
    cnn, *nets = fit_many([CnnFit(dataset, seed, few_digits, cnn_epochs)]
                          + [Fit(dataset, seed, few_digits, ModelConfig(kind=k, latent_dim=2), cfg)
                             for k in HOLE_KINDS], progress)
    fractions, grids, regions = [], [], []
    for net in nets:
        codes = infer.encode(net, ds.x_test)  # (N, 2)
        lo, hi = np.percentile(codes, 2.5, axis=0), np.percentile(codes, 97.5, axis=0)  # the central 95%
        xs, ys = np.linspace(lo[0], hi[0], grid), np.linspace(hi[1], lo[1], grid)  # rows from the top
        cells = np.array([[x, y] for y in ys for x in xs], np.float32)  # (grid * grid, 2)
        images = infer.decode(net, cells)  # (grid * grid, D)
        confident = classifier.predict_proba(cnn, images).max(1) >= 0.9
        fractions.append(float(confident.mean()))
        grids.append(images)
        regions.append((float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])))
    plain, vae, pu = fractions
    checks = [Check(vae >= plain + 0.1, Msg("lessons.latent-holes.reads", vae=vae, plain=plain, umap=pu),
                    Msg("lessons.latent-holes.no_gain", vae=vae, plain=plain))]
    return _verdict(
        "latent-holes", {"kinds": list(HOLE_KINDS), "confident_fraction": fractions, "grid": grid},
        Msg("lessons.latent-holes.criterion"), Msg("lessons.latent-holes.finding"), checks,
        Msg("lessons.latent-holes.advice", note=_epochs_note(cfg)),
        {"grids": grids, "regions": regions, "image_shape": ds.image_shape})


@dataclass(frozen=True)
class Spec:
    """One lesson: the function that runs it and its data set. Its words are in the catalogue under
    its name (lessons.<name>.claim, .about, .quote), so each reader gets them in their language."""

    name: str
    run: Callable[..., Lesson]
    dataset: str = "mnist-5k"  # its data set by default; the page offers the others unless fixed
    fixed_dataset: bool = False  # True: the experiment is about this data set
    beyond_chapter: bool = False  # True: the chapter does not make this claim; its quote is the closest it comes

    @property
    def claim(self) -> str:
        """The chapter's claim, as the page's heading."""
        return t(f"lessons.{self.name}.claim")

    @property
    def about(self) -> str:
        """What the experiment does, in a few plain sentences."""
        return t(f"lessons.{self.name}.about")

    @property
    def quote(self) -> str:
        """The chapter's own sentence for the claim: verbatim in Portuguese (the chapter's language),
        translated in English (tests/test_experiments.py checks the Portuguese against the chapter)."""
        return t(f"lessons.{self.name}.quote")


LESSONS: dict[str, Spec] = {spec.name: spec for spec in [
    Spec("bottleneck", bottleneck),
    Spec("linear-vs-pca", linear_vs_pca),
    Spec("structure-vs-noise", structure_vs_noise),
    Spec("sparsity", sparsity),
    Spec("overcomplete", overcomplete),
    Spec("denoise-then-classify", denoise_then_classify),
    Spec("chapter-example", chapter_example, dataset="mnist-10x10", fixed_dataset=True),
    Spec("latent-holes", latent_holes, beyond_chapter=True),
]}


def run(name: str, **kwargs) -> Lesson:
    """Run the lesson `name` (one of LESSONS)."""
    if name not in LESSONS:
        raise ValueError(Msg("lessons.unknown", name=repr(name), valid=", ".join(LESSONS)))
    failures.check("lesson")
    return LESSONS[name].run(**kwargs)
