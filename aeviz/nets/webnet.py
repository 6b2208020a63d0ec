"""A decoder as plain layers, for the forward pass the page runs itself (aeviz/ui/webnet.js).

Decoding under the pointer has to answer every pointer move without the server, so the browser
gets the decoder's weights once and runs it. Why a forward pass of our own and not ONNX with
onnxruntime-web: every decoder here is at most a few dense layers, batch norms, activations and
two transposed convolutions; their forward pass is under 100 lines of JavaScript that decodes in
about a millisecond, where onnxruntime-web is ~10 MB of WebAssembly to ship and serve and a second
runtime to keep in step with torch. tests/test_webnet.py holds the page's pixels to `infer.decode`.

A spec is JSON: {"input": k, "output": D, "layers": [...]}, each layer a dict with "op" and its
arrays as base64 little-endian float32 (plotly's typed-array convention).
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json

import numpy as np
from torch import nn

_ACTS = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid", nn.GELU: "gelu", nn.Identity: "identity"}


def _f32(a) -> str:
    return base64.b64encode(np.ascontiguousarray(np.asarray(a, dtype="<f4")).tobytes()).decode("ascii")


def _linear(weight: np.ndarray, bias: np.ndarray) -> dict:
    """y = weight @ x + bias, weight (out, in)."""
    return {"op": "linear", "in": int(weight.shape[1]), "out": int(weight.shape[0]), "w": weight, "b": bias}


def _sequential(seq: nn.Sequential) -> list[dict]:
    """The layers of an nn.Sequential of Linear, BatchNorm1d (folded into the Linear before it: at
    evaluation it is an affine map), activations and ConvTranspose2d, in float64 until exported."""
    out: list[dict] = []
    for m in seq:
        if isinstance(m, nn.Linear):
            out.append(_linear(m.weight.detach().double().numpy(), m.bias.detach().double().numpy()))
        elif isinstance(m, nn.BatchNorm1d):
            prev = out[-1] if out else None
            if prev is None or prev["op"] != "linear":
                raise ValueError("a batch norm that does not follow a linear layer")
            scale = m.weight.detach().double().numpy() / np.sqrt(m.running_var.double().numpy() + m.eps)
            shift = m.bias.detach().double().numpy() - m.running_mean.double().numpy() * scale
            prev["w"], prev["b"] = prev["w"] * scale[:, None], prev["b"] * scale + shift
        elif type(m) in _ACTS:
            if _ACTS[type(m)] != "identity":
                out.append({"op": _ACTS[type(m)]})
        elif isinstance(m, nn.ConvTranspose2d):
            if m.dilation != (1, 1) or m.groups != 1:
                raise ValueError("only plain transposed convolutions are exported")
            out.append({"op": "conv_transpose", "in": m.in_channels, "out": m.out_channels,
                        "kernel": list(m.kernel_size), "stride": list(m.stride), "padding": list(m.padding),
                        "output_padding": list(m.output_padding), "w": m.weight.detach().double().numpy(),
                        "b": m.bias.detach().double().numpy()})
        else:
            raise ValueError(f"no browser forward pass for {type(m).__name__}")
    return out


def decoder_layers(model: nn.Module) -> tuple[int, list[dict]]:
    """(code width k, the decoder's layers) of any aeviz autoencoder (models.build)."""
    from . import models

    model = copy.deepcopy(model).cpu().eval()  # the shown model may be training elsewhere, or on a GPU
    if isinstance(model, models.ConvAutoencoder):
        c, h4, w4 = model._inner
        h, w = model.image_shape
        layers = (_sequential(model.decoder_dense) + [{"op": "reshape", "shape": [c, h4, w4]}]
                  + _sequential(model.decoder_conv) + [{"op": "crop", "shape": [h, w]}])
        return model.latent_dim, layers
    return model.latent_dim, _sequential(model.decoder)


def pca_layers(components: np.ndarray, mean: np.ndarray) -> tuple[int, list[dict]]:
    """PCA's way back to pixels, x = z @ components + mean (components (k, D)), as one linear layer."""
    components = np.asarray(components, np.float64)
    return components.shape[0], [_linear(components.T, np.asarray(mean, np.float64))]


def spec(k: int, layers: list[dict], n_outputs: int) -> dict:
    """The JSON-ready spec: arrays as base64 float32."""
    return {"input": int(k), "output": int(n_outputs),
            "layers": [{key: (_f32(v) if isinstance(v, np.ndarray) else v) for key, v in layer.items()}
                       for layer in layers]}


def decoder_spec(model: nn.Module, n_outputs: int) -> dict:
    return spec(*decoder_layers(model), n_outputs)


def to_json(s: dict) -> tuple[str, str]:
    """(the spec as JSON text, a short name for its content)."""
    text = json.dumps(s, separators=(",", ":"))
    return text, hashlib.blake2b(text.encode(), digest_size=10).hexdigest()

