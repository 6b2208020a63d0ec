import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import check_estimator

from aeviz.config import KINDS
from aeviz.estimator import AutoencoderTransformer


@pytest.mark.parametrize("params", [
    {},  # the defaults, as `AutoencoderTransformer()` is documented
    # The linear kind at 1e-2: on scikit-learn's unscaled check data two Adam steps of 2e-2 through
    # its wide identity layers blow the error up tenfold (the divergence guard's sign).
    *({"kind": kind, "epochs": 2, **({"lr": 1e-2} if kind == "linear" else {})} for kind in KINDS
      if kind != "denoising"),
    {"kind": "denoising", "noise": "gaussian", "epochs": 2},
    {"noise": "salt-and-pepper", "epochs": 2},
    {"activation": "tanh", "hidden": (32, 16), "epochs": 2},
], ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "defaults")
def test_passes_scikit_learn_check_estimator(params):
    """Every generic check passes, with the defaults and with every kind (array-API input is skipped
    by scikit-learn unless SCIPY_ARRAY_API is set); no expected failures are declared."""
    results = check_estimator(AutoencoderTransformer(**params), on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert not failed


def test_fit_transform_inverse_and_score(digits):
    est = AutoencoderTransformer(latent_dim=4, epochs=5).fit(digits.x_train)
    z = est.transform(digits.x_test)
    assert z.shape == (len(digits.x_test), 4) and z.dtype == digits.x_test.dtype
    x_hat = est.inverse_transform(z)
    np.testing.assert_allclose(x_hat, est.reconstruct(digits.x_test), atol=1e-5)
    assert est.score(digits.x_test) == pytest.approx(-np.mean((x_hat - digits.x_test) ** 2), rel=1e-4)
    assert list(est.get_feature_names_out()) == [f"autoencodertransformer{i}" for i in range(4)]
    assert est.image_shape_ == (8, 8) and est.n_epochs_ == 5 and len(est.history_["val_loss"]) == 5


def test_stands_where_pca_stands_in_a_pipeline(digits):
    pipe = make_pipeline(AutoencoderTransformer(latent_dim=16, epochs=15), LogisticRegression(max_iter=500))
    pipe.fit(digits.x_train, digits.y_train)
    assert pipe.score(digits.x_test, digits.y_test) > 0.8  # chance is 0.1


def test_unfitted_and_wrong_width_inputs_are_refused(digits):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        AutoencoderTransformer().transform(digits.x_test)
    est = AutoencoderTransformer(epochs=1).fit(digits.x_train[:100])
    with pytest.raises(ValueError, match="features"):
        est.transform(np.zeros((3, 10)))
    with pytest.raises(ValueError, match="codes of shape"):
        est.inverse_transform(np.zeros((3, 5)))
