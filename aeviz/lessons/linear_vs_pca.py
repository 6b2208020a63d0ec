"""A linear autoencoder learns what PCA learns: the error ratio at the same k, and the principal
angles between the decoder's subspace and the top-k principal components."""
from __future__ import annotations

from .. import metrics
from ..i18n import Msg
from .planner import Lesson
from .recipes import Setting, ae_error, epochs_note, net, pca_error, steps
from .verdict import Check, judge

# Full-batch L-BFGS in float64: the last principal directions of digits differ by a few percent
# of variance, so the subspace is found only when the loss is minimised that precisely.
LINEAR_EXACT = steps(epochs=6, optimizer="lbfgs")


def nets(setting: Setting, k: int = 8) -> list:
    return [setting.net(net(kind="linear", latent_dim=k, hidden=()), LINEAR_EXACT)]


def measure(setting: Setting, trained: list, progress=None, k: int = 8):
    ds, [model], [planned] = setting.digits(), trained, nets(setting, k)
    ratio = ae_error(model, ds.x_test) / pca_error(ds, k)
    decoder = model.decoder[0].weight.detach().numpy()  # (D, k): the decoder's column space
    pcs = metrics.pca_components(ds.x_train, k)  # (D, k)
    angles = metrics.principal_angles_deg(decoder, pcs)
    largest, mean = float(angles.max()), float(angles.mean())
    checks = [
        Check(ratio <= 1.01, Msg("lessons.linear-vs-pca.ratio_ok", ratio=float(ratio)),
              Msg("lessons.linear-vs-pca.ratio_high", ratio=float(ratio))),
        Check(largest <= 5, Msg("lessons.linear-vs-pca.angle_ok", largest=largest, mean=mean),
              Msg("lessons.linear-vs-pca.angle_off", largest=largest)),
    ]
    return judge(
        "linear-vs-pca",
        {"k": k, "error_ratio": ratio, "max_principal_angle_deg": largest, "mean_principal_angle_deg": mean},
        Msg("lessons.linear-vs-pca.criterion"), Msg("lessons.linear-vs-pca.finding", k=k), checks,
        Msg("lessons.linear-vs-pca.advice", note=epochs_note(planned.train)),
        {"angles": angles, "decoder": decoder.T, "pca": pcs.T, "image_shape": ds.image_shape})


LESSON = Lesson("linear-vs-pca", nets, measure)
