"""Tests for evaluate_generation() and evaluate_generation_per_condition()."""

import numpy as np
import pytest

from cvae.evaluation import (
    PER_CONDITION_METRICS,
    FractionEstimator,
    evaluate_generation,
    evaluate_generation_per_condition,
)

N_BANDS = 30
N_PER_CLUSTER = 5


def make_clustered_data(seed: int = 0):
    """Return real spectra and conditions in four condition clusters of N_PER_CLUSTER
    noisy linear mixtures each, the cluster conditions, the endmembers, and an nnls
    estimator fitted on separate exact mixtures."""
    rng = np.random.default_rng(seed)
    endmembers = rng.uniform(0.05, 0.6, size=(3, N_BANDS))
    centres = np.array([[1.0, 0.0, 0.0], [0.2, 0.5, 0.3], [0.0, 0.3, 0.7], [0.4, 0.4, 0.2]])
    real_conditions = np.repeat(centres, N_PER_CLUSTER, axis=0)
    real_spectra = real_conditions @ endmembers + rng.normal(
        0, 0.005, size=(len(real_conditions), N_BANDS)
    )
    training_fractions = rng.dirichlet([1.0, 1.0, 1.0], size=50)
    estimator = FractionEstimator("nnls").fit(training_fractions @ endmembers, training_fractions)
    return real_spectra, real_conditions, centres, endmembers, estimator


def neighbourhood_copies(real_spectra: np.ndarray) -> np.ndarray:
    """Generated spectra equal to each cluster's real spectra, shape (4, N_PER_CLUSTER, N_BANDS)."""
    return real_spectra.reshape(4, N_PER_CLUSTER, N_BANDS)


def test_evaluate_generation_returns_all_names():
    real_spectra, real_conditions, centres, _, estimator = make_clustered_data()

    report = evaluate_generation(
        real_spectra, real_conditions, centres, neighbourhood_copies(real_spectra), estimator
    )

    expected = set(PER_CONDITION_METRICS) | {
        "fraction_mae",
        "fraction_rmse",
        "fraction_mae_real",
        "fraction_rmse_real",
        "n_eval_conditions",
        "n_conditions_without_neighbours",
    }
    assert set(report) == expected
    assert all(isinstance(value, float) for value in report.values())


def test_evaluate_generation_perfect_copies():
    real_spectra, real_conditions, centres, _, estimator = make_clustered_data()
    generated = neighbourhood_copies(real_spectra)

    report = evaluate_generation(
        real_spectra, real_conditions, centres, generated, estimator, neighbourhood_k=5
    )

    assert report["mean_spectrum_rmse"] == 0.0
    assert report["energy_distance"] == 0.0
    assert report["mmd2_rbf"] == 0.0
    assert report["precision"] == 1.0
    assert report["recall"] == 1.0
    assert report["sam_mean_spectrum_rad"] == pytest.approx(0.0, abs=1e-7)
    assert report["n_eval_conditions"] == 4.0
    assert report["n_conditions_without_neighbours"] == 0.0
    # The generated spectra are the real ones, so both fraction errors coincide.
    assert report["fraction_mae"] == pytest.approx(report["fraction_mae_real"])
    assert report["fraction_rmse"] == pytest.approx(report["fraction_rmse_real"])
    assert report["fraction_mae"] < 0.05


def test_evaluate_generation_shift_equals_rmse():
    real_spectra, real_conditions, centres, _, estimator = make_clustered_data()
    perfect = evaluate_generation(
        real_spectra, real_conditions, centres, neighbourhood_copies(real_spectra), estimator
    )

    shifted = evaluate_generation(
        real_spectra, real_conditions, centres, neighbourhood_copies(real_spectra) + 0.05, estimator
    )

    assert shifted["mean_spectrum_rmse"] == pytest.approx(0.05)
    assert shifted["energy_distance"] > perfect["energy_distance"]
    assert shifted["mmd2_rbf"] > perfect["mmd2_rbf"]
    assert shifted["sam_mean_spectrum_rad"] > 0.0
    assert shifted["fraction_mae"] > perfect["fraction_mae"]
    assert shifted["fraction_mae_real"] == perfect["fraction_mae_real"]


