"""Precision and recall of generated spectra with k-NN manifold estimates.

Following Kynkäänniemi et al. (2019), "Improved Precision and Recall Metric for Assessing
Generative Models": the manifold of a sample set is the union of balls centred on each
sample, each with the radius to that sample's k-th nearest neighbour within the set.
Precision is the share of generated spectra that lie inside the real manifold (are they
realistic?). Recall is the share of real spectra that lie inside the generated manifold
(does the model cover the real variety?). A point on a ball's boundary counts as inside,
so identical sets score 1 for both.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial.distance import cdist

from cvae.evaluation._arrays import as_matrix
from cvae.evaluation.neighbourhood import (
    DEFAULT_NEIGHBOURS,
    PerConditionMetric,
    find_neighbourhoods,
    per_condition_metrics,
)

DEFAULT_MANIFOLD_NEIGHBOURS = 3

# Query rows per block when testing manifold membership. The distance matrix held in
# memory is at most this many rows times the support size.
_QUERY_BLOCK_ROWS = 1024


def knn_radii(points: np.ndarray, k: int) -> np.ndarray:
    """Return each point's distance to its k-th nearest other point of the same set.

    A set of n <= k points uses its (n - 1)-th neighbour instead, and a single point has
    radius 0, so its ball contains only itself.

    Args:
        points: (n, n_bands) samples.
        k: neighbour rank, at least 1.

    Returns:
        (n,) float64 radii.
    """
    points = as_matrix(points, "points")
    rank = min(k, points.shape[0] - 1)
    if rank == 0:
        return np.zeros(1)
    distances = cdist(points, points)
    # The smallest entry of each row is the point's zero distance to itself, so the entry
    # of order `rank` is the distance to the rank-th nearest other point, duplicates included.
    return np.partition(distances, rank, axis=1)[:, rank]


def manifold_membership(queries: np.ndarray, support: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Return, for each query row, whether it lies within radii[j] of some support[j]."""
    inside = np.zeros(queries.shape[0], dtype=bool)
    for start in range(0, queries.shape[0], _QUERY_BLOCK_ROWS):
        block = queries[start : start + _QUERY_BLOCK_ROWS]
        inside[start : start + len(block)] = (cdist(block, support) <= radii[None, :]).any(axis=1)
    return inside


def precision_recall(
    real, generated, k: int = DEFAULT_MANIFOLD_NEIGHBOURS
) -> tuple[float, float]:
    """Return (precision, recall) of ``generated`` against ``real``, each in [0, 1].

    Args:
        real: (n_real, n_bands) real spectra.
        generated: (n_generated, n_bands) generated spectra.
        k: neighbour rank that sets the ball radii of both manifolds.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer neighbour rank, got {k!r}.")
    real = as_matrix(real, "real")
    generated = as_matrix(generated, "generated", n_columns=real.shape[1])
    precision = manifold_membership(generated, real, knn_radii(real, k)).mean()
    recall = manifold_membership(real, generated, knn_radii(generated, k)).mean()
    return float(precision), float(recall)


def precision_recall_per_condition(
    real_spectra,
    real_conditions,
    eval_conditions,
    generated,
    *,
    k: int = DEFAULT_NEIGHBOURS,
    radius: float | None = None,
    manifold_k: int = DEFAULT_MANIFOLD_NEIGHBOURS,
) -> tuple[PerConditionMetric, PerConditionMetric]:
    """Compute precision_recall() between each condition's generated spectra and its real
    neighbourhood.

    ``k`` and ``radius`` define the neighbourhood (see cvae.evaluation.neighbourhood) and
    ``manifold_k`` the ball radii. A neighbourhood of n <= manifold_k spectra uses rank
    n - 1 (see knn_radii()). Other arguments are as for
    cvae.evaluation.mean_spectrum.mean_spectrum_rmse_per_condition().

    Returns:
        (precision, recall) per condition.
    """
    neighbourhoods = find_neighbourhoods(real_conditions, eval_conditions, k=k, radius=radius)
    n_eval = len(neighbourhoods)

    def both(group: np.ndarray, real: np.ndarray) -> dict[str, float]:
        precision, recall = precision_recall(real, group, k=manifold_k)
        return {"precision": precision, "recall": recall}

    results = per_condition_metrics(real_spectra, neighbourhoods, generated, both)
    missing = PerConditionMetric(np.full(n_eval, np.nan))
    return results.get("precision", missing), results.get("recall", missing)
