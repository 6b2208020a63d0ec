import os
from pathlib import Path

import numpy as np
import pytest
from sklearn.decomposition import PCA

from aeviz import i18n, metrics, projections
from aeviz.estimator import AutoencoderTransformer

ROOT = Path(__file__).resolve().parents[1]


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


TWO_UMAPS = """
import sys, threading, time
import numpy as np
from aeviz import projections
umap = projections.import_umap()
inside, most = [0], [0]
count = threading.Lock()
fit_transform = umap.UMAP.fit_transform
def counted(self, *a, **k):
    with count:
        inside[0] += 1
        most[0] = max(most[0], inside[0])
    time.sleep(0.5)  # so two unserialised calls would surely overlap
    try:
        return fit_transform(self, *a, **k)
    finally:
        with count:
            inside[0] -= 1
umap.UMAP.fit_transform = counted
xs = [np.random.default_rng(i).random((800, 30)).astype(np.float32) for i in range(2)]
out = [None, None]
def run(i):
    out[i] = projections.project("umap", xs[i], seed=i)
threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
for t in threads: t.start()
for t in threads: t.join()
import numba
print(numba.threading_layer(), most[0], *[o.shape for o in out])
"""


def test_two_threads_run_umap_at_once_in_a_fresh_interpreter():
    """As two sessions' UMAPs would: in a fresh Python with nothing on LD_LIBRARY_PATH and no
    threading layer chosen by the environment. Both finish, and NUMBA_LOCK lets only one into
    umap-learn at a time. (Without the lock numba's workqueue layer can abort the whole process;
    that is a race, so the test checks the serialisation that prevents it, not the crash.)"""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "NUMBA_THREADING_LAYER")}
    env["PYTHONPATH"] = str(ROOT)
    run = subprocess.run([sys.executable, "-c", TWO_UMAPS], env=env, cwd=ROOT, text=True,
                         capture_output=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["workqueue", "1", "(800,", "2)", "(800,", "2)"]


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


def test_method_titles_in_each_language():
    assert {m: projections.title(m) for m in projections.PROJECTIONS} == {
        "autoencoder": "Autoencoder", "pca": "PCA", "umap": "UMAP", "tsne": "t-SNE"}
    token = i18n.use("pt")
    try:
        assert projections.title("tsne") == i18n.t("figures.method.tsne", "pt")
    finally:
        i18n._lang.reset(token)
    with pytest.raises(ValueError, match="unknown projection 'isomap'"):
        projections.title("isomap")
