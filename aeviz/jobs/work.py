"""What the jobs run: module-level functions `fn(progress, *args)`, picklable so that a projection
process or a Ray worker can run them, and the wire form of a trained model.

`progress(fraction, message="", **record) -> bool` records progress and answers whether a stop was
asked for; a message is an aeviz.i18n.Msg, worded in the language of whoever shows it (it pickles
as its key and parameters). Results crossing a process boundary as Ray objects are plain data: a
trained model travels as safetensors bytes and its configuration as JSON, never as a pickled module.

Imports happen inside the functions: the projection process unpickles `project_points` by
importing this module, and should load neither torch nor streamlit.
"""
from __future__ import annotations

import os
import socket
from typing import TYPE_CHECKING

from ..i18n import Msg  # light: the standard library only

if TYPE_CHECKING:
    import numpy as np

    from .. import data, lessons
    from ..config import ClassifierConfig, ExperimentConfig, ProjectionConfig
    from ..nets import loop


def quiet(progress: float, message: str = "", **record) -> bool:
    """A progress callback that goes nowhere (work in the projection process reports no progress)."""
    return False


def train_model(progress, cfg: ExperimentConfig, ds: data.Dataset) -> loop.TrainResult:
    """Train cfg's autoencoder on ds, reporting every epoch; the viewed held-out codes are kept."""
    from .. import analysis

    n = cfg.train.epochs

    def on_epoch(epoch, tr, va, elapsed):
        left = elapsed / epoch * (n - epoch)
        msg = Msg("jobs.epoch", epoch=epoch, epochs=n, elapsed=elapsed, left=left)
        return progress(epoch / n, msg, epoch=epoch, train_loss=tr, val_loss=va, elapsed=elapsed)

    progress(0.0, Msg("jobs.training"))
    result = analysis.train_on(ds, cfg, callback=on_epoch)
    result.trained_in = {"host": socket.gethostname(), "pid": os.getpid()}
    return result


def pack_model(result: loop.TrainResult, cfg: ExperimentConfig, ds: data.Dataset) -> dict:
    """A TrainResult as plain data: weights as safetensors bytes, configuration as JSON."""
    from .. import weights

    return {"weights": weights.model_bytes(result.model), "config": weights.config_json(cfg, ds.image_shape),
            "train_loss": list(result.train_loss), "val_loss": list(result.val_loss), "seconds": result.seconds,
            "stopped_early": result.stopped_early, "codes_per_epoch": result.codes_per_epoch,
            "trained_in": result.trained_in}


def unpack_model(wire: dict) -> loop.TrainResult:
    from .. import weights
    from ..nets import loop

    model, _, _ = weights.load_model(wire["weights"], wire["config"])
    return loop.TrainResult(model=model, train_loss=wire["train_loss"], val_loss=wire["val_loss"],
                             seconds=wire["seconds"], stopped_early=wire["stopped_early"],
                             codes_per_epoch=wire["codes_per_epoch"], trained_in=wire["trained_in"])


def train_lesson_net(progress, planned) -> dict:
    """One planned net of a lesson (an ExperimentConfig or ClassifierConfig), trained here and
    packed as plain data."""
    from .. import data, lessons
    from ..config import ClassifierConfig
    from ..nets import loop

    net = lessons.train_net(planned)
    ds = data.of(planned.data)
    if isinstance(planned, ClassifierConfig):
        return pack_classifier(net, planned, ds)
    return pack_model(loop.TrainResult(model=net), planned, ds)


def train_classifier(progress, cfg: ClassifierConfig, ds: data.Dataset):
    """The lessons' CNN trained on ds's clean training digits (ds: cfg's data set, loaded by the
    caller, so an upload works too), in eval mode."""
    from ..nets import classifier

    progress(0.05, Msg("jobs.training_classifier"))
    return classifier.fit_classifier(ds.x_train, ds.y_train, ds.image_shape, epochs=cfg.epochs, seed=cfg.seed)


def pack_classifier(net, cfg: ClassifierConfig, ds: data.Dataset) -> dict:
    """A trained CNN as plain data: safetensors bytes and its shape (unpack_lesson_net reads it)."""
    from .. import weights

    return {"cnn": weights.model_bytes(net), "image_shape": ds.image_shape, "n_classes": net.head.out_features}


def unpack_lesson_net(wire: dict):
    """The net train_lesson_net packed: a classifier or an autoencoder, in eval mode."""
    if "cnn" not in wire:
        return unpack_model(wire).model
    from safetensors.torch import load as load_safetensors

    from ..nets import classifier

    net = classifier.SmallCNN(tuple(wire["image_shape"]), wire["n_classes"])
    net.load_state_dict(load_safetensors(wire["cnn"]), strict=True)
    return net.eval().requires_grad_(False)


def run_lesson(progress, name: str, kwargs: dict, train_many=None) -> lessons.Verdict:
    """lessons.run(name, **kwargs); `train_many` trains a lesson's nets (in parallel on Ray)."""
    from .. import lessons

    return lessons.run(name, progress=progress, **kwargs, **({"train_many": train_many} if train_many else {}))


def project_points(progress, method: str, x: np.ndarray, proj: ProjectionConfig) -> np.ndarray:
    """UMAP or t-SNE of x (N, D) with proj's settings -> (N, 2)."""
    from .. import projections

    progress(0.1, Msg("jobs.projecting", method=method))
    return projections.project_points(method, x, proj)


def place_points(progress, x: np.ndarray, emb: np.ndarray, new: np.ndarray, proj: ProjectionConfig) -> np.ndarray:
    """New digits (M, D) placed on the UMAP map emb (N, 2) of x -> (M, 2)."""
    from .. import projections

    progress(0.1, Msg("jobs.placing"))
    return projections.place_umap(x, emb, new, proj)
