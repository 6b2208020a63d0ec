"""Weights and config files: a safetensors round trip gives identical codes; tampering is refused."""
import json

import numpy as np
import pytest
import torch

from aeviz import weights as model_files
from aeviz.config import ExperimentConfig, ModelConfig, TrainConfig
from aeviz.nets import infer, loop


@pytest.fixture(scope="module")
def small(digits):
    return digits.x_train[:300], digits.x_test[:100], digits.image_shape


@pytest.mark.parametrize("kind", ["undercomplete", "conv"])
def test_safetensors_round_trip_gives_identical_codes(small, kind):
    x_tr, x_te, shape = small
    cfg = ExperimentConfig(model=ModelConfig(kind=kind, latent_dim=2, hidden=(32,)),
                           train=TrainConfig(epochs=2, device="cpu"))
    model = loop.fit(x_tr, x_te, shape, cfg.model, cfg.train).model
    weights, config = model_files.model_bytes(model), model_files.config_json(cfg, shape)
    assert not weights.startswith(b"\x80")  # not a pickle
    loaded, cfg2, shape2 = model_files.load_model(weights, config)
    assert cfg2 == cfg and shape2 == tuple(shape)
    assert not loaded.training and not any(p.requires_grad for p in loaded.parameters())
    assert np.array_equal(infer.encode(loaded, x_te), infer.encode(model, x_te))


def test_load_model_rejects_tampering_and_leaves_rng_alone(small):
    x_tr, x_te, shape = small
    cfg = ExperimentConfig(model=ModelConfig(latent_dim=2, hidden=(32,)), train=TrainConfig(epochs=1, device="cpu"))
    weights = model_files.model_bytes(loop.fit(x_tr, x_te, shape, cfg.model, cfg.train).model)
    good = json.loads(model_files.config_json(cfg, shape))
    expected = torch.manual_seed(1) and torch.rand(1)
    torch.manual_seed(1)
    model_files.load_model(weights, json.dumps(good).encode())
    assert torch.rand(1) == expected  # rebuilding did not consume the caller's random numbers
    bad = {**good, "model": {**good["model"], "latent_dim": 3}}
    with pytest.raises(ValueError, match="latent_dim=3.*wrong shapes"):
        model_files.load_model(weights, json.dumps(bad).encode())
    for broken, what in [({**good, "format": "other"}, "format"), ({**good, "image_shape": [8]}, "image_shape"),
                         ({**good, "model": {**good["model"], "depth": 3}}, "depth")]:
        with pytest.raises(ValueError, match=what):
            model_files.load_model(weights, json.dumps(broken).encode())
    with pytest.raises(ValueError, match="JSON"):
        model_files.load_model(weights, b"{not json")
    with pytest.raises(ValueError, match="safetensors"):
        model_files.load_model(b"garbage", json.dumps(good).encode())


@pytest.mark.parametrize("kind", ["variational", "parametric-umap", "conv"])
def test_every_new_kind_saves_and_loads_back(kind, digits):
    from aeviz import weights
    from aeviz.config import ExperimentConfig, ModelConfig, TrainConfig

    cfg = ExperimentConfig(model=ModelConfig(kind=kind, latent_dim=2, hidden=(32,)), train=TrainConfig(epochs=2))
    model = loop.fit(digits.x_train[:200], digits.x_test[:50], (8, 8), cfg.model, cfg.train).model
    back, cfg2, shape = weights.load_model(weights.model_bytes(model), weights.config_json(cfg, (8, 8)))
    assert cfg2 == cfg and shape == (8, 8)
    np.testing.assert_array_equal(infer.encode(back, digits.x_test[:20]), infer.encode(model, digits.x_test[:20]))
