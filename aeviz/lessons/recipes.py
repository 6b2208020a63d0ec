"""What several lessons share: their small nets and training, and the errors they compare."""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from sklearn.decomposition import PCA

from .. import data, metrics
from ..config import ClassifierConfig, DataConfig, ExperimentConfig, ModelConfig, NoiseConfig, TrainConfig
from ..i18n import Msg
from ..nets import infer


@dataclass(frozen=True)
class Setting:
    """What every lesson is run with: on which digits, with which seed, and the learner's epochs
    (None: each net's own), so a learner can starve a net and watch a claim fail."""

    dataset: str = "mnist-5k"
    seed: int = 0
    few_digits: bool = False  # 800 training and 300 held-out digits, with more epochs to make up
    epochs: int | None = None

    def data(self, name: str | None = None) -> DataConfig:
        """The DataConfig of this setting's digits (or of data set `name` with its seed and size)."""
        return DataConfig(name or self.dataset, self.seed, self.few_digits)

    def digits(self, name: str | None = None) -> data.Dataset:
        return data.of(self.data(name))

    def budget(self, cfg: TrainConfig) -> TrainConfig:
        """cfg with this setting's seed, and the learner's epochs where given."""
        return replace(cfg, seed=self.seed, **({} if self.epochs is None else {"epochs": int(self.epochs)}))

    def net(self, model: ModelConfig, train: TrainConfig, noise: NoiseConfig = NoiseConfig(),
            dataset: str | None = None) -> ExperimentConfig:
        """One autoencoder this lesson trains, as the training run it is."""
        return ExperimentConfig(self.data(dataset), noise, model, self.budget(train))

    def classifier(self, epochs: int) -> ClassifierConfig:
        """The lesson's CNN: the learner's epochs where given, else `epochs`."""
        return ClassifierConfig(self.data(), epochs if self.epochs is None else int(self.epochs), self.seed)

    def quick(self, few: int, full: int) -> int:
        """`few` epochs on few digits, `full` otherwise."""
        return few if self.few_digits else full


def net(**model) -> ModelConfig:
    """A lesson's autoencoder: one hidden layer of 256, no normalisation, unless the lesson says
    otherwise. Small on purpose: a sweep of a dozen nets fits in seconds, and each lesson's
    criterion was set for it (the app's default net is deeper; bench/maps.py compares them)."""
    return ModelConfig(**{"hidden": (256,), "norm": "none", **model})


def steps(**train) -> TrainConfig:
    """A lesson's training: minibatch Adam at a constant rate, unless the lesson says otherwise."""
    return TrainConfig(**{"batch_size": 64, "lr": 1e-3, "schedule": "constant", **train})


def ks(sizes) -> str:
    """Latent sizes as one parameter ("1, 2, 4"): whole numbers read the same in every language."""
    return ", ".join(map(str, sizes))


def pca_error(ds: data.Dataset, k: int) -> float:
    pca = PCA(min(k, ds.n_features), random_state=0).fit(ds.x_train)
    return metrics.reconstruction_error(ds.x_test, pca.inverse_transform(pca.transform(ds.x_test)))


def ae_error(model, x: np.ndarray) -> float:
    return metrics.reconstruction_error(x, infer.reconstruct(model, x))


def variance(x: np.ndarray) -> float:
    """The per-pixel variance of x (N, D): the error of predicting every image by the mean one."""
    return float(x.var(axis=0).mean())


def epochs_note(cfg: TrainConfig) -> Msg:
    return Msg("lessons.epochs_note.one" if cfg.epochs == 1 else "lessons.epochs_note.many", n=cfg.epochs)


def more_epochs(cfg: TrainConfig) -> Msg:
    """The advice of most lessons when their claim did not hold."""
    return Msg("lessons.advice.epochs", note=epochs_note(cfg))
