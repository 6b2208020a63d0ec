"""The page's own forward pass (aeviz/ui/webnet.js, run in headless Chromium) against the server's:
the decoder's pixels against `infer.decode`, the encoder's codes against `infer.encode`, every
stage's activations against torch's own (hooked), within 1e-4, for every kind of autoencoder, and
PCA's projection and inverse against scikit-learn's."""
import json

import numpy as np
import pytest
import torch
from browser import browser_page, find_chromium
from sklearn.decomposition import PCA

from aeviz.config import KINDS, ModelConfig
from aeviz.nets import infer, models, webnet
from aeviz.ui import linked

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="no Chromium found: browser tests skipped")

RUN = """([spec, codes]) => { const run = aevizNet(spec); return codes.map((z) => Array.from(run(z))); }"""
TRACE = """([spec, x]) => { const trace = []; aevizNet(spec)(x, trace);
  return trace.map((s) => ({ name: s.name, shape: s.shape, values: Array.from(s.values) })); }"""


def _settled(model: torch.nn.Module, shape, seed: int) -> torch.nn.Module:
    """model with batch norms that are not the identity: random running statistics and affine
    parameters, as training leaves them."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g))
                m.running_var.copy_(torch.rand(m.num_features, generator=g) * 2 + 0.1)
                m.weight.copy_(torch.randn(m.num_features, generator=g))
                m.bias.copy_(torch.randn(m.num_features, generator=g))
    return model.eval()


@pytest.fixture(scope="module")
def page():
    with browser_page(400, 300) as p:
        p.set_content("<!doctype html><title>webnet</title>")
        p.add_script_tag(content=linked.WEBNET_JS)
        yield p


def _page_decode(page, spec: dict, codes: np.ndarray) -> np.ndarray:
    return np.array(page.evaluate(RUN, [json.loads(webnet.to_json(spec)[0]), codes.tolist()]))


CASES = [(kind, (28, 28), "relu") for kind in KINDS] + [
    ("conv", (10, 10), "relu"),  # padded to 12x12, then cropped
    ("undercomplete", (8, 8), "gelu"), ("undercomplete", (8, 8), "tanh"), ("undercomplete", (8, 8), "sigmoid")]


@pytest.mark.parametrize("kind,shape,activation", CASES)
def test_the_page_decodes_as_the_server_does(page, kind, shape, activation):
    torch.manual_seed(0)
    cfg = ModelConfig(kind=kind, latent_dim=2, activation=activation, overcomplete_factor=1.25)
    model = _settled(models.build(cfg, shape), shape, seed=1)
    k = models.code_width(cfg, shape[0] * shape[1])
    codes = np.random.default_rng(0).normal(0, 2, (100, k)).astype(np.float32)
    ours = _page_decode(page, webnet.decoder_spec(model, shape[0] * shape[1]), codes)
    theirs = infer.decode(model, codes, dtype=np.float64)
    assert ours.shape == theirs.shape == (100, shape[0] * shape[1])
    assert np.abs(ours - theirs).max() < 1e-4
    assert theirs.std() > 1e-3  # the codes decode to different images: the comparison means something


@pytest.mark.parametrize("kind,shape,activation", CASES)
def test_the_page_encodes_as_the_server_does(page, kind, shape, activation):
    torch.manual_seed(0)
    cfg = ModelConfig(kind=kind, latent_dim=2, activation=activation, overcomplete_factor=1.25)
    model = _settled(models.build(cfg, shape), shape, seed=1)
    x = np.random.default_rng(0).uniform(0, 1, (100, shape[0] * shape[1])).astype(np.float32)
    ours = _page_decode(page, webnet.encoder_spec(model), x)
    theirs = infer.encode(model, x, dtype=np.float64)
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() < 1e-4
    assert theirs.std() > 1e-3


@pytest.mark.parametrize("kind,shape", [("undercomplete", (28, 28)), ("conv", (10, 10)), ("variational", (8, 8))])
def test_every_stage_the_page_draws_is_torchs_own(page, kind, shape):
    """The layer view's activations: each stage (name, shape, values) as torch's hooked module has it."""
    torch.manual_seed(0)
    model = _settled(models.build(ModelConfig(kind=kind, latent_dim=2), shape), shape, seed=2)
    x = np.random.default_rng(1).uniform(0, 1, (1, shape[0] * shape[1]))
    z = infer.encode(model, x, dtype=np.float64)
    for side, inputs, s in (("encoder", x, webnet.encoder_spec(model)),
                            ("decoder", z, webnet.decoder_spec(model, x.shape[1]))):
        ours = page.evaluate(TRACE, [json.loads(webnet.to_json(s)[0]), inputs[0].tolist()])
        theirs = webnet.stage_outputs(model, inputs, side)
        assert [o["name"] for o in ours] == [name for name, _ in theirs] and len(theirs) >= 2
        for o, (_, a) in zip(ours, theirs):
            assert o["shape"] == list(a.shape[1:])
            assert np.abs(np.array(o["values"]) - a[0].ravel()).max() < 1e-4


def test_the_page_projects_as_pca_does(page, digits):
    pca = PCA(n_components=2, random_state=0).fit(digits.x_train)
    ours = _page_decode(page, webnet.spec(*webnet.pca_forward_layers(pca.components_, pca.mean_), 2),
                        digits.x_test[:100])
    assert np.abs(ours - pca.transform(digits.x_test[:100])).max() < 1e-4


def test_the_page_inverts_pca_as_scikit_learn_does(page, digits):
    pca = PCA(n_components=2, random_state=0).fit(digits.x_train)
    codes = pca.transform(digits.x_test[:100])
    ours = _page_decode(page, webnet.spec(*webnet.pca_layers(pca.components_, pca.mean_), 64), codes)
    assert np.abs(ours - pca.inverse_transform(codes)).max() < 1e-4


def test_a_layer_without_a_forward_pass_is_named():
    with pytest.raises(ValueError, match="Dropout"):
        webnet._sequential(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout()))
