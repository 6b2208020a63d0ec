import pytest
import torch

from aeviz.config import KINDS, ModelConfig
from aeviz.nets import graph, models


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_maps_images_to_images(kind):
    torch.manual_seed(0)
    model = models.build(ModelConfig(kind=kind, latent_dim=3), (8, 8))
    x = torch.rand(5, 64)
    x_hat, z = model(x)
    assert x_hat.shape == (5, 64)
    width = models.code_width(ModelConfig(kind=kind, latent_dim=3), 64)
    assert z.shape == (5, 2 * width if kind == "variational" else width)  # a VAE: mean and log-variance
    assert model.encode(x).shape == (5, width)
    if kind != "linear":  # sigmoid output: pixels stay in [0, 1]
        assert 0 <= x_hat.min() and x_hat.max() <= 1


def test_overcomplete_code_is_wider_than_the_input():
    assert models.code_width(ModelConfig(kind="overcomplete", overcomplete_factor=2), 64) == 128


def test_linear_kind_is_affine():
    torch.manual_seed(0)
    model = models.build(ModelConfig(kind="linear", latent_dim=4, hidden=(16,)), (8, 8)).eval()
    a, b, zero = torch.rand(1, 64), torch.rand(1, 64), torch.zeros(1, 64)
    f = lambda x: model(x)[0]
    torch.testing.assert_close(f(a + b) - f(zero), (f(a) - f(zero)) + (f(b) - f(zero)), atol=1e-5, rtol=1e-4)


def test_sparse_kl_code_is_a_rate():
    model = models.build(ModelConfig(kind="sparse-kl", latent_dim=10), (8, 8))
    z = model.encode(torch.randn(4, 64) * 10)
    assert ((z > 0) & (z < 1)).all()


@pytest.mark.parametrize("shape", [(28, 28), (10, 10), (7, 9), (1, 3)])
def test_conv_takes_any_image_size(shape):
    """Sides are padded up to multiples of 4 inside the net and cropped from its output."""
    n = shape[0] * shape[1]
    model = models.build(ModelConfig(kind="conv", latent_dim=5), shape)
    x_hat, z = model(torch.rand(2, n))
    assert x_hat.shape == (2, n) and z.shape == (2, 5)
    # Every output pixel depends on the input (none is a constant padded cell); one digit: evaluation mode.
    model.eval()
    x = torch.rand(1, n, requires_grad=True)
    grads = torch.stack([torch.autograd.grad(model(x)[0][0, i], x)[0].abs().sum() for i in range(n)])
    assert (grads > 0).all()


def test_kl_penalty_is_zero_at_the_target_rate_and_positive_elsewhere():
    at_rho = torch.full((32, 6), 0.05)
    assert models.kl_sparsity(at_rho, 0.05).item() == pytest.approx(0.0, abs=1e-6)
    # KL(0.05 || 0.5) per unit, six units: a known value.
    expected = 6 * (0.05 * torch.log(torch.tensor(0.1)) + 0.95 * torch.log(torch.tensor(1.9)))
    assert models.kl_sparsity(torch.full((8, 6), 0.5), 0.05).item() == pytest.approx(expected.item(), rel=1e-5)


def test_config_rejects_bad_values_naming_valid_ones():
    with pytest.raises(ValueError, match="valid: undercomplete"):
        ModelConfig(kind="vae")
    with pytest.raises(ValueError, match="latent_dim"):
        ModelConfig(latent_dim=0)
    with pytest.raises(ValueError, match="rho"):
        ModelConfig(rho=1.5)


def test_umap_cross_entropy_rewards_near_neighbours_and_far_strangers():
    g = torch.Generator().manual_seed(0)
    head = torch.zeros(64, 2)
    near, far = torch.full((64, 2), 0.1), torch.full((64, 2), 5.0)
    a, b = 1.58, 0.9  # umap-learn's curve for min_dist 0.1
    # Attraction: a neighbour close by costs less than one far away.
    assert graph.umap_cross_entropy(head, near, a, b, 0, g) < graph.umap_cross_entropy(head, far, a, b, 0, g)
    # Repulsion alone: random pairs far apart cost less than pairs on top of each other.
    spread = torch.randn(64, 2, generator=g) * 10
    assert graph.umap_cross_entropy(spread, spread.roll(1, 0), a, b, 5, g) < \
        graph.umap_cross_entropy(torch.zeros(64, 2), torch.zeros(64, 2), a, b, 5, g)


def test_the_vae_kl_is_zero_at_the_prior_and_positive_elsewhere():
    prior = torch.zeros(8, 4)  # mean 0, log-variance 0
    assert models.gaussian_kl(prior).item() == pytest.approx(0.0, abs=1e-7)
    shifted = torch.cat([torch.ones(8, 2), torch.zeros(8, 2)], dim=1)  # mean 1 on both units, variance 1
    assert models.gaussian_kl(shifted).item() == pytest.approx(0.5 * 2, rel=1e-6)
