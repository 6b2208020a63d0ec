import numpy as np
import pytest
from sklearn.decomposition import PCA

from aeviz import metrics, projections
from aeviz.estimator import AutoencoderTransformer


def test_unknown_projection_names_the_valid_ones(digits):
    with pytest.raises(ValueError, match="valid: autoencoder, pca, umap, tsne"):
        projections.project("isomap", digits.x_test)


def test_pca_projection_is_sklearns(digits):
    got = projections.project("pca", digits.x_test)
    want = PCA(2, random_state=0).fit_transform(digits.x_test)
    np.testing.assert_allclose(np.abs(got), np.abs(want), atol=1e-4)


@pytest.mark.parametrize("method", ["umap", "tsne"])
def test_neighbour_embeddings_keep_neighbours(digits, method):
    x, y = digits.x_test[:300], digits.y_test[:300]
    emb = projections.project(method, x, seed=0)
    assert emb.shape == (300, 2) and emb.dtype == np.float32 and np.isfinite(emb).all()
    # Both keep local structure better than PCA does on digits.
    pca = projections.project("pca", x)
    assert metrics.trustworthiness(x, emb) > metrics.trustworthiness(x, pca)
    assert metrics.knn_accuracy(emb, y) > 0.8


def test_umap_is_seeded(digits):
    a = projections.project("umap", digits.x_test[:200], seed=3)
    b = projections.project("umap", digits.x_test[:200], seed=3)
    np.testing.assert_array_equal(a, b)


def test_threading_layer_is_thread_safe():
    import numba

    projections.import_umap()
    assert numba.config.THREADING_LAYER in projections.SAFE_LAYERS


def test_autoencoder_projection_reduces_wide_codes(digits):
    est = AutoencoderTransformer(latent_dim=8, epochs=3).fit(digits.x_train)
    emb = projections.project("autoencoder", digits.x_test, model=est, reduce="pca")
    codes = est.transform(digits.x_test)
    np.testing.assert_allclose(np.abs(emb), np.abs(PCA(2, random_state=0).fit_transform(codes)), atol=1e-3)
    fitted_here = projections.project("autoencoder", digits.x_test[:200], latent_dim=2, epochs=2)
    assert fitted_here.shape == (200, 2)


def test_codes_to_2d_keeps_2d_and_pads_1d():
    z2 = np.random.default_rng(0).normal(size=(10, 2)).astype(np.float32)
    np.testing.assert_array_equal(projections.codes_to_2d(z2), z2)
    z1 = z2[:, :1]
    assert projections.codes_to_2d(z1).shape == (10, 2)
    with pytest.raises(ValueError, match="reduce"):
        projections.codes_to_2d(np.zeros((10, 5)), reduce="lle")
