"""All generation metrics in one call, as flat names for logging and hyperparameter search."""

from __future__ import annotations

import logging

import numpy as np

from cvae.evaluation._arrays import as_matrix
from cvae.evaluation.conditions import group_generated_by_condition
from cvae.evaluation.distribution import energy_distance, mmd2_rbf
from cvae.evaluation.fraction_fidelity import FractionEstimator, fraction_errors, fraction_fidelity
from cvae.evaluation.mean_spectrum import mean_spectrum_rmse
from cvae.evaluation.neighbourhood import (
    DEFAULT_NEIGHBOURS,
    PerConditionMetric,
    find_neighbourhoods,
    per_condition_metrics,
)
from cvae.evaluation.precision_recall import DEFAULT_MANIFOLD_NEIGHBOURS, precision_recall
from cvae.evaluation.spectral_angle import mean_angle_to_reference_mean, mean_spectrum_angle

logger = logging.getLogger(__name__)

# Names of the metrics computed per evaluation condition. evaluate_generation() reports
# their averages over conditions under the same names.
PER_CONDITION_METRICS = (
    "mean_spectrum_rmse",
    "sam_mean_rad",
    "sam_mean_spectrum_rad",
    "energy_distance",
    "mmd2_rbf",
    "precision",
    "recall",
)


def evaluate_generation_per_condition(
    real_spectra,
    real_conditions,
    eval_conditions,
    generated,
    *,
    generated_conditions=None,
    neighbourhood_k: int = DEFAULT_NEIGHBOURS,
    neighbourhood_radius: float | None = None,
    manifold_k: int = DEFAULT_MANIFOLD_NEIGHBOURS,
    mmd_bandwidth: float | None = None,
) -> dict[str, PerConditionMetric]:
    """Compare each evaluation condition's generated spectra with its real neighbourhood.

    Metrics, all in reflectance units unless stated:
        mean_spectrum_rmse: RMSE over bands between the mean generated and the mean real
            spectrum.
        sam_mean_rad: mean spectral angle (radians) of each generated spectrum to the mean
            real spectrum.
        sam_mean_spectrum_rad: spectral angle (radians) between the two mean spectra.
        energy_distance: energy distance between the two sets.
        mmd2_rbf: MMD² with a Gaussian RBF kernel (no unit), bandwidth by the median
            heuristic unless ``mmd_bandwidth`` is given.
        precision, recall: k-NN manifold precision and recall, in [0, 1].

    Args:
        real_spectra: (n_real, n_bands) real spectra, usually a held-out split.
        real_conditions: (n_real, n_conditions) their conditions.
        eval_conditions: (n_eval, n_conditions) conditions the spectra were generated for.
        generated: (n_eval, n_per_condition, n_bands) array, a sequence of n_eval
            (n_samples_i, n_bands) arrays, or with ``generated_conditions`` a flat
            (n_rows, n_bands) array.
        generated_conditions: (n_rows, n_conditions) condition of each flat generated row,
            matched to ``eval_conditions`` by group_generated_by_condition().
        neighbourhood_k, neighbourhood_radius: define each condition's real neighbourhood
            (see cvae.evaluation.neighbourhood).
        manifold_k: neighbour rank of the precision and recall ball radii.
        mmd_bandwidth: RBF bandwidth in reflectance units, or None for the median
            heuristic per condition.

    Returns:
        PER_CONDITION_METRICS mapped to per-condition values, NaN for conditions without
        real neighbours.
    """
    targets = as_matrix(eval_conditions, "eval_conditions")
    if generated_conditions is not None:
        generated = group_generated_by_condition(generated, generated_conditions, targets)
    neighbourhoods = find_neighbourhoods(
        real_conditions, targets, k=neighbourhood_k, radius=neighbourhood_radius
    )

    def metrics(group: np.ndarray, real: np.ndarray) -> dict[str, float]:
        precision, recall = precision_recall(real, group, k=manifold_k)
        return {
            "mean_spectrum_rmse": mean_spectrum_rmse(group, real),
            "sam_mean_rad": mean_angle_to_reference_mean(group, real),
            "sam_mean_spectrum_rad": mean_spectrum_angle(group, real),
            "energy_distance": energy_distance(group, real),
            "mmd2_rbf": mmd2_rbf(group, real, bandwidth=mmd_bandwidth),
            "precision": precision,
            "recall": recall,
        }

    results = per_condition_metrics(real_spectra, neighbourhoods, generated, metrics)
    missing = np.full(targets.shape[0], np.nan)
    return {name: results.get(name, PerConditionMetric(missing)) for name in PER_CONDITION_METRICS}


def evaluate_generation(
    real_spectra,
    real_conditions,
    eval_conditions,
    generated,
    estimator: FractionEstimator | None = None,
    *,
    generated_conditions=None,
    neighbourhood_k: int = DEFAULT_NEIGHBOURS,
    neighbourhood_radius: float | None = None,
    manifold_k: int = DEFAULT_MANIFOLD_NEIGHBOURS,
    mmd_bandwidth: float | None = None,
) -> dict[str, float]:
    """Compute every generation metric and return flat metric names with float values.

    The per-condition metrics of evaluate_generation_per_condition() are averaged over the
    conditions that have real neighbours. Arguments not listed here are as there.

    Args:
        estimator: a FractionEstimator fitted on real training spectra, or None to skip
            the fraction metrics. ``real_spectra`` should then be a split that the
            estimator was not fitted on, because the estimator's error on it is the
            reference floor.

    Returns:
        The keys of PER_CONDITION_METRICS and the following keys.

        - ``fraction_mae``, ``fraction_rmse``: estimator predictions on generated spectra
          against the requested conditions, pooled over all generated spectra.
        - ``fraction_mae_real``, ``fraction_rmse_real``: the same on ``real_spectra``
          against ``real_conditions``, which is the floor.
        - ``n_eval_conditions`` and ``n_conditions_without_neighbours``.

        A per-condition metric is NaN when no condition has real neighbours.
    """
    targets = as_matrix(eval_conditions, "eval_conditions")
    if generated_conditions is not None:
        generated = group_generated_by_condition(generated, generated_conditions, targets)

    per_condition = evaluate_generation_per_condition(
        real_spectra,
        real_conditions,
        targets,
        generated,
        neighbourhood_k=neighbourhood_k,
        neighbourhood_radius=neighbourhood_radius,
        manifold_k=manifold_k,
        mmd_bandwidth=mmd_bandwidth,
    )
    report = {name: result.mean for name, result in per_condition.items()}
    report["n_eval_conditions"] = float(targets.shape[0])
    report["n_conditions_without_neighbours"] = float(per_condition["mean_spectrum_rmse"].n_missing)

    if estimator is not None:
        generated_errors = fraction_fidelity(estimator, targets, generated)
        real_errors = fraction_errors(
            estimator.predict(real_spectra),
            as_matrix(real_conditions, "real_conditions", n_columns=estimator.n_conditions),
        )
        report["fraction_mae"] = generated_errors["mae"]
        report["fraction_rmse"] = generated_errors["rmse"]
        report["fraction_mae_real"] = real_errors["mae"]
        report["fraction_rmse_real"] = real_errors["rmse"]

    logger.debug(
        "Generation metrics over %d evaluation conditions: %s",
        targets.shape[0],
        ", ".join(f"{name}={value:.4g}" for name, value in report.items()),
    )
    return report
