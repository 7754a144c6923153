"""Error of the mean generated spectrum against the mean real spectrum of a neighbourhood."""

from __future__ import annotations

import numpy as np

from cvae.evaluation._arrays import as_matrix
from cvae.evaluation.neighbourhood import (
    DEFAULT_NEIGHBOURS,
    PerConditionMetric,
    find_neighbourhoods,
    per_condition_metric,
)


def mean_spectrum_rmse(generated, real) -> float:
    """Return the RMSE over bands between the mean spectra of two sets, in reflectance units.

    Args:
        generated: (n_generated, n_bands) spectra.
        real: (n_real, n_bands) spectra.
    """
    generated = as_matrix(generated, "generated")
    real = as_matrix(real, "real", n_columns=generated.shape[1])
    difference = generated.mean(axis=0) - real.mean(axis=0)
    return float(np.sqrt(np.mean(difference**2)))


def mean_spectrum_rmse_per_condition(
    real_spectra,
    real_conditions,
    eval_conditions,
    generated,
    *,
    k: int = DEFAULT_NEIGHBOURS,
    radius: float | None = None,
) -> PerConditionMetric:
    """Compute mean_spectrum_rmse() for every evaluation condition against its neighbourhood.

    The reference for condition c is the mean of the real spectra of the ``k`` nearest
    real conditions, limited to ``radius`` if given (see cvae.evaluation.neighbourhood).

    Args:
        real_spectra: (n_real, n_bands) real spectra.
        real_conditions: (n_real, n_conditions) their conditions.
        eval_conditions: (n_eval, n_conditions) evaluation conditions.
        generated: (n_eval, n_per_condition, n_bands) array or a sequence of n_eval
            (n_samples_i, n_bands) arrays, in the order of ``eval_conditions``.
        k: number of nearest real conditions per neighbourhood.
        radius: maximum distance of a neighbour in condition space, or None for no limit.

    Returns:
        The per-condition RMSE and, as ``.mean``, its average over conditions.
    """
    neighbourhoods = find_neighbourhoods(real_conditions, eval_conditions, k=k, radius=radius)
    return per_condition_metric(real_spectra, neighbourhoods, generated, mean_spectrum_rmse)
