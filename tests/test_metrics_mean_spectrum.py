"""Known-answer tests for the mean-spectrum RMSE."""

import numpy as np
import pytest

from cvae.evaluation import mean_spectrum_rmse, mean_spectrum_rmse_per_condition


def test_mean_spectrum_rmse_identical_sets_zero():
    rng = np.random.default_rng(0)
    spectra = rng.uniform(0, 1, size=(10, 50))

    assert mean_spectrum_rmse(spectra, spectra) == 0.0


def test_mean_spectrum_rmse_equals_constant_shift():
    rng = np.random.default_rng(1)
    real = rng.uniform(0, 0.5, size=(12, 40))

    for shift in (0.01, 0.05, 0.2):
        assert mean_spectrum_rmse(real + shift, real) == pytest.approx(shift)
        assert mean_spectrum_rmse(real - shift, real) == pytest.approx(shift)


def test_mean_spectrum_rmse_compares_means_not_samples():
    # Two generated spectra that straddle the real one have the real one as their mean.
    real = np.array([[0.2, 0.4]])
    generated = np.array([[0.1, 0.5], [0.3, 0.3]])

    assert mean_spectrum_rmse(generated, real) == pytest.approx(0.0, abs=1e-15)


def test_mean_spectrum_rmse_rejects_band_mismatch():
    with pytest.raises(ValueError, match="columns"):
        mean_spectrum_rmse(np.zeros((2, 3)), np.zeros((2, 4)))


def test_mean_spectrum_rmse_per_condition_shift_per_condition():
    # Two clusters of real conditions with distinct spectra. Each evaluation condition's
    # generated spectra are its cluster's spectra shifted by a known amount.
    rng = np.random.default_rng(2)
    n_bands = 30
    cluster_spectra = rng.uniform(0.1, 0.6, size=(2, n_bands))
    real_conditions = np.array([[1.0, 0.0]] * 5 + [[0.0, 1.0]] * 5)
    real_spectra = np.repeat(cluster_spectra, 5, axis=0)
    eval_conditions = np.array([[1.0, 0.0], [0.0, 1.0]])
    shifts = np.array([0.03, 0.1])
    generated = np.stack(
        [np.repeat(cluster_spectra[i : i + 1] + shifts[i], 4, axis=0) for i in range(2)]
    )

    result = mean_spectrum_rmse_per_condition(
        real_spectra, real_conditions, eval_conditions, generated, k=5
    )

    np.testing.assert_allclose(result.values, shifts)
    assert result.mean == pytest.approx(shifts.mean())
    assert result.n_missing == 0


def test_mean_spectrum_rmse_per_condition_accepts_ragged_groups():
    real_spectra = np.array([[0.1, 0.1], [0.5, 0.5]])
    real_conditions = np.array([[0.0], [1.0]])
    eval_conditions = np.array([[0.0], [1.0]])
    generated = [np.array([[0.2, 0.2]]), np.array([[0.5, 0.5], [0.5, 0.5], [0.5, 0.5]])]

    result = mean_spectrum_rmse_per_condition(
        real_spectra, real_conditions, eval_conditions, generated, k=1
    )

    np.testing.assert_allclose(result.values, [0.1, 0.0], atol=1e-15)


def test_mean_spectrum_rmse_per_condition_radius_leaves_nan():
    real_spectra = np.array([[0.1, 0.1], [0.5, 0.5]])
    real_conditions = np.array([[0.0], [1.0]])
    eval_conditions = np.array([[0.0], [3.0]])
    generated = np.array([[[0.1, 0.1]], [[0.5, 0.5]]])

    result = mean_spectrum_rmse_per_condition(
        real_spectra, real_conditions, eval_conditions, generated, k=2, radius=0.5
    )

    assert result.values[0] == 0.0
    assert np.isnan(result.values[1])
    assert result.n_missing == 1
    assert result.mean == 0.0


def test_mean_spectrum_rmse_per_condition_rejects_group_count():
    with pytest.raises(ValueError, match="one group per evaluation condition"):
        mean_spectrum_rmse_per_condition(
            np.zeros((3, 2)), np.zeros((3, 1)), np.zeros((2, 1)), np.zeros((3, 4, 2))
        )
