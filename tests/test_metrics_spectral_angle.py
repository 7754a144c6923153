"""Known-answer tests for the spectral angle (SAM)."""

import numpy as np
import pytest

from cvae.evaluation import (
    mean_angle_to_reference_mean,
    mean_spectrum_angle,
    spectral_angle,
    spectral_angle_matrix,
    spectral_angle_per_condition,
)

# arccos resolves angles near 0 only to about sqrt(2 * float64 epsilon) = 2e-8 rad.
ANGLE_ATOL = 1e-7


def test_spectral_angle_orthogonal_is_half_pi():
    a = np.array([0.3, 0.0, 0.0, 0.5])
    b = np.array([0.0, 0.2, 0.7, 0.0])

    assert spectral_angle(a, b) == pytest.approx(np.pi / 2)


def test_spectral_angle_parallel_different_albedo_is_zero():
    rng = np.random.default_rng(0)
    dark = rng.uniform(0.01, 0.3, size=(8, 210))
    bright = dark * np.array([[2.0], [3.0], [0.5], [1.0], [10.0], [1.5], [1.01], [7.0]])

    angles = spectral_angle(dark, bright)

    assert angles.shape == (8,)
    np.testing.assert_allclose(angles, 0.0, atol=ANGLE_ATOL)


def test_spectral_angle_opposite_is_pi():
    a = np.array([0.1, -0.2, 0.3])

    assert spectral_angle(a, -2.0 * a) == pytest.approx(np.pi)


def test_spectral_angle_known_45_degrees():
    assert spectral_angle([1.0, 0.0], [1.0, 1.0]) == pytest.approx(np.pi / 4)


def test_spectral_angle_zero_vectors_not_nan():
    zero = np.zeros(5)
    nonzero = np.array([0.1, 0.2, 0.3, 0.4, 0.5])

    both_zero = spectral_angle(zero, zero)
    one_zero = spectral_angle(zero, nonzero)
    other_zero = spectral_angle(nonzero, zero)

    assert both_zero == 0.0
    assert one_zero == pytest.approx(np.pi / 2)
    assert other_zero == pytest.approx(np.pi / 2)


def test_spectral_angle_matrix_zero_rows_not_nan():
    a = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    b = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 0.0], [3.0, 0.0, 0.0]])

    angles = spectral_angle_matrix(a, b)

    expected = np.array([[0.0, np.pi / 2, np.pi / 2], [np.pi / 2, np.pi / 2, 0.0]])
    assert not np.isnan(angles).any()
    np.testing.assert_allclose(angles, expected, atol=ANGLE_ATOL)


def test_spectral_angle_matrix_matches_pairwise():
    rng = np.random.default_rng(1)
    a = rng.uniform(0, 1, size=(4, 30))
    b = rng.uniform(0, 1, size=(6, 30))

    matrix = spectral_angle_matrix(a, b)

    for i in range(4):
        np.testing.assert_allclose(matrix[i], spectral_angle(a[i], b), atol=1e-12)


def test_spectral_angle_extreme_magnitudes_keep_direction():
    # A sum of squares of 1e-170 underflows to 0 and of 1e200 overflows to inf. Neither
    # may turn into a zero vector or NaN.
    for scale in (1e-170, 1e200):
        a = np.array([scale, 0.0])
        b = np.array([scale, scale])

        assert spectral_angle(a, b) == pytest.approx(np.pi / 4)


def test_spectral_angle_rejects_band_mismatch():
    with pytest.raises(ValueError, match="band"):
        spectral_angle(np.ones(3), np.ones(4))


def test_spectral_angle_rejects_nan_input():
    with pytest.raises(ValueError, match="NaN"):
        spectral_angle(np.array([0.1, np.nan]), np.array([0.1, 0.2]))


def test_mean_angle_to_reference_mean_scaled_copies_zero():
    real = np.array([[0.1, 0.2, 0.3], [0.3, 0.6, 0.9]])
    generated = np.array([[0.2, 0.4, 0.6], [0.05, 0.1, 0.15], [1.0, 2.0, 3.0]])

    assert mean_angle_to_reference_mean(generated, real) == pytest.approx(0.0, abs=ANGLE_ATOL)


def test_mean_spectrum_angle_orthogonal_means():
    real = np.array([[1.0, 0.0], [3.0, 0.0]])
    generated = np.array([[0.0, 1.0], [0.0, 2.0]])

    assert mean_spectrum_angle(generated, real) == pytest.approx(np.pi / 2)


def test_spectral_angle_per_condition_known_values():
    real_spectra = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    real_conditions = np.array([[0.0], [0.1], [1.0]])
    eval_conditions = np.array([[0.0], [1.0]])
    generated = np.array([[[2.0, 0.0], [0.0, 1.0]], [[0.0, 5.0], [0.0, 0.5]]])

    result = spectral_angle_per_condition(
        real_spectra, real_conditions, eval_conditions, generated, k=1
    )

    np.testing.assert_allclose(result.values, [np.pi / 4, 0.0], atol=ANGLE_ATOL)
    assert result.mean == pytest.approx(np.pi / 8)
