"""When training has gone wrong, and what to try instead: the loop asks after every epoch."""
from __future__ import annotations

import math

import torch
from torch import nn

from ..config import TrainConfig
from ..i18n import Msg


class TrainingDiverged(RuntimeError):
    """The loss became non-finite or exploded; the message (a Msg) says how to fix it."""


def why_diverged(train_loss: float, val_loss: float, first_loss: float, model: nn.Module, spread: float,
                 pixels: bool) -> Msg | None:
    """Why training has diverged, or None if it has not.

    Three signs: a non-finite loss or weight; an error ten times the untrained net's (it blew up);
    or, for pixels in [0, 1], every validation digit decoding to the same image (spread ~0: the
    units died, typically after a huge Adam step, and the net no longer looks at its input). Targets
    outside [0, 1] saturate the sigmoid output to a constant legitimately: no sign there.
    """
    finite = math.isfinite(train_loss) and math.isfinite(val_loss)
    if not finite or not all(torch.isfinite(p).all() for p in model.parameters()):
        return Msg("train.loss_became", loss=train_loss)
    if val_loss > 10 * first_loss:
        return Msg("train.exploded", first=first_loss, last=val_loss)
    if pixels and spread < 1e-6:
        return Msg("train.units_died")
    return None


def lower_the_rate(lr: float) -> Msg:
    """Advice after a divergence: a rate ten times lower than the one that failed, and the default
    only where it is lower still."""
    default = TrainConfig().lr
    if default < lr / 10:
        return Msg("train.lower_rate_or_default", lr=lr, lower=lr / 10, default=default)
    return Msg("train.lower_rate", lr=lr, lower=lr / 10)
