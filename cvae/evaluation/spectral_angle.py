"""Spectral angle (SAM) between spectra, in radians.

The angle between two spectra a and b is arccos(a·b / (|a| |b|)), with the cosine clipped
to [-1, 1] so that rounding never produces NaN. Scaling a spectrum by a positive factor
(a brighter or darker target of the same shape) leaves its angle unchanged. The angle
between a zero vector and itself is 0 and between a zero vector and any non-zero vector
is pi/2, so no input yields NaN. Angles range over [0, pi], and values above pi/2 occur
only when spectra contain negative values. In float64, arccos resolves angles near 0 only
to about 2e-8 rad, so parallel spectra can return such a value instead of exactly 0.
"""

from __future__ import annotations

import numpy as np

from cvae.evaluation._arrays import as_matrix, check_finite
from cvae.evaluation.neighbourhood import (
    DEFAULT_NEIGHBOURS,
    PerConditionMetric,
    find_neighbourhoods,
    per_condition_metric,
)


def _unit_vectors(spectra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return spectra scaled to unit norm along the last axis and the mask of zero vectors.

    Zero vectors stay zero. Dividing by the largest absolute value first keeps the sum of
    squares from underflowing for very small spectra or overflowing for very large ones.
    """
    peaks = np.max(np.abs(spectra), axis=-1, keepdims=True)
    is_zero = peaks == 0
    scaled = np.divide(spectra, peaks, out=np.zeros_like(spectra), where=~is_zero)
    norms = np.linalg.norm(scaled, axis=-1, keepdims=True)
    units = np.divide(scaled, norms, out=np.zeros_like(spectra), where=~is_zero)
    return units, is_zero[..., 0]


def _angles_from_units(
    cosines: np.ndarray, a_is_zero: np.ndarray, b_is_zero: np.ndarray
) -> np.ndarray:
    angles = np.arccos(np.clip(cosines, -1.0, 1.0))
    # Zero vectors have no direction, so these two rules are a convention of this module.
    angles = np.where(a_is_zero != b_is_zero, np.pi / 2, angles)
    return np.where(a_is_zero & b_is_zero, 0.0, angles)


def spectral_angle(a, b) -> np.ndarray:
    """Compute the spectral angle between matched spectra, in radians.

    The last axis is the band axis and the leading axes broadcast, so (n, n_bands)
    against (n, n_bands) gives n angles of matched pairs, and (n, n_bands) against
    (n_bands,) gives the angle of each row to one reference spectrum.

    Returns:
        float64 array of the broadcast leading shape, values in [0, pi].
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.ndim == 0 or b.ndim == 0 or a.shape[-1] != b.shape[-1]:
        raise ValueError(
            f"Spectra must share the last (band) axis, got shapes {a.shape} and {b.shape}."
        )
    check_finite(a, "a")
    check_finite(b, "b")
    a_units, a_is_zero = _unit_vectors(a)
    b_units, b_is_zero = _unit_vectors(b)
    cosines = np.sum(a_units * b_units, axis=-1)
    return _angles_from_units(cosines, a_is_zero, b_is_zero)


def spectral_angle_matrix(a, b) -> np.ndarray:
    """Compute the spectral angle between every row of ``a`` and every row of ``b``.

    Args:
        a: (n_a, n_bands) spectra.
        b: (n_b, n_bands) spectra.

    Returns:
        (n_a, n_b) float64 angles in radians.
    """
    a = as_matrix(a, "a")
    b = as_matrix(b, "b", n_columns=a.shape[1])
    a_units, a_is_zero = _unit_vectors(a)
    b_units, b_is_zero = _unit_vectors(b)
    cosines = a_units @ b_units.T
    return _angles_from_units(cosines, a_is_zero[:, None], b_is_zero[None, :])


def mean_angle_to_reference_mean(generated, real) -> float:
    """Return the mean spectral angle between each generated spectrum and the mean real
    spectrum, in radians.

    Args:
        generated: (n_generated, n_bands) spectra.
        real: (n_real, n_bands) spectra whose mean is the reference.
    """
    generated = as_matrix(generated, "generated")
    real = as_matrix(real, "real", n_columns=generated.shape[1])
    return float(spectral_angle(generated, real.mean(axis=0)).mean())


def mean_spectrum_angle(generated, real) -> float:
    """Return the spectral angle between the mean generated and the mean real spectrum."""
    generated = as_matrix(generated, "generated")
    real = as_matrix(real, "real", n_columns=generated.shape[1])
    return float(spectral_angle(generated.mean(axis=0), real.mean(axis=0)))


def spectral_angle_per_condition(
    real_spectra,
    real_conditions,
    eval_conditions,
    generated,
    *,
    k: int = DEFAULT_NEIGHBOURS,
    radius: float | None = None,
) -> PerConditionMetric:
    """Compute mean_angle_to_reference_mean() for every evaluation condition.

    The reference for condition c is the mean real spectrum of c's neighbourhood (see
    cvae.evaluation.neighbourhood). Arguments are as for
    cvae.evaluation.mean_spectrum.mean_spectrum_rmse_per_condition().
    """
    neighbourhoods = find_neighbourhoods(real_conditions, eval_conditions, k=k, radius=radius)
    return per_condition_metric(
        real_spectra, neighbourhoods, generated, mean_angle_to_reference_mean
    )
