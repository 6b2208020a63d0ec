"""Each lesson's claim, checked on a small budget (few_digits=True: 800 training digits)."""
import numpy as np
import pytest

from aeviz import experiments
from aeviz.figures.lessons import lesson_figures


def _run(name, **kw):
    seen = []
    les = experiments.run(name, few_digits=True, progress=lambda f, m: seen.append((f, m)), **kw)
    assert seen and all(0 <= f <= 1 for f, _ in seen)  # progress is reported
    assert les.name == name and isinstance(les.holds, bool) and les.criterion.startswith("Holds when")
    assert set(les.to_json()) == set(les.numbers) | {"holds", "criterion", "sentence"}
    assert les.sentence.startswith("The claim did not hold on this run") != les.holds
    figs = lesson_figures(les)
    assert figs and all(f.to_json() for f in figs)
    return les.numbers


def test_bottleneck_error_falls_with_width_and_linear_tracks_pca():
    n = _run("bottleneck", dataset="digits")
    assert n["latent_sizes"] == sorted(n["latent_sizes"])
    assert np.all(np.diff(n["pca_error"]) < 0)  # PCA's optimum: strictly better with more components
    ae = np.array(n["ae_error"])
    assert ae[-1] < 0.8 * ae[0] and np.all(ae[1:] < 1.05 * ae[:-1])  # falls, up to training noise
    ratio = np.array(n["linear_error"]) / np.array(n["pca_error"])
    assert np.all(ratio > 0.97) and np.all(ratio < 1.25)  # never below PCA's optimum by more than noise


def test_linear_autoencoder_matches_pca():
    n = _run("linear-vs-pca", dataset="digits")
    assert n["k"] == 8 and n["error_ratio"] < 1.05
    assert n["mean_principal_angle_deg"] < 15


def test_structure_compresses_and_noise_does_not():
    n = _run("structure-vs-noise", dataset="digits")
    assert n["digits_relative_error"] < 0.5 < 0.8 < n["noise_relative_error"]


def test_kl_sparsity_reaches_rho():
    n = _run("sparsity", dataset="digits")
    assert abs(n["mean_activation_sparse"] - n["rho"]) < 0.03
    assert n["mean_activation_plain"] > 3 * n["rho"]


def test_overcomplete_net_copies_noise_and_does_not_denoise():
    n = _run("overcomplete", dataset="digits")
    assert n["noise_error_overcomplete"] < n["noise_error_undercomplete"]
    assert n["denoise_psnr_denoising"] > n["denoise_psnr_overcomplete"]
    assert n["train_error_overcomplete"] < 0.02  # near zero: per-pixel MSE (few_digits budget)


def test_denoising_first_helps_the_classifier_at_sigma_half():
    n = _run("denoise-then-classify", dataset="digits")
    j = n["noise_levels"].index(0.5)
    assert n["accuracy_denoised"][j] > n["accuracy_noisy"][j]
    assert n["accuracy_clean"] > 0.8


def test_chapter_example_has_the_chapters_numbers():
    n = _run("chapter-example")
    assert (n["n_inputs"], n["n_hidden"]) == (100, 50)
    assert 0 < n["ae_error"] < 0.05 and 0 < n["pca_error"] < 0.05


def test_one_registry_names_every_lesson_and_its_figures():
    from aeviz.figures.lessons import BUILDERS

    assert list(BUILDERS) == list(experiments.LESSONS)
    assert all(spec.claim and spec.about and spec.run.__name__ == name.replace("-", "_")
               for name, spec in experiments.LESSONS.items())


def test_a_starved_linear_autoencoder_does_not_learn_pca_and_says_so():
    full = experiments.run("linear-vs-pca", few_digits=True)
    starved = experiments.run("linear-vs-pca", few_digits=True, epochs=1)
    assert full.holds and full.numbers["max_principal_angle_deg"] <= 5
    assert not starved.holds and starved.numbers["max_principal_angle_deg"] > 5
    assert starved.sentence != full.sentence and "1 epoch" in starved.sentence


def test_unknown_lesson_names_the_valid_ones():
    with pytest.raises(ValueError, match="valid: bottleneck, linear-vs-pca"):
        experiments.run("vae")


def test_latent_holes_are_read_by_the_cnn(monkeypatch):
    """The fractions come from the classifier's probabilities: one that is never sure reads nothing."""
    n = _run("latent-holes", dataset="digits", epochs=3)
    assert n["kinds"] == ["undercomplete", "variational", "parametric-umap"]
    assert len(n["confident_fraction"]) == 3 and all(0 <= f <= 1 for f in n["confident_fraction"])
    from aeviz import train

    monkeypatch.setattr(train, "predict_proba", lambda clf, x: np.full((len(x), 10), 0.1))
    unsure = experiments.run("latent-holes", dataset="digits", few_digits=True, epochs=3).numbers
    assert unsure["confident_fraction"] == [0.0, 0.0, 0.0]
