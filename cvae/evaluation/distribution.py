"""Distances between the distribution of generated spectra and that of real spectra.

Both estimators are V-statistics: the within-set averages include each sample paired
with itself. That makes them non-negative and exactly 0 for identical sets, at the price
of a small positive bias for small sets. Memory and time grow with n_x * n_y, because
the full pairwise distance matrices are built.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist, pdist

from cvae.evaluation._arrays import as_matrix
from cvae.evaluation.neighbourhood import (
    DEFAULT_NEIGHBOURS,
    PerConditionMetric,
    find_neighbourhoods,
    per_condition_metric,
)


def _as_pair(x, y) -> tuple[np.ndarray, np.ndarray]:
    x = as_matrix(x, "x")
    return x, as_matrix(y, "y", n_columns=x.shape[1])


def energy_distance(x, y) -> float:
    """Return the energy distance 2 E|X - Y| - E|X - X'| - E|Y - Y'| with Euclidean norms.

    This is Székely's energy distance itself, in the units of the inputs (reflectance).
    Its square root is a metric, and scipy.stats.energy_distance returns that square root
    for 1-D samples. Two point masses at distance d are 2 d apart.

    Args:
        x: (n_x, n_bands) samples.
        y: (n_y, n_bands) samples.
    """
    x, y = _as_pair(x, y)
    between = cdist(x, y).mean()
    within_x = cdist(x, x).mean()
    within_y = cdist(y, y).mean()
    # Non-negative in exact arithmetic. Clip the rounding error of identical sets.
    return float(max(2.0 * between - within_x - within_y, 0.0))


def median_heuristic_bandwidth(x, y) -> float:
    """Return the median heuristic RBF bandwidth for comparing ``x`` with ``y``.

    The bandwidth is the median of the non-zero Euclidean distances between all pairs of
    distinct points of the pooled sample x ∪ y. If every distance is zero, all points
    coincide, MMD² is 0 for any bandwidth, and 1.0 is returned.
    """
    x, y = _as_pair(x, y)
    distances = pdist(np.concatenate([x, y]))
    distances = distances[distances > 0]
    if distances.size == 0:
        return 1.0
    return float(np.median(distances))


def mmd2_rbf(x, y, bandwidth: float | None = None) -> float:
    """Return the squared maximum mean discrepancy (MMD²) with a Gaussian RBF kernel.

    The kernel is k(a, b) = exp(-|a - b|² / (2 sigma²)) and the estimate is
    mean k(X, X') + mean k(Y, Y') - 2 mean k(X, Y), which lies in [0, 2] and has no unit.

    Args:
        x: (n_x, n_bands) samples.
        y: (n_y, n_bands) samples.
        bandwidth: sigma in the units of the inputs, or None for
            median_heuristic_bandwidth(x, y).
    """
    x, y = _as_pair(x, y)
    if bandwidth is None:
        bandwidth = median_heuristic_bandwidth(x, y)
    if not bandwidth > 0:
        raise ValueError(f"bandwidth must be a positive distance or None, got {bandwidth!r}.")
    scale = 2.0 * bandwidth**2

    def mean_kernel(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.exp(-cdist(a, b, "sqeuclidean") / scale).mean())

    value = mean_kernel(x, x) + mean_kernel(y, y) - 2.0 * mean_kernel(x, y)
    # Non-negative in exact arithmetic, because it is a squared norm.
    return max(value, 0.0)


def energy_distance_per_condition(
    real_spectra,
    real_conditions,
    eval_conditions,
    generated,
    *,
    k: int = DEFAULT_NEIGHBOURS,
    radius: float | None = None,
) -> PerConditionMetric:
    """Compute energy_distance() between each condition's generated spectra and its real
    neighbourhood. Arguments are as for
    cvae.evaluation.mean_spectrum.mean_spectrum_rmse_per_condition().
    """
    neighbourhoods = find_neighbourhoods(real_conditions, eval_conditions, k=k, radius=radius)
    return per_condition_metric(real_spectra, neighbourhoods, generated, energy_distance)


def mmd2_rbf_per_condition(
    real_spectra,
    real_conditions,
    eval_conditions,
    generated,
    *,
    k: int = DEFAULT_NEIGHBOURS,
    radius: float | None = None,
    bandwidth: float | None = None,
) -> PerConditionMetric:
    """Compute mmd2_rbf() between each condition's generated spectra and its real
    neighbourhood.

    With ``bandwidth=None`` every condition gets its own median heuristic bandwidth, so
    values of different conditions measure discrepancy at different length scales.
    Other arguments are as for
    cvae.evaluation.mean_spectrum.mean_spectrum_rmse_per_condition().
    """
    neighbourhoods = find_neighbourhoods(real_conditions, eval_conditions, k=k, radius=radius)

    def metric(group: np.ndarray, real: np.ndarray) -> float:
        return mmd2_rbf(group, real, bandwidth=bandwidth)

    return per_condition_metric(real_spectra, neighbourhoods, generated, metric)
