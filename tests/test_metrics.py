"""Metrics against known answers and against the libraries they wrap."""
import numpy as np
import pytest
from scipy.stats import ortho_group
from sklearn.datasets import load_digits, make_blobs
from sklearn.metrics import mean_squared_error, silhouette_score

from aeviz import metrics


@pytest.fixture(scope="module")
def images():
    """200 of scikit-learn's 8x8 digits scaled to [0, 1]: (200, 64)."""
    return load_digits().data[:200] / 16.0


@pytest.fixture(scope="module")
def blobs():
    """Three well-separated Gaussian blobs in 10-D: (300, 10), labels (300,)."""
    return make_blobs(n_samples=300, n_features=10, centers=3, cluster_std=1.0, random_state=0)


# reconstruction error, PSNR, SSIM


def test_reconstruction_error_matches_sklearn_and_scales_by_d():
    rng = np.random.default_rng(0)
    x, x_hat = rng.random((50, 64)), rng.random((50, 64))
    per_pixel = metrics.reconstruction_error(x, x_hat)
    assert per_pixel == pytest.approx(mean_squared_error(x, x_hat))
    assert metrics.reconstruction_error(x, x_hat, per="image") == pytest.approx(per_pixel * 64)
    assert metrics.reconstruction_error(x, x_hat, per="image") == pytest.approx(((x - x_hat) ** 2).sum(1).mean())


def test_reconstruction_error_unknown_per_names_valid_values():
    x = np.zeros((2, 4))
    with pytest.raises(ValueError, match="'pixel', 'image'"):
        metrics.reconstruction_error(x, x, per="batch")


@pytest.mark.parametrize("offset", [0.01, 0.1, 0.2])
def test_psnr_of_constant_offset(images, offset):
    x = images * 0.7
    assert metrics.psnr(x, x + offset) == pytest.approx(10 * np.log10(1 / offset**2))


@pytest.mark.parametrize("data_range", [1.0, 255.0])
def test_psnr_equals_skimage_image_by_image(data_range):
    from skimage.metrics import peak_signal_noise_ratio

    rng = np.random.default_rng(2)
    a = rng.random((30, 64)) * data_range
    b = np.clip(a + rng.normal(0, 0.1 * data_range, a.shape), 0, data_range)
    ref = [peak_signal_noise_ratio(p, q, data_range=data_range) for p, q in zip(a, b)]
    for i in range(len(a)):  # image by image: the mean of one is that image's PSNR
        assert metrics.psnr(a[i:i + 1], b[i:i + 1], data_range=data_range) == pytest.approx(ref[i], rel=1e-12)
    assert metrics.psnr(a, b, data_range=data_range) == pytest.approx(np.mean(ref), rel=1e-12)


def test_psnr_of_identical_images_is_the_cap(images):
    assert metrics.psnr(images, images.copy()) == metrics.PSNR_CAP_DB
    half = images.copy()
    half[:100] += 0.1  # 20 dB on half the images, the cap on the other half
    assert metrics.psnr(images, half) == pytest.approx((20 + metrics.PSNR_CAP_DB) / 2)


def test_ssim_is_one_on_identical_images_and_falls_with_noise(images):
    assert metrics.ssim(images, images.copy(), (8, 8)) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    scores = [metrics.ssim(images, np.clip(images + s * rng.standard_normal(images.shape), 0, 1), (8, 8))
              for s in (0.05, 0.2, 0.5)]
    assert 1.0 > scores[0] > scores[1] > scores[2]


@pytest.mark.parametrize(("shape", "win"), [((8, 8), 7), ((10, 10), 7), ((28, 28), 7), ((5, 5), 5), ((6, 9), 5)])
def test_ssim_window_fits_small_images(shape, win):
    assert metrics._ssim_window(shape) == win
    x = np.random.default_rng(0).random((3, shape[0] * shape[1]))
    assert metrics.ssim(x, x, shape) == pytest.approx(1.0)