def test_evaluate_generation_wrong_conditions_fraction_error():
    # Generating cluster 0's spectra (pure endmember 0) for every condition gives a known
    # fraction error: each row differs from [1, 0, 0] by |1 - a| + b + c = 2 (1 - a).
    real_spectra, real_conditions, centres, endmembers, estimator = make_clustered_data()
    generated = np.repeat(endmembers[None, :1, :], 4, axis=0)

    report = evaluate_generation(real_spectra, real_conditions, centres, generated, estimator)

    expected_mae = np.mean(np.abs(centres - np.array([1.0, 0.0, 0.0])))
    assert report["fraction_mae"] == pytest.approx(expected_mae, abs=1e-8)


def test_evaluate_generation_flat_matches_grouped():
    real_spectra, real_conditions, centres, _, estimator = make_clustered_data()
    rng = np.random.default_rng(1)
    grouped = neighbourhood_copies(real_spectra) + rng.normal(0, 0.01, (4, N_PER_CLUSTER, N_BANDS))
    # Flat rows in shuffled order, each with its condition.
    order = rng.permutation(4 * N_PER_CLUSTER)
    flat = grouped.reshape(-1, N_BANDS)[order]
    flat_conditions = np.repeat(centres, N_PER_CLUSTER, axis=0)[order]

    from_grouped = evaluate_generation(real_spectra, real_conditions, centres, grouped, estimator)
    from_flat = evaluate_generation(
        real_spectra,
        real_conditions,
        centres,
        flat,
        estimator,
        generated_conditions=flat_conditions,
    )

    assert from_flat.keys() == from_grouped.keys()
    for name, value in from_grouped.items():
        assert from_flat[name] == pytest.approx(value), name


def test_evaluate_generation_without_estimator_skips_fractions():
    real_spectra, real_conditions, centres, _, _ = make_clustered_data()

    report = evaluate_generation(
        real_spectra, real_conditions, centres, neighbourhood_copies(real_spectra)
    )

    assert "fraction_mae" not in report
    assert report["mean_spectrum_rmse"] == 0.0


def test_evaluate_generation_counts_conditions_without_neighbours():
    real_spectra, real_conditions, centres, _, estimator = make_clustered_data()
    far_conditions = np.vstack([centres[:1], [[0.0, 0.0, 5.0]]])
    generated = neighbourhood_copies(real_spectra)[:2]

    report = evaluate_generation(
        real_spectra,
        real_conditions,
        far_conditions,
        generated,
        estimator,
        neighbourhood_radius=0.01,
    )

    assert report["n_conditions_without_neighbours"] == 1.0
    assert report["mean_spectrum_rmse"] == 0.0
    assert report["precision"] == 1.0


def test_evaluate_generation_no_neighbours_all_nan():
    real_spectra, real_conditions, centres, _, _ = make_clustered_data()

    report = evaluate_generation(
        real_spectra,
        real_conditions,
        centres + 10.0,
        neighbourhood_copies(real_spectra),
        neighbourhood_radius=0.01,
    )

    for name in PER_CONDITION_METRICS:
        assert np.isnan(report[name]), name
    assert report["n_conditions_without_neighbours"] == 4.0


def test_evaluate_generation_per_condition_values():
    real_spectra, real_conditions, centres, _, _ = make_clustered_data()
    generated = neighbourhood_copies(real_spectra).copy()
    generated[2] += 0.02

    per_condition = evaluate_generation_per_condition(
        real_spectra, real_conditions, centres, generated
    )

    np.testing.assert_allclose(
        per_condition["mean_spectrum_rmse"].values, [0, 0, 0.02, 0], atol=1e-12
    )
    np.testing.assert_array_equal(per_condition["precision"].values[[0, 1, 3]], 1.0)


def test_evaluate_generation_rejects_nan_generated():
    real_spectra, real_conditions, centres, _, _ = make_clustered_data()
    generated = neighbourhood_copies(real_spectra).copy()
    generated[1, 2, 3] = np.nan

    with pytest.raises(ValueError, match=r"generated\[1\] contains 1 NaN"):
        evaluate_generation(real_spectra, real_conditions, centres, generated)
