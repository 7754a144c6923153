"""Real-data neighbourhoods of evaluation conditions and per-condition metric results.

A generative model is asked for spectra at an evaluation condition c, but the real data
rarely contains c exactly, or contains it only once. Every per-condition metric therefore
compares the spectra generated for c with the real spectra of c's neighbourhood: the
``k`` real samples whose condition vectors are nearest to c in Euclidean distance, ties
broken by row order. With ``radius`` set, neighbours farther than ``radius`` are dropped,
so a condition can end up with fewer than ``k`` neighbours or none. A condition without
neighbours gets NaN for every per-condition metric and is left out of the averages.

Conditions are compared unscaled. When they mix units (cover fractions and a water
content index, say), scale the columns before calling these functions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial.distance import cdist

from cvae.evaluation._arrays import as_generated_groups, as_matrix

logger = logging.getLogger(__name__)

DEFAULT_NEIGHBOURS = 5


@dataclass(frozen=True)
class PerConditionMetric:
    """One metric value per evaluation condition.

    Attributes:
        values: (n_eval_conditions,) float64, NaN where the condition has no real
            neighbourhood.
    """

    values: np.ndarray

    @property
    def mean(self) -> float:
        """Mean over the conditions that have a neighbourhood, or NaN if none has."""
        finite = self.values[np.isfinite(self.values)]
        if finite.size == 0:
            return float("nan")
        return float(finite.mean())

    @property
    def n_missing(self) -> int:
        """Number of conditions without a real neighbourhood."""
        return int(np.isnan(self.values).sum())


def find_neighbourhoods(
    real_conditions,
    eval_conditions,
    k: int = DEFAULT_NEIGHBOURS,
    radius: float | None = None,
) -> list[np.ndarray]:
    """Find the real rows that form each evaluation condition's neighbourhood.

    Args:
        real_conditions: (n_real, n_conditions) conditions of the real spectra.
        eval_conditions: (n_eval, n_conditions) evaluation conditions.
        k: number of nearest real conditions to keep. A ``k`` above n_real keeps all rows.
        radius: if given, the maximum Euclidean distance in condition space of a neighbour.

    Returns:
        One int array of real row indices per evaluation condition, nearest first. An
        array is empty when no real condition lies within ``radius``.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer number of neighbours, got {k!r}.")
    if radius is not None and not radius >= 0:
        raise ValueError(f"radius must be a non-negative distance or None, got {radius!r}.")
    real = as_matrix(real_conditions, "real_conditions")
    targets = as_matrix(eval_conditions, "eval_conditions", n_columns=real.shape[1])

    n_kept = min(int(k), real.shape[0])
    # (n_eval, n_real) distances. A stable sort makes ties resolve to the lower row index.
    distances = cdist(targets, real)
    order = np.argsort(distances, axis=1, kind="stable")[:, :n_kept]

    neighbourhoods = []
    for row, indices in enumerate(order):
        if radius is not None:
            indices = indices[distances[row, indices] <= radius]
        neighbourhoods.append(indices)
    return neighbourhoods


def per_condition_metrics(
    real_spectra,
    neighbourhoods: Sequence[np.ndarray],
    generated,
    metrics: Callable[[np.ndarray, np.ndarray], Mapping[str, float]],
) -> dict[str, PerConditionMetric]:
    """Apply ``metrics(generated_group, real_neighbourhood_spectra)`` to every condition.

    Args:
        real_spectra: (n_real, n_bands) real reflectance spectra.
        neighbourhoods: one index array per evaluation condition, as returned by
            find_neighbourhoods().
        generated: (n_eval, n_per_condition, n_bands) array, or a sequence of n_eval
            (n_samples_i, n_bands) arrays, in the order of ``neighbourhoods``.
        metrics: function of two 2-D arrays (generated, real) that returns a mapping from
            metric name to value, with the same names for every condition.

    Returns:
        Each metric per condition, NaN where the neighbourhood is empty. If every
        neighbourhood is empty, the result is an empty dict because no metric was run.
    """
    real = as_matrix(real_spectra, "real_spectra")
    groups = as_generated_groups(generated, len(neighbourhoods), real.shape[1])
    values: dict[str, np.ndarray] = {}
    for index, (group, neighbours) in enumerate(zip(groups, neighbourhoods)):
        if len(neighbours) == 0:
            continue
        for name, value in metrics(group, real[neighbours]).items():
            values.setdefault(name, np.full(len(groups), np.nan))[index] = value

    n_missing = sum(len(neighbours) == 0 for neighbours in neighbourhoods)
    if n_missing:
        logger.warning(
            "%d of %d evaluation conditions have no real neighbour within the radius. "
            "Their per-condition metrics are NaN and excluded from the averages.",
            n_missing,
            len(groups),
        )
    return {name: PerConditionMetric(array) for name, array in values.items()}


def per_condition_metric(
    real_spectra,
    neighbourhoods: Sequence[np.ndarray],
    generated,
    metric: Callable[[np.ndarray, np.ndarray], float],
) -> PerConditionMetric:
    """Apply ``metric(generated_group, real_neighbourhood_spectra)`` to every condition.

    The arguments are as for per_condition_metrics(), but ``metric`` returns one float.
    The result is NaN where the neighbourhood is empty.
    """
    results = per_condition_metrics(
        real_spectra, neighbourhoods, generated, lambda group, real: {"value": metric(group, real)}
    )
    if not results:
        return PerConditionMetric(np.full(len(neighbourhoods), np.nan))
    return results["value"]