@pytest.mark.parametrize("shape", [(8, 8), (28, 28), (5, 5), (6, 9), (3, 4)])
@pytest.mark.parametrize("data_range", [1.0, 255.0])
def test_ssim_equals_skimage_image_by_image(shape, data_range):
    from skimage.metrics import structural_similarity

    rng = np.random.default_rng(1)
    a = rng.random((40, *shape)) * data_range
    b = np.clip(a + rng.normal(0, 0.2 * data_range, a.shape), 0, data_range)
    b[0] = a[0]  # identical
    b[1] = data_range - a[1]  # inverted
    # Flat grey with faint texture: E[x^2] - E[x]^2 cancels most of float32's digits unless centred.
    a[2] = data_range * (0.5 + 1e-3 * rng.random(shape))
    b[2] = a[2] + data_range * 1e-3 * rng.standard_normal(shape)
    win = metrics._ssim_window(shape)
    ref = [structural_similarity(p, q, data_range=data_range, win_size=win) for p, q in zip(a, b)]
    np.testing.assert_allclose(metrics.ssim_per_image(a, b, data_range=data_range), ref, rtol=0, atol=1e-5)
    mean = metrics.ssim(a.reshape(40, -1), b.reshape(40, -1), shape, data_range=data_range)
    assert mean == pytest.approx(np.mean(ref))


def test_ssim_rejects_an_image_shape_that_does_not_fit(images):
    with pytest.raises(ValueError, match="image_shape"):
        metrics.ssim(images, images, (10, 10))


# embeddings


def test_trustworthiness_of_itself_is_one_and_of_a_random_projection_lower():
    x = np.random.default_rng(0).standard_normal((150, 20))
    assert metrics.trustworthiness(x, x) == pytest.approx(1.0)
    projection = x @ np.random.default_rng(1).standard_normal((20, 2))  # (150, 2)
    assert metrics.trustworthiness(x, projection) < 0.95


def test_trustworthiness_clips_n_neighbors_for_few_points():
    x = np.random.default_rng(0).standard_normal((8, 3))
    assert metrics.trustworthiness(x, x, n_neighbors=15) == pytest.approx(1.0)


def test_knn_accuracy_is_perfect_on_separated_blobs_and_chance_on_random_labels(blobs):
    x, y = blobs
    assert metrics.knn_accuracy(x, y) == pytest.approx(1.0)
    rng = np.random.default_rng(0)
    points, labels = rng.standard_normal((900, 2)), rng.integers(0, 3, 900)
    assert metrics.knn_accuracy(points, labels) == pytest.approx(1 / 3, abs=0.07)


def test_knn_accuracy_is_seeded_and_copes_with_tiny_classes(blobs):
    x, y = blobs
    assert metrics.knn_accuracy(x, y, seed=3) == metrics.knn_accuracy(x, y, seed=3)
    tiny_x, tiny_y = np.arange(7.0)[:, None], np.array([0, 0, 0, 0, 0, 1, 1])  # smallest class: 2
    assert 0.0 <= metrics.knn_accuracy(tiny_x, tiny_y, n_neighbors=15) <= 1.0


def test_silhouette_matches_sklearn(blobs):
    x, y = blobs
    assert metrics.silhouette(x, y) == pytest.approx(silhouette_score(x, y))
    assert metrics.silhouette(x, y) > 0.7


def test_silhouette_samples_large_inputs_close_to_exact():
    x, y = make_blobs(n_samples=2500, n_features=2, centers=4, cluster_std=2.0, random_state=0)
    assert metrics.silhouette(x, y) == pytest.approx(silhouette_score(x, y), abs=0.02)
    assert metrics.silhouette(x, y) == metrics.silhouette(x, y)


def test_embedding_scores_are_the_three_numbers(blobs):
    x, y = blobs
    emb = x[:, :2]
    scores = metrics.embedding_scores(x, emb, y)
    assert scores == {"trustworthiness": metrics.trustworthiness(x, emb),
                      "knn_accuracy": metrics.knn_accuracy(emb, y),
                      "silhouette": metrics.silhouette(emb, y)}
    assert all(isinstance(v, float) for v in scores.values())


# subspaces


def test_principal_angles_of_a_rotated_basis_are_zero():
    basis = ortho_group.rvs(20, random_state=0)[:, :4]  # (20, 4) orthonormal
    mixed = basis @ np.random.default_rng(0).standard_normal((4, 4))  # same span, other basis
    np.testing.assert_allclose(metrics.principal_angles_deg(basis, mixed), 0.0, atol=1e-5)


def test_principal_angles_of_orthogonal_subspaces_are_ninety():
    eye = np.eye(6)
    np.testing.assert_allclose(metrics.principal_angles_deg(eye[:, :2], eye[:, 2:5]), [90.0, 90.0])


