"""Known-answer tests for the fraction estimators and fraction-fidelity errors."""

import json

import numpy as np
import pytest

from cvae.evaluation import (
    FractionEstimator,
    fraction_errors,
    fraction_fidelity,
    normalise_fractions,
)

N_BANDS = 40


def make_linear_mixtures(n_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (endmembers (3, N_BANDS), fractions (n, 3), spectra (n, N_BANDS)) of exact
    linear mixtures."""
    rng = np.random.default_rng(seed)
    wavelengths = np.linspace(0, 1, N_BANDS)
    endmembers = np.stack(
        [
            0.05 + 0.45 * (wavelengths > 0.35),  # vegetation-like red edge
            0.15 + 0.35 * wavelengths,  # dry-vegetation-like ramp
            0.30 + 0.05 * np.sin(6 * wavelengths),  # bright, flat soil
        ]
    )
    fractions = rng.dirichlet([1.0, 1.0, 1.0], size=n_samples)
    return endmembers, fractions, fractions @ endmembers


def test_fraction_estimator_nnls_recovers_exact_mixtures():
    endmembers, fractions, spectra = make_linear_mixtures(60, seed=0)
    _, test_fractions, test_spectra = make_linear_mixtures(20, seed=1)

    estimator = FractionEstimator("nnls").fit(spectra, fractions)
    predicted = estimator.predict(test_spectra)

    np.testing.assert_allclose(estimator.endmembers, endmembers, atol=1e-10)
    np.testing.assert_allclose(predicted, test_fractions, atol=1e-8)


def test_fraction_estimator_nnls_pure_endmembers():
    endmembers, fractions, spectra = make_linear_mixtures(30, seed=2)

    predicted = FractionEstimator("nnls").fit(spectra, fractions).predict(endmembers)

    np.testing.assert_allclose(predicted, np.eye(3), atol=1e-8)


def test_fraction_estimator_nnls_sum_to_one_scales_brightness():
    # A spectrum twice as bright as a mixture unmixes to twice the abundances, which the
    # sum-to-one step scales back.
    _, fractions, spectra = make_linear_mixtures(30, seed=3)
    estimator = FractionEstimator("nnls").fit(spectra, fractions)
    raw = FractionEstimator("nnls", sum_to_one=False).fit(spectra, fractions)

    np.testing.assert_allclose(estimator.predict(2 * spectra[:5]), fractions[:5], atol=1e-8)
    np.testing.assert_allclose(raw.predict(2 * spectra[:5]), 2 * fractions[:5], atol=1e-8)


def test_fraction_estimator_ridge_near_exact_mixtures():
    _, fractions, spectra = make_linear_mixtures(200, seed=4)
    _, test_fractions, test_spectra = make_linear_mixtures(50, seed=5)

    estimator = FractionEstimator("ridge", alpha=1e-8).fit(spectra, fractions)
    predicted = estimator.predict(test_spectra)

    assert fraction_errors(predicted, test_fractions)["mae"] < 1e-3
    np.testing.assert_allclose(predicted.sum(axis=1), 1.0)
    assert predicted.min() >= 0.0
    assert predicted.max() <= 1.0


def test_fraction_estimator_ridge_cv_selects_grid_alpha():
    rng = np.random.default_rng(6)
    _, fractions, spectra = make_linear_mixtures(100, seed=6)
    noisy = spectra + rng.normal(0, 0.01, spectra.shape)

    estimator = FractionEstimator("ridge").fit(noisy, fractions)

    assert estimator.fitted_alpha in np.logspace(-6, 2, 17)
    assert fraction_errors(estimator.predict(noisy), fractions)["mae"] < 0.1


def test_fraction_estimator_ridge_clips_and_renormalises():
    _, fractions, spectra = make_linear_mixtures(100, seed=7)
    estimator = FractionEstimator("ridge", alpha=1e-8).fit(spectra, fractions)

    # Far outside the training range the linear model predicts values outside [0, 1].
    predicted = estimator.predict(5.0 * spectra[:10] - 1.0)

    assert predicted.min() >= 0.0
    assert predicted.max() <= 1.0
    np.testing.assert_allclose(predicted.sum(axis=1), 1.0)


@pytest.mark.parametrize("method", ["nnls", "ridge"])
def test_fraction_estimator_dict_round_trip(method):
    _, fractions, spectra = make_linear_mixtures(50, seed=8)
    estimator = FractionEstimator(method, alpha=0.01 if method == "ridge" else None)
    estimator.fit(spectra, fractions)

    state = json.loads(json.dumps(estimator.to_dict()))
    restored = FractionEstimator.from_dict(state)

    assert restored.method == method
    assert restored.n_bands == N_BANDS
    assert restored.n_conditions == 3
    np.testing.assert_array_equal(restored.predict(spectra), estimator.predict(spectra))


def test_fraction_estimator_from_dict_rejects_missing_keys():
    with pytest.raises(ValueError, match="endmembers"):
        FractionEstimator.from_dict({"method": "nnls", "sum_to_one": True, "alpha": None})


def test_fraction_estimator_rejects_unknown_method():
    with pytest.raises(ValueError, match="'pca'"):
        FractionEstimator("pca")


def test_fraction_estimator_predict_before_fit_raises():
    with pytest.raises(RuntimeError, match="not fitted"):
        FractionEstimator().predict(np.zeros((1, 3)))


def test_fraction_estimator_rejects_band_mismatch():
    _, fractions, spectra = make_linear_mixtures(10, seed=9)
    estimator = FractionEstimator().fit(spectra, fractions)

    with pytest.raises(ValueError, match=f"{N_BANDS} are expected"):
        estimator.predict(np.zeros((2, N_BANDS + 1)))


def test_normalise_fractions_clips_and_handles_zero_rows():
    fractions = np.array([[0.2, 0.2, 0.6], [-0.5, 0.5, 1.5], [-1.0, -1.0, 0.0], [0.4, 0.4, 1.2]])

    normalised = normalise_fractions(fractions)

    np.testing.assert_allclose(normalised[0], [0.2, 0.2, 0.6])
    np.testing.assert_allclose(normalised[1], [0.0, 0.25, 0.75])
    np.testing.assert_allclose(normalised[2], [1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(normalised[3], [0.2, 0.2, 0.6])


def test_fraction_errors_known_values():
    predicted = np.array([[0.5, 0.5], [1.0, 0.0]])
    requested = np.array([[0.5, 0.5], [0.0, 1.0]])

    errors = fraction_errors(predicted, requested)

    assert errors["mae"] == pytest.approx(0.5)
    assert errors["rmse"] == pytest.approx(np.sqrt(0.5))


def test_fraction_fidelity_exact_mixtures_zero():
    endmembers, fractions, spectra = make_linear_mixtures(40, seed=10)
    estimator = FractionEstimator("nnls").fit(spectra, fractions)
    eval_conditions = fractions[:4]
    generated = np.repeat((eval_conditions @ endmembers)[:, None, :], 3, axis=1)

    errors = fraction_fidelity(estimator, eval_conditions, generated)

    assert errors["mae"] == pytest.approx(0.0, abs=1e-8)
    assert errors["rmse"] == pytest.approx(0.0, abs=1e-8)


def test_fraction_fidelity_wrong_condition_known_error():
    endmembers, fractions, spectra = make_linear_mixtures(40, seed=11)
    estimator = FractionEstimator("nnls").fit(spectra, fractions)
    # Spectra of pure endmember 0 generated for a request of pure endmember 1: two of three
    # fractions are off by 1.
    eval_conditions = np.array([[0.0, 1.0, 0.0]])
    generated = np.repeat(endmembers[None, :1, :], 2, axis=1)

    errors = fraction_fidelity(estimator, eval_conditions, generated)

    assert errors["mae"] == pytest.approx(2 / 3, abs=1e-8)
    assert errors["rmse"] == pytest.approx(np.sqrt(2 / 3), abs=1e-8)
