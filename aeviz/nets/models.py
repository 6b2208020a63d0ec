"""Autoencoders as torch modules: dense (and its linear variant), convolutional, and the sparsity
penalties that the sparse kinds add to the reconstruction loss.

Every model has `encode(x) -> z`, `decode(z) -> x_hat` and `forward(x) -> (x_hat, penalised)`, with x
as flat images (B, H*W) in [0, 1], so the training loop, the estimator and the UI treat them alike.
`penalised` is what the kind's penalty reads (loss_fn): the code z, or the VAE's mean and
log-variance; the code itself is always `encode(x)`.
"""
from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from ..config import ModelConfig

_ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "gelu": nn.GELU,
    "identity": nn.Identity,
}


def _hidden(widths: list[int], activation: str, norm: str = "none") -> list[nn.Module]:
    """A linear layer to each width after the first, each followed by a batch normalisation (when
    norm is "batch") and `activation`."""
    layers: list[nn.Module] = []
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        layers.append(nn.Linear(n_in, n_out))
        if norm == "batch":
            layers.append(nn.BatchNorm1d(n_out))
        layers.append(_ACTIVATIONS[activation]())
    return layers


def _mlp(widths: list[int], activation: str, last_activation: str, norm: str = "none") -> nn.Sequential:
    """Hidden layers (see _hidden) through `widths`, then a linear layer to the last width and
    `last_activation`."""
    return nn.Sequential(*_hidden(widths[:-1], activation, norm), nn.Linear(widths[-2], widths[-1]),
                         _ACTIVATIONS[last_activation]())


class DenseAutoencoder(nn.Module):
    """x (B, D) -> encoder widths hidden... -> code (B, latent_dim) -> mirrored decoder -> (B, D).

    `code_activation` shapes the code: identity for a plain bottleneck, sigmoid for the KL-sparse
    kind (its activations are firing rates in (0, 1)). `output_activation` is sigmoid for pixels in
    [0, 1]; the linear variant uses identity everywhere, which is what makes it equivalent to PCA.
    """

    def __init__(self, n_inputs: int, latent_dim: int, hidden=(256, 64), activation="relu",
                 code_activation="identity", output_activation="sigmoid", norm="none"):
        super().__init__()
        widths = [n_inputs, *hidden, latent_dim]
        self.encoder = _mlp(widths, activation, code_activation, norm)
        self.decoder = _mlp(widths[::-1], activation, output_activation, norm)
        self.latent_dim = latent_dim

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)  # (B, latent_dim)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (B, D)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = self.encode(x)  # (B, latent_dim)
        return self.decode(z), z

    def first_layer_weights(self) -> torch.Tensor:
        """The encoder's first weight matrix (units, D): each row drawn as an image is a feature."""
        return self.encoder[0].weight


class VariationalAutoencoder(nn.Module):
    """A VAE (Kingma & Welling, 2014): the encoder gives a Gaussian over codes, mean and log-variance
    (B, k) each; training decodes a sample of it (the reparameterisation trick: mean + sigma * eps,
    so gradients flow to both), evaluation its mean. `encode` is the mean.

    forward returns (x_hat, stats) with stats = [mean, log-variance] (B, 2k): what loss_fn needs for
    the KL term. The decoder mirrors the hidden widths, as in DenseAutoencoder.
    """

    def __init__(self, n_inputs: int, latent_dim: int, hidden=(256,), activation="relu", norm="none"):
        super().__init__()
        self.body = nn.Sequential(*_hidden([n_inputs, *hidden], activation, norm))  # (B, D) -> (B, last)
        last = hidden[-1] if hidden else n_inputs
        self.mean, self.log_var = nn.Linear(last, latent_dim), nn.Linear(last, latent_dim)
        self.decoder = _mlp([latent_dim, *hidden[::-1], n_inputs], activation, "sigmoid", norm)
        self.latent_dim = latent_dim

    def stats(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.body(x)  # (B, last hidden width)
        return self.mean(h), self.log_var(h).clamp(-12.0, 12.0)  # (B, k) each

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.stats(x)[0]  # (B, k): the mean

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (B, D)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, log_var = self.stats(x)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean) if self.training else mean  # (B, k)
        return self.decode(z), torch.cat([mean, log_var], dim=1)  # (B, D), (B, 2k)

    def first_layer_weights(self) -> torch.Tensor:
        return self.body[0].weight if len(self.body) else self.mean.weight


