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
                 pixels: bool, mean_digit_loss: float | None = None) -> Msg | None:
    """Why training has diverged, or None if it has not.

    Three signs: a non-finite loss or weight; an error ten times the untrained net's (it blew up);
    or, for pixels in [0, 1], every validation digit decoding to the same image (spread ~0: the
    units died, typically after a huge Adam step, and the net no longer looks at its input). Targets
    outside [0, 1] saturate the sigmoid output to a constant legitimately: no sign there.
    A fourth where the loop passes mean_digit_loss (the error of answering the mean training digit
    for every input): an error no lower than that, so far into a run at a high rate, is a net that
    is stuck (at batch 128 a rate of 10 leaves it there with its units alive).
    """
    finite = math.isfinite(train_loss) and math.isfinite(val_loss)
    if not finite or not all(torch.isfinite(p).all() for p in model.parameters()):
        return Msg("train.loss_became", loss=train_loss)
    if val_loss > 10 * first_loss:
        return Msg("train.exploded", first=first_loss, last=val_loss)
    if pixels and spread < 1e-6:
        return Msg("train.units_died")
    if mean_digit_loss is not None and val_loss >= mean_digit_loss:
        return Msg("train.stuck", last=val_loss, mean=mean_digit_loss)
    return None


def stuck_check_epoch(epochs: int) -> int:
    """From which epoch of a run of `epochs` a net at a rate above the default must beat the mean
    digit: past the one-cycle warm-up (15% of the steps) with room to learn (30% of the run)."""
    return max(2, math.ceil(0.3 * epochs))


def lower_the_rate(lr: float) -> Msg:
    """Advice after a divergence: a rate ten times lower than the one that failed, and the default
    only where it is lower still."""
    default = TrainConfig().lr
    if default < lr / 10:
        return Msg("train.lower_rate_or_default", lr=lr, lower=lr / 10, default=default)
    return Msg("train.lower_rate", lr=lr, lower=lr / 10)