@pytest.mark.parametrize("t", [0.1, 0.7, 1.3])
def test_principal_angle_of_a_known_2d_case(t):
    e1 = np.array([[1.0], [0.0], [0.0]])
    turned = np.array([[np.cos(t)], [np.sin(t)], [0.0]])
    np.testing.assert_allclose(metrics.principal_angles_deg(e1, turned), [np.degrees(t)])


def test_principal_angles_are_ascending():
    basis = ortho_group.rvs(5, random_state=1)
    b = np.column_stack([basis[:, 0], np.cos(0.5) * basis[:, 1] + np.sin(0.5) * basis[:, 2]])
    angles = metrics.principal_angles_deg(basis[:, :2], b)
    np.testing.assert_allclose(angles, [0.0, np.degrees(0.5)], atol=1e-6)


def test_pca_components_span_the_top_directions():
    rng = np.random.default_rng(0)
    scales = np.array([10.0, 5.0, 1.0, 0.1, 0.1])  # variance sits in the first two axes
    comps = metrics.pca_components(rng.standard_normal((500, 5)) * scales, 2)
    assert comps.shape == (5, 2)
    np.testing.assert_allclose(comps.T @ comps, np.eye(2), atol=1e-10)
    assert metrics.principal_angles_deg(comps, np.eye(5)[:, :2]).max() < 2.0


# validation


@pytest.mark.parametrize("call", [
    lambda a, b: metrics.reconstruction_error(a, b),
    lambda a, b: metrics.psnr(a, b),
    lambda a, b: metrics.ssim(a, b, (4, 4)),
])
def test_image_metrics_reject_shape_mismatch_naming_both_shapes(call):
    with pytest.raises(ValueError, match=r"\(5, 16\) and \(4, 16\)"):
        call(np.zeros((5, 16)), np.zeros((4, 16)))


def test_inputs_must_be_finite_2d_with_matching_rows(blobs):
    x, y = blobs
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        metrics.psnr(bad, x)
    with pytest.raises(ValueError, match="2-D"):
        metrics.reconstruction_error(x[0], x[0])
    with pytest.raises(ValueError, match="rows"):
        metrics.trustworthiness(x, x[:-1, :2])
    with pytest.raises(ValueError, match="labels"):
        metrics.knn_accuracy(x, y[:-1])
    with pytest.raises(ValueError, match="labels"):
        metrics.silhouette(x, y[:, None])
    with pytest.raises(ValueError, match="same number of rows"):
        metrics.principal_angles_deg(np.eye(4)[:, :2], np.eye(5)[:, :2])
    with pytest.raises(ValueError, match="k must be"):
        metrics.pca_components(x, 0)


def test_image_scores_are_psnr_ssim_and_mse_at_once():
    rng = np.random.default_rng(3)
    x = rng.random((300, 64))
    x_hat = np.clip(x + rng.normal(0, 0.1, x.shape), 0, 1).astype(np.float32)  # a float32 row, as pages pass
    x_hat[0] = x[0]  # one perfect image: its PSNR is capped
    got = metrics.image_scores(x, x_hat, (8, 8))
    assert got["PSNR (dB)"] == metrics.psnr(x, x_hat)
    assert got["SSIM"] == metrics.ssim(x, x_hat, (8, 8))
    assert got["MSE"] == pytest.approx(metrics.reconstruction_error(x, x_hat), rel=1e-12)  # scikit-learn's
    with pytest.raises(ValueError, match="same shape"):
        metrics.image_scores(x, x_hat[:10], (8, 8))
    with pytest.raises(ValueError, match="image_shape"):
        metrics.image_scores(x, x_hat, (4, 4))


def test_the_latent_panels_knn_accuracy_is_the_benchs_figure_for_the_same_model_and_digits():
    """bench/maps.py scores a map with metrics.knn_accuracy on all held-out digits; the app's panel
    scores the viewed ones, which are all of them below VIEW_SIZE: the two figures are one."""
    from aeviz import analysis, data
    from aeviz.config import ModelConfig, TrainConfig
    from aeviz.nets import infer, loop

    ds = data.load("digits")
    assert len(ds.x_test) <= analysis.VIEW_SIZE
    model = loop.fit(ds.x_train[:400], ds.x_test, ds.image_shape, ModelConfig(hidden=(32,)),
                     TrainConfig(epochs=3)).model
    panel = analysis.latent_view(model, ds).scores["knn_accuracy"]
    assert panel == metrics.knn_accuracy(infer.encode(model, ds.x_test), ds.y_test)