class ConvAutoencoder(nn.Module):
    """Two stride-2 convolutions down, a dense code, two transposed convolutions up.

    (B, H*W) -> (B, 1, H', W') -> (B, 16, H'/2, W'/2) -> (B, 32, H'/4, W'/4) -> code (B, latent_dim)
    and back, where H' and W' are H and W zero-padded up to multiples of 4 (the padding is cropped
    from the output), so any image size works: 28x28 MNIST, 8x8 digits, 10x10, a row of pixels.
    """

    def __init__(self, image_shape: tuple[int, int], latent_dim: int, activation="relu", channels=(16, 32),
                 norm: str = "none"):
        super().__init__()
        h, w = image_shape
        hp, wp = -(-h // 4) * 4, -(-w // 4) * 4  # padded up to multiples of 4
        c1, c2 = channels
        act = _ACTIVATIONS[activation]

        def bn(c: int) -> list[nn.Module]:  # batch norm after each hidden layer, as the dense kinds
            return [nn.BatchNorm2d(c)] if norm == "batch" else []

        self.image_shape = (h, w)
        self._pad = (0, wp - w, 0, hp - h)  # F.pad's order: left, right, top, bottom
        self._inner = (c2, hp // 4, wp // 4)
        n_inner = c2 * (hp // 4) * (wp // 4)
        self.encoder = nn.Sequential(
            nn.Conv2d(1, c1, 3, stride=2, padding=1), *bn(c1), act(),
            nn.Conv2d(c1, c2, 3, stride=2, padding=1), *bn(c2), act(),
            nn.Flatten(), nn.Linear(n_inner, latent_dim),
        )
        self.decoder_dense = nn.Sequential(nn.Linear(latent_dim, n_inner),
                                           *([nn.BatchNorm1d(n_inner)] if norm == "batch" else []), act())
        self.decoder_conv = nn.Sequential(
            nn.ConvTranspose2d(c2, c1, 3, stride=2, padding=1, output_padding=1), *bn(c1), act(),
            nn.ConvTranspose2d(c1, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
        )
        self.latent_dim = latent_dim

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(F.pad(x.view(-1, 1, *self.image_shape), self._pad))  # (B, latent_dim)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        inner = self.decoder_dense(z).view(-1, *self._inner)  # (B, c2, H'/4, W'/4)
        h, w = self.image_shape
        return self.decoder_conv(inner)[:, :, :h, :w].flatten(1)  # (B, H*W)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        z = self.encode(x)
        return self.decode(z), z

    def first_layer_weights(self) -> torch.Tensor:
        """The first convolution's kernels (c1, 9)."""
        return self.encoder[0].weight.flatten(1)


def code_width(cfg: ModelConfig, n_inputs: int) -> int:
    """The width of the code: the bottleneck, or factor x input size for the overcomplete kind."""
    if cfg.kind == "overcomplete":
        return max(1, int(math.ceil(cfg.overcomplete_factor * n_inputs)))
    return cfg.latent_dim


def _tied_orthogonal(net: DenseAutoencoder) -> DenseAutoencoder:
    """Random orthonormal encoder layers, each mirrored decoder layer its transpose: the net starts
    as a projection onto a random subspace. torch's default init makes the decoder-encoder product
    tiny, which for a linear net is a saddle point that gradient methods leave slowly."""
    enc = [m for m in net.encoder if isinstance(m, nn.Linear)]
    dec = [m for m in net.decoder if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for e, d in zip(enc, reversed(dec)):
            nn.init.orthogonal_(e.weight)  # (out, in), orthonormal rows or columns
            d.weight.copy_(e.weight.T)
    return net


def build(cfg: ModelConfig, image_shape: tuple[int, int]) -> nn.Module:
    """The module for a config; initialisation uses torch's global RNG (the caller seeds it)."""
    n_inputs = image_shape[0] * image_shape[1]
    k = code_width(cfg, n_inputs)
    if cfg.kind == "conv":
        return ConvAutoencoder(image_shape, k, cfg.activation, norm=cfg.norm)
    if cfg.kind == "linear":
        # Batch normalisation is an affine map at evaluation: the trained net stays linear.
        return _tied_orthogonal(DenseAutoencoder(n_inputs, k, cfg.hidden, "identity", "identity", "identity",
                                                 norm=cfg.norm))
    if cfg.kind == "overcomplete":
        # One wide hidden layer and nothing else: the textbook net that can learn the identity.
        return DenseAutoencoder(n_inputs, k, (), cfg.activation, "identity")
    if cfg.kind == "variational":
        return VariationalAutoencoder(n_inputs, k, cfg.hidden, cfg.activation, cfg.norm)
    code_act = "sigmoid" if cfg.kind == "sparse-kl" else "identity"
    return DenseAutoencoder(n_inputs, k, cfg.hidden, cfg.activation, code_act, norm=cfg.norm)


def kl_sparsity(z: torch.Tensor, rho: float, eps: float = 1e-6) -> torch.Tensor:
    """UFLDL's sparsity penalty: sum over code units of KL(rho || rho_hat_j), rho_hat_j = batch mean.

    z: (B, k) sigmoid activations in (0, 1). Written by hand: torch has no Bernoulli-KL of means.
    """
    rho_hat = z.mean(0).clamp(eps, 1 - eps)  # (k,)
    return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()


def l1_sparsity(z: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of the L1 norm of each code. z: (B, k)."""
    return z.abs().sum(1).mean()


def gaussian_kl(stats: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of KL(N(mean, var) || N(0, I)), summed over code units; stats (B, 2k) as
    VariationalAutoencoder.forward gives them. Written by hand: the closed form is one line, and
    torch.distributions would build two distribution objects per step for it."""
    mean, log_var = stats.chunk(2, dim=1)  # (B, k) each
    return (-0.5 * (1 + log_var - mean.pow(2) - log_var.exp()).sum(1)).mean()


def loss_fn(cfg: ModelConfig, x_hat: torch.Tensor, target: torch.Tensor, penalised: torch.Tensor | None,
            penalty: bool = True) -> torch.Tensor:
    """Per-pixel MSE, plus the kind's penalty (sparsity, or the VAE's KL term) when `penalty`.

    `penalised` is the second output of the model's forward: the code (B, k), or for the VAE its
    mean and log-variance side by side (B, 2k). The VAE's KL is divided by the number of pixels, as
    the MSE is averaged over them: vae_beta = 1 weighs the two as the evidence lower bound does (for
    a Gaussian likelihood of variance 1/2)."""
    loss = F.mse_loss(x_hat, target)
    if not penalty:
        return loss
    if cfg.kind == "sparse-l1":
        loss = loss + cfg.l1_weight * l1_sparsity(penalised)
    elif cfg.kind == "sparse-kl":
        loss = loss + cfg.beta * kl_sparsity(penalised, cfg.rho)
    elif cfg.kind == "variational":
        loss = loss + cfg.vae_beta * gaussian_kl(penalised) / x_hat.shape[1]
    return loss


def first_layer_weights(model: nn.Module):
    """The first layer's weights as a numpy array (units, fan_in): features to draw as images."""
    return model.first_layer_weights().detach().cpu().numpy()
