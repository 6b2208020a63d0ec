"""AutoencoderTransformer: an autoencoder on scikit-learn's contract, over aeviz.nets.

It stands wherever PCA stands: `fit` / `transform` (codes) / `inverse_transform` (decoded images)
/ `score`, inside a Pipeline or a grid search. `__init__` only stores; fitted values end in `_`.
"""
from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, validate_data

from .config import ModelConfig, NoiseConfig, TrainConfig
from .nets import infer, loop, models

_M, _T = ModelConfig(), TrainConfig()  # the defaults: the app's, the CLI's and this class's are one


def _square_shape(n_features: int) -> tuple[int, int]:
    """(s, s) when n_features is a perfect square, else one row of pixels (1, n_features)."""
    s = int(round(n_features ** 0.5))
    return (s, s) if s * s == n_features else (1, n_features)


class AutoencoderTransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """An autoencoder as a scikit-learn transformer: a thin face over aeviz.nets, as scikit-learn's
    PCA is over its linear algebra. `fit` trains with nets.loop.fit; `transform`, `inverse_transform`
    and `reconstruct` are nets.infer's encode, decode and reconstruct.

    Parameters
    ----------
    latent_dim : int, default=2
        Width of the code (ignored by the overcomplete kind, whose code is twice the input).
    kind : str, default="undercomplete"
        One of aeviz.config.KINDS.
    hidden : tuple of int, default=(512, 256, 128)
        Encoder widths; the decoder mirrors them.
    activation : str, default="relu"
        Hidden non-linearity, one of aeviz.config.ACTIVATIONS.
    norm : {"batch", "none"}, default="batch"
        Batch normalisation after each hidden layer.
    epochs, batch_size, lr, schedule
        Training, as in aeviz.config.TrainConfig (30, 128, 2e-2, "one-cycle").
    noise : str, default="none"
        A corruption of the input during training (aeviz.config.NOISE_KINDS); the target stays clean.
    noise_level : float, default=0.3
        Sigma of Gaussian noise, or the share of pixels for salt-and-pepper and masking.
    l1_weight, beta, rho, vae_beta
        The penalties of the sparse-l1, sparse-kl and variational kinds (aeviz.config.ModelConfig).
    image_shape : (int, int) or None, default=None
        The images' (height, width); None: a square when n_features is one, else one row.
    validation_fraction : float, default=0.1
        Share of the rows held out to report `history_["val_loss"]` (only when that is at least 10
        rows; otherwise the training rows are the validation rows). The app trains on its whole
        training split and validates on the held-out digits instead: with the same rows,
        `validation_fraction=0` fits the same net as the app's path.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where to train; "auto" takes CUDA when torch sees a GPU.
    random_state : int or None, default=0
        Seeds the validation split, the initialisation, the batch order and the noise.

    Attributes
    ----------
    model_ : torch.nn.Module
        The trained autoencoder, in eval mode on the CPU.
    image_shape_ : (int, int)
        The image shape used.
    history_ : dict
        "train_loss" and "val_loss" (one float per epoch) and "seconds" of training.
    n_epochs_ : int
        Epochs run.
    n_features_in_ : int
        Number of features seen in `fit`.
    """

    def __init__(self, latent_dim=_M.latent_dim, *, kind=_M.kind, hidden=_M.hidden, activation=_M.activation,
                 norm=_M.norm, epochs=_T.epochs, batch_size=_T.batch_size, lr=_T.lr, schedule=_T.schedule,
                 noise="none", noise_level=0.3, l1_weight=_M.l1_weight, beta=_M.beta, rho=_M.rho,
                 vae_beta=_M.vae_beta, image_shape=None, validation_fraction=0.1, device="auto", random_state=0):
        self.latent_dim = latent_dim
        self.kind = kind
        self.hidden = hidden
        self.activation = activation
        self.norm = norm
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.schedule = schedule
        self.noise = noise
        self.noise_level = noise_level
        self.l1_weight = l1_weight
        self.beta = beta
        self.rho = rho
        self.vae_beta = vae_beta
        self.image_shape = image_shape
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state

    def _configs(self):
        seed = 0 if self.random_state is None else int(self.random_state)
        model = ModelConfig(kind=self.kind, latent_dim=int(self.latent_dim), hidden=tuple(self.hidden),
                            activation=self.activation, norm=self.norm, l1_weight=self.l1_weight, beta=self.beta,
                            rho=self.rho, vae_beta=self.vae_beta)
        fit_cfg = TrainConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, schedule=self.schedule,
                              seed=seed, device=self.device)
        return model, fit_cfg, NoiseConfig(kind=self.noise, level=self.noise_level), seed

    def fit(self, X, y=None, callback=None):
        """Train on X (n_samples, n_features). `callback` as in aeviz.nets.loop.fit. Returns self."""
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        model_cfg, fit_cfg, noise_cfg, seed = self._configs()
        shape = tuple(self.image_shape) if self.image_shape is not None else _square_shape(X.shape[1])
        if shape[0] * shape[1] != X.shape[1]:
            raise ValueError(f"image_shape {shape} does not match {X.shape[1]} features")
        x = X.astype(np.float32)
        if self.validation_fraction and len(x) * self.validation_fraction >= 10:
            x_tr, x_val = train_test_split(x, test_size=self.validation_fraction, random_state=seed)
        else:
            x_tr, x_val = x, x
        result = loop.fit(x_tr, x_val, shape, model_cfg, fit_cfg, noise_cfg, callback=callback)
        self.model_ = result.model
        self.image_shape_ = shape
        self.history_ = {"train_loss": result.train_loss, "val_loss": result.val_loss,
                         "seconds": result.seconds}
        self.n_epochs_ = result.epochs_run
        self._n_features_out = models.code_width(model_cfg, X.shape[1])
        return self

    def _validated(self, X):
        check_is_fitted(self, "model_")
        return validate_data(self, X, dtype=[np.float64, np.float32], reset=False)

    def transform(self, X):
        """The codes (n_samples, code width) of X, in X's float dtype."""
        X = self._validated(X)
        return infer.encode(self.model_, X, X.dtype)

    def inverse_transform(self, X):
        """Decode codes (n_samples, code width) back to images (n_samples, n_features)."""
        check_is_fitted(self, "model_")
        Z = np.asarray(X)
        Z = Z.astype(Z.dtype if Z.dtype in (np.float32, np.float64) else np.float64, copy=False)
        if Z.ndim != 2 or Z.shape[1] != self._n_features_out:
            raise ValueError(f"expected codes of shape (n, {self._n_features_out}), got {Z.shape}")
        return infer.decode(self.model_, Z, Z.dtype)

    def reconstruct(self, X):
        """inverse_transform(transform(X)) in one pass: (n_samples, n_features)."""
        X = self._validated(X)
        return infer.reconstruct(self.model_, X, X.dtype)

    def score(self, X, y=None):
        """Negative per-pixel mean squared reconstruction error: higher is better."""
        X = self._validated(X)
        return -float(np.mean((infer.reconstruct(self.model_, X, np.float64) - X) ** 2))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.non_deterministic = False
        return tags
