"""Corruptions: in range, float32, seeded, never in place, and of the promised strength."""
import numpy as np
import pytest

from aeviz import noise
from aeviz.config import NOISE_KINDS

KINDS = ("gaussian", "salt-and-pepper", "masking")


@pytest.fixture
def images():
    """(50, 28, 28) float64 images in [0, 1], some pixels exactly 0 and 1."""
    x = np.random.default_rng(7).random((50, 28, 28))
    x[:, :5] = 0.0
    x[:, -5:] = 1.0
    return x


def test_registry_matches_config():
    assert tuple(noise.NOISES) == NOISE_KINDS


@pytest.mark.parametrize("kind", KINDS + ("none",))
@pytest.mark.parametrize("level", [0.0, 0.3, 1.0])
def test_output_in_range_float32_same_shape_input_untouched(kind, level, images):
    before = images.copy()
    out = noise.corrupt(images, kind, level, seed=1)
    assert out.dtype == np.float32 and out.shape == images.shape
    assert out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_array_equal(images, before)
    assert not np.shares_memory(out, images)


@pytest.mark.parametrize("kind", KINDS)
def test_seeded(kind, images):
    a = noise.corrupt(images, kind, 0.3, seed=5)
    np.testing.assert_array_equal(a, noise.corrupt(images, kind, 0.3, seed=5))
    assert not np.array_equal(a, noise.corrupt(images, kind, 0.3, seed=6))


@pytest.mark.parametrize("kind", KINDS + ("none",))
def test_level_zero_changes_nothing(kind, images):
    np.testing.assert_allclose(noise.corrupt(images, kind, 0.0), images, atol=1e-7)


def test_masking_zeroes_about_p_of_the_pixels():
    ones = np.ones((200, 100))
    for p in (0.1, 0.5, 0.9):
        assert abs((noise.masking(ones, p, seed=0) == 0).mean() - p) < 0.01


def test_salt_and_pepper_sets_about_p_to_0_or_1_equally():
    grey = np.full((200, 100), 0.5)
    out = noise.salt_and_pepper(grey, 0.2, seed=0)
    assert abs((out != 0.5).mean() - 0.2) < 0.01
    assert set(np.unique(out)) == {0.0, 0.5, 1.0}
    assert abs((out == 1).mean() - (out == 0).mean()) < 0.01


def test_gaussian_residual_std_is_sigma_on_mid_grey():
    grey = np.full((200, 100), 0.5, dtype=np.float32)
    for sigma in (0.02, 0.1):  # 5+ sigma from the clipping bounds
        residual = noise.gaussian(grey, sigma, seed=0) - grey
        assert abs(residual.std() / sigma - 1) < 0.03
        assert abs(residual.mean()) < 0.1 * sigma


def test_gaussian_accepts_sigma_above_one():
    out = noise.gaussian(np.full(1000, 0.5), 3.0, seed=0)
    assert out.min() == 0.0 and out.max() == 1.0 and ((out == 0) | (out == 1)).mean() > 0.8


@pytest.mark.parametrize("kind, level, accepted", [
    ("gaussian", -0.1, ">= 0"), ("gaussian", float("nan"), ">= 0"), ("gaussian", float("inf"), ">= 0"),
    ("masking", 1.5, r"\[0, 1\]"), ("masking", -0.01, r"\[0, 1\]"),
    ("salt-and-pepper", 2.0, r"\[0, 1\]"), ("salt-and-pepper", float("nan"), r"\[0, 1\]"),
])
def test_invalid_levels_raise_naming_the_range(kind, level, accepted, images):
    with pytest.raises(ValueError, match=accepted):
        noise.corrupt(images, kind, level)


def test_unknown_kind_raises_naming_valid_ones(images):
    with pytest.raises(ValueError, match="unknown noise kind 'blur'.*gaussian, salt-and-pepper, masking"):
        noise.corrupt(images, "blur", 0.1)
