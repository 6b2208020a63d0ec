"""An encoder or a decoder as plain layers, for the forward pass the page runs itself (aeviz/ui/webnet.js).

Decoding under the pointer and encoding a digit while it is drawn have to answer every pointer move
without the server, so the browser gets the weights once and runs them. Why a forward pass of our
own and not ONNX with onnxruntime-web: every net here is at most a few dense layers, batch norms,
activations and two (transposed) convolutions; their forward pass is under 150 lines of JavaScript
that runs in about a millisecond, where onnxruntime-web is ~10 MB of WebAssembly to ship and serve
and a second runtime to keep in step with torch. tests/test_webnet.py holds the page's numbers to
`infer.encode` / `infer.decode` and to every stage's activations here (`stage_outputs`).

A spec is JSON: {"input": n, "output": m, "layers": [...]}, each layer a dict with "op" and its
arrays as base64 little-endian float32 (plotly's typed-array convention). A layer with "stage"
ends one of the stages the layer view draws (a linear or convolution with what follows it, up to
its activation); the page records the activations there.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import json

import numpy as np
import torch
from torch import nn

_ACTS = {nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid", nn.GELU: "gelu", nn.Identity: "identity"}
_ACT_NAMES = {nn.ReLU: "ReLU", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid", nn.GELU: "GELU"}


def _f32(a) -> str:
    return base64.b64encode(np.ascontiguousarray(np.asarray(a, dtype="<f4")).tobytes()).decode("ascii")


def _linear(weight: np.ndarray, bias: np.ndarray) -> dict:
    """y = weight @ x + bias, weight (out, in)."""
    return {"op": "linear", "in": int(weight.shape[1]), "out": int(weight.shape[0]), "w": weight, "b": bias}


def _conv(m: nn.Module, op: str) -> dict:
    if m.dilation != (1, 1) or m.groups != 1:
        raise ValueError("only plain convolutions are exported")
    out = {"op": op, "in": m.in_channels, "out": m.out_channels, "kernel": list(m.kernel_size),
           "stride": list(m.stride), "padding": list(m.padding), "w": m.weight.detach().double().numpy(),
           "b": m.bias.detach().double().numpy()}
    if op == "conv_transpose":
        out["output_padding"] = list(m.output_padding)
    return out


def _f64(t: torch.Tensor) -> np.ndarray:
    return t.detach().double().numpy()


def _sequential(seq: nn.Sequential, stages: list | None = None) -> list[dict]:
    """The layers of an nn.Sequential of Linear, BatchNorm1d (folded into the Linear before it: at
    evaluation it is an affine map), activations, Conv2d, ConvTranspose2d and Flatten, in float64
    until exported. Each activation ends a stage: its layer gets "stage" (the stage's name) and
    (module, name) goes to `stages`, so stage_outputs can hook the same module in torch."""
    out: list[dict] = []
    name: list[str] = []  # the stage being built, as words
    for m in seq:
        if isinstance(m, nn.Linear):
            out.append(_linear(_f64(m.weight), _f64(m.bias)))
            name = [f"Linear {m.in_features}→{m.out_features}"]
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            _fold_norm(out[-1] if out else None, m)
            name.append("BatchNorm")
        elif type(m) in _ACTS:
            if _ACTS[type(m)] != "identity":
                out.append({"op": _ACTS[type(m)]})
                name.append(_ACT_NAMES[type(m)])
            if out and name:
                _end_stage(out[-1], " · ".join(name), m, stages)
            name = []
        elif isinstance(m, nn.Conv2d):
            out.append(_conv(m, "conv2d"))
            name = [f"Conv {m.in_channels}→{m.out_channels}, {m.kernel_size[0]}×{m.kernel_size[1]} / {m.stride[0]}"]
        elif isinstance(m, nn.ConvTranspose2d):
            out.append(_conv(m, "conv_transpose"))
            name = [f"ConvTranspose {m.in_channels}→{m.out_channels}, {m.kernel_size[0]}×{m.kernel_size[1]} "
                    f"× {m.stride[0]}"]
        elif isinstance(m, nn.Flatten):
            out.append({"op": "flatten"})
        else:
            raise ValueError(f"no browser forward pass for {type(m).__name__}")
    if out and name:  # a last linear layer with no activation after it (the conv encoder's code)
        _end_stage(out[-1], " · ".join(name), seq[-1], stages)
    return out


def _fold_norm(prev: dict | None, m: nn.Module) -> None:
    """Fold a batch norm into the layer before it (per output unit or channel: y * scale + shift)."""
    axis = {"linear": 0, "conv2d": 0, "conv_transpose": 1}.get(prev["op"]) if prev else None
    if axis is None:
        raise ValueError("a batch norm that does not follow a linear or convolution layer")
    scale = _f64(m.weight) / np.sqrt(_f64(m.running_var) + m.eps)
    shift = _f64(m.bias) - _f64(m.running_mean) * scale
    shape = [1] * prev["w"].ndim
    shape[axis] = -1
    prev["w"], prev["b"] = prev["w"] * scale.reshape(shape), prev["b"] * scale + shift


def _end_stage(layer: dict, name: str, module: nn.Module, stages: list | None) -> None:
    layer["stage"] = name
    if stages is not None:
        stages.append((module, name))


def _copy(model: nn.Module) -> nn.Module:
    return copy.deepcopy(model).cpu().eval()  # the shown model may be training elsewhere, or on a GPU


def encoder_layers(model: nn.Module, stages: list | None = None) -> tuple[int, list[dict]]:
    """(input width D, the encoder's layers) of any aeviz autoencoder (models.build); the VAE's
    encoder gives its mean, as `encode` does."""
    from . import models

    if isinstance(model, models.ConvAutoencoder):
        (h, w), (_, right, _, bottom) = model.image_shape, model._pad
        layers = [{"op": "image", "shape": [h, w], "padded": [h + bottom, w + right]}]
        return h * w, layers + _sequential(model.encoder, stages)
    if isinstance(model, models.VariationalAutoencoder):
        mean = model.mean
        layers = _sequential(model.body, stages) + [_linear(_f64(mean.weight), _f64(mean.bias))]
        _end_stage(layers[-1], f"Linear {mean.in_features}→{mean.out_features} (mean)", mean, stages)
        return mean.in_features if not len(model.body) else model.body[0].in_features, layers
    return model.encoder[0].in_features, _sequential(model.encoder, stages)


def decoder_layers(model: nn.Module, stages: list | None = None) -> tuple[int, list[dict]]:
    """(code width k, the decoder's layers) of any aeviz autoencoder (models.build)."""
    from . import models

    if isinstance(model, models.ConvAutoencoder):
        c, h4, w4 = model._inner
        h, w = model.image_shape
        layers = (_sequential(model.decoder_dense, stages) + [{"op": "reshape", "shape": [c, h4, w4]}]
                  + _sequential(model.decoder_conv, stages) + [{"op": "crop", "shape": [h, w]}])
        return model.latent_dim, layers
    return model.latent_dim, _sequential(model.decoder, stages)


def stage_outputs(model: nn.Module, x: np.ndarray, side: str) -> list[tuple[str, np.ndarray]]:
    """torch's own activations at every stage of the encoder (side "encoder", x the inputs (N, D))
    or the decoder ("decoder", x the codes (N, k)), in float64: [(stage name, (N, ...) array)].
    The reference the page's stages are held to, and what the layer view's figure draws."""
    model = _copy(model).double()
    stages: list = []
    (encoder_layers if side == "encoder" else decoder_layers)(model, stages)
    seen: dict[int, np.ndarray] = {}
    hooks = [m.register_forward_hook(lambda mod, inp, out, i=i: seen.__setitem__(i, out.detach().numpy()))
             for i, (m, _) in enumerate(stages)]
    try:
        with torch.no_grad():
            t = torch.tensor(np.asarray(x), dtype=torch.float64)
            model.encode(t) if side == "encoder" else model.decode(t)
    finally:
        for h in hooks:
            h.remove()
    return [(name, seen[i]) for i, (_, name) in enumerate(stages)]


def pca_layers(components: np.ndarray, mean: np.ndarray) -> tuple[int, list[dict]]:
    """PCA's way back to pixels, x = z @ components + mean (components (k, D)), as one linear layer."""
    components = np.asarray(components, np.float64)
    return components.shape[0], [_linear(components.T, np.asarray(mean, np.float64))]


def pca_forward_layers(components: np.ndarray, mean: np.ndarray) -> tuple[int, list[dict]]:
    """PCA's projection, z = (x - mean) @ components.T, as one linear layer: (D, layers)."""
    components, mean = np.asarray(components, np.float64), np.asarray(mean, np.float64)
    return components.shape[1], [_linear(components, -components @ mean)]


def then_linear(layers: list[dict], weight: np.ndarray, bias: np.ndarray) -> list[dict]:
    """layers followed by y = weight @ x + bias: an encoder's code carried to a panel's axes (PCA of
    wider codes). Returns a new list."""
    return [*layers, _linear(np.asarray(weight, np.float64), np.asarray(bias, np.float64))]


def spec(k: int, layers: list[dict], n_outputs: int, **extra) -> dict:
    """The JSON-ready spec: arrays as base64 float32; `extra` (arrays too) rides along."""
    def encoded(v):
        return _f32(v) if isinstance(v, np.ndarray) else v

    return {"input": int(k), "output": int(n_outputs), **{key: encoded(v) for key, v in extra.items()},
            "layers": [{key: encoded(v) for key, v in layer.items()} for layer in layers]}


def decoder_spec(model: nn.Module, n_outputs: int) -> dict:
    return spec(*decoder_layers(_copy(model)), n_outputs)


def encoder_spec(model: nn.Module, then: tuple[np.ndarray, np.ndarray] | None = None, **extra) -> dict:
    """The encoder's spec; `then` (weight (m, k), bias (m,)): a linear map after the code (to a
    panel's axes); `extra` rides along (see spec)."""
    model = _copy(model)
    n, layers = encoder_layers(model)
    if then is not None:
        layers = then_linear(layers, *then)
    return spec(n, layers, int(model.latent_dim if then is None else len(then[1])), **extra)


def to_json(s: dict) -> tuple[str, str]:
    """(the spec as JSON text, a short name for its content)."""
    text = json.dumps(s, separators=(",", ":"))
    return text, hashlib.blake2b(text.encode(), digest_size=10).hexdigest()
