"""A trained model as two files and back: model.safetensors (the weights) and model.json (its
configuration and image shape). safetensors holds plain tensors, so loading never unpickles
anything: a weights file from a stranger cannot run code.
"""
from __future__ import annotations

import json

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors
from safetensors.torch import save as save_safetensors

from .config import ExperimentConfig
from .i18n import Joined, Msg
from .nets import models
from .tables import metrics_json

MODEL_FORMAT = "aeviz-model-1"  # the "format" tag of model.json


def model_bytes(model: torch.nn.Module) -> bytes:
    """The model's state_dict as safetensors bytes (CPU, contiguous)."""
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    return save_safetensors(tensors, metadata={"format": "pt", "aeviz": MODEL_FORMAT})


def config_json(cfg: ExperimentConfig, image_shape: tuple[int, int]) -> bytes:
    """model.json: cfg.to_dict() plus "image_shape" and "format", all load_model needs to rebuild."""
    d = {**cfg.to_dict(), "image_shape": [int(s) for s in image_shape], "format": MODEL_FORMAT}
    return metrics_json(d)


def _parse_config(config: bytes) -> tuple[ExperimentConfig, tuple[int, int]]:
    try:
        d = json.loads(config)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(Msg("weights.not_json", err=str(e))) from None
    if not isinstance(d, dict):
        raise ValueError(Msg("weights.not_object", kind=type(d).__name__))
    if d.get("format") != MODEL_FORMAT:
        raise ValueError(Msg("weights.wrong_format", found=repr(d.get("format")), expected=repr(MODEL_FORMAT)))
    shape = d.get("image_shape")
    if not (isinstance(shape, list) and len(shape) == 2 and all(isinstance(s, int) and s > 0 for s in shape)):
        raise ValueError(Msg("weights.bad_shape", shape=repr(shape)))
    rest = {k: v for k, v in d.items() if k not in ("format", "image_shape")}
    try:
        cfg = ExperimentConfig.from_dict(rest)
    except TypeError as e:
        raise ValueError(Msg("weights.bad_settings", err=str(e))) from None
    return cfg, (shape[0], shape[1])


def _check_state(state: dict, expected: dict, cfg: ExperimentConfig) -> None:
    """ValueError naming missing, unexpected and mis-shaped tensors."""
    missing, extra = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    wrong = [
        Msg("weights.wrong_shape", name=k, file=str(tuple(state[k].shape)), model=str(tuple(v.shape)))
        for k, v in expected.items()
        if k in state and state[k].shape != v.shape
    ]
    if missing or extra or wrong:
        raise ValueError(Msg("weights.misfit", kind=cfg.model.kind, k=str(cfg.model.latent_dim),
                             hidden=str(cfg.model.hidden), missing=str(missing), extra=str(extra),
                             wrong=Joined(wrong, ", ")))


def load_model(weights: bytes, config: bytes) -> tuple[torch.nn.Module, ExperimentConfig, tuple[int, int]]:
    """Rebuild a model from model.safetensors and model.json bytes; never unpickles anything.

    Returns (model in eval mode without gradients, cfg, image_shape). Raises ValueError naming the
    problem when the config is malformed or the weights do not fit the model it describes.
    """
    cfg, image_shape = _parse_config(config)
    with torch.random.fork_rng(devices=[]):  # build's random init must not disturb the caller's RNG
        model = models.build(cfg.model, image_shape)
    try:
        state = load_safetensors(bytes(weights))
    except SafetensorError as e:
        raise ValueError(Msg("weights.not_safetensors", err=str(e))) from None
    _check_state(state, model.state_dict(), cfg)
    model.load_state_dict(state, strict=True)
    return model.eval().requires_grad_(False), cfg, image_shape
