"""Known-answer tests for energy distance and MMD²."""

import numpy as np
import pytest
from scipy.stats import energy_distance as scipy_energy_distance

from cvae.evaluation import (
    energy_distance,
    energy_distance_per_condition,
    median_heuristic_bandwidth,
    mmd2_rbf,
    mmd2_rbf_per_condition,
)


def random_spectra(n: int, seed: int, n_bands: int = 25) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0.0, 0.6, size=(n, n_bands))


def test_energy_distance_identical_sets_zero():
    spectra = random_spectra(15, seed=0)

    assert energy_distance(spectra, spectra) == 0.0


def test_energy_distance_point_masses_twice_distance():
    x = np.array([[0.1, 0.2, 0.3]])
    y = np.array([[0.4, 0.6, 0.3]])

    assert energy_distance(x, y) == pytest.approx(2 * 0.5)


def test_energy_distance_grows_with_shift():
    spectra = random_spectra(20, seed=1)

    distances = [energy_distance(spectra + shift, spectra) for shift in (0.0, 0.01, 0.05, 0.2, 1.0)]

    assert distances[0] == 0.0
    assert all(later > earlier for earlier, later in zip(distances, distances[1:]))


def test_energy_distance_large_shift_approaches_twice_offset():
    # Once the offset dwarfs the spread, E|X - Y| tends to the offset and the within-set
    # terms are fixed, so the distance tends to 2 * offset minus a constant.
    spectra = random_spectra(10, seed=2, n_bands=4)
    offset_direction = np.ones(4) / 2.0  # unit vector

    near = energy_distance(spectra + 100 * offset_direction, spectra)
    far = energy_distance(spectra + 200 * offset_direction, spectra)

    assert far - near == pytest.approx(200.0, rel=1e-4)


def test_energy_distance_matches_scipy_in_one_dimension():
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, 1.0, size=30)
    y = rng.normal(0.5, 2.0, size=17)

    # scipy returns the square root of the energy distance for 1-D samples.
    expected = scipy_energy_distance(x, y) ** 2

    assert energy_distance(x[:, None], y[:, None]) == pytest.approx(expected)


def test_energy_distance_symmetric():
    x = random_spectra(8, seed=4)
    y = random_spectra(11, seed=5)

    assert energy_distance(x, y) == pytest.approx(energy_distance(y, x))


def test_median_heuristic_bandwidth_known_value():
    # Pooled points 0, 1, 3: pair distances 1, 3, 2, median 2.
    assert median_heuristic_bandwidth(np.array([[0.0], [1.0]]), np.array([[3.0]])) == 2.0


def test_median_heuristic_bandwidth_ignores_zero_distances():
    # Pooled points 0, 0, 0, 4 have pair distances 0, 0, 0, 4, 4, 4. The non-zero median is 4.
    x = np.array([[0.0], [0.0], [0.0]])

    assert median_heuristic_bandwidth(x, np.array([[4.0]])) == 4.0
    assert median_heuristic_bandwidth(x, x) == 1.0


def test_mmd2_rbf_identical_sets_zero():
    spectra = random_spectra(12, seed=6)

    assert mmd2_rbf(spectra, spectra) == 0.0


def test_mmd2_rbf_point_masses_known_value():
    # For single points d apart the median heuristic gives sigma = d, so
    # MMD² = 1 + 1 - 2 exp(-d² / (2 d²)) = 2 - 2 exp(-1/2).
    x = np.array([[0.0, 0.0]])
    y = np.array([[0.3, 0.4]])

    assert mmd2_rbf(x, y) == pytest.approx(2 - 2 * np.exp(-0.5))
    assert mmd2_rbf(x, y, bandwidth=1.0) == pytest.approx(2 - 2 * np.exp(-0.25 / 2))


def test_mmd2_rbf_grows_with_shift_at_fixed_bandwidth():
    spectra = random_spectra(20, seed=7)

    values = [mmd2_rbf(spectra + shift, spectra, bandwidth=0.5) for shift in (0.0, 0.02, 0.1, 0.5)]

    assert values[0] == 0.0
    assert all(later > earlier for earlier, later in zip(values, values[1:]))
    assert values[-1] <= 2.0


def test_mmd2_rbf_rejects_non_positive_bandwidth():
    with pytest.raises(ValueError, match="bandwidth"):
        mmd2_rbf(np.zeros((2, 2)), np.ones((2, 2)), bandwidth=0.0)


def test_distribution_per_condition_identical_zero_and_shift_positive():
    rng = np.random.default_rng(8)
    real_spectra = rng.uniform(0.1, 0.5, size=(8, 10))
    real_conditions = np.array([[0.0]] * 4 + [[1.0]] * 4)
    eval_conditions = np.array([[0.0], [1.0]])
    # Condition 0 reproduces its neighbourhood exactly. Condition 1 is shifted by 0.1.
    generated = np.stack([real_spectra[:4], real_spectra[4:] + 0.1])

    energy = energy_distance_per_condition(
        real_spectra, real_conditions, eval_conditions, generated, k=4
    )
    mmd = mmd2_rbf_per_condition(real_spectra, real_conditions, eval_conditions, generated, k=4)

    assert energy.values[0] == 0.0
    expected_energy = energy_distance(real_spectra[4:] + 0.1, real_spectra[4:])
    assert energy.values[1] == pytest.approx(expected_energy)
    assert mmd.values[0] == 0.0
    assert mmd.values[1] > 0.0
