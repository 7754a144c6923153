"""Metrics that judge generated reflectance spectra against real spectra.

Every per-condition metric compares the spectra generated for an evaluation condition
with the real spectra of that condition's neighbourhood (see
cvae.evaluation.neighbourhood). evaluate_generation() computes all of them at once.
"""

from cvae.evaluation.conditions import group_generated_by_condition, select_eval_conditions
from cvae.evaluation.distribution import (
    energy_distance,
    energy_distance_per_condition,
    median_heuristic_bandwidth,
    mmd2_rbf,
    mmd2_rbf_per_condition,
)
from cvae.evaluation.fraction_fidelity import (
    FractionEstimator,
    fraction_errors,
    fraction_fidelity,
    normalise_fractions,
)
from cvae.evaluation.mean_spectrum import mean_spectrum_rmse, mean_spectrum_rmse_per_condition
from cvae.evaluation.neighbourhood import (
    PerConditionMetric,
    find_neighbourhoods,
    per_condition_metric,
    per_condition_metrics,
)
from cvae.evaluation.precision_recall import (
    knn_radii,
    precision_recall,
    precision_recall_per_condition,
)
from cvae.evaluation.report import (
    PER_CONDITION_METRICS,
    evaluate_generation,
    evaluate_generation_per_condition,
)
from cvae.evaluation.spectral_angle import (
    mean_angle_to_reference_mean,
    mean_spectrum_angle,
    spectral_angle,
    spectral_angle_matrix,
    spectral_angle_per_condition,
)

__all__ = [
    "PER_CONDITION_METRICS",
    "FractionEstimator",
    "PerConditionMetric",
    "energy_distance",
    "energy_distance_per_condition",
    "evaluate_generation",
    "evaluate_generation_per_condition",
    "find_neighbourhoods",
    "fraction_errors",
    "fraction_fidelity",
    "group_generated_by_condition",
    "knn_radii",
    "mean_angle_to_reference_mean",
    "mean_spectrum_angle",
    "mean_spectrum_rmse",
    "mean_spectrum_rmse_per_condition",
    "median_heuristic_bandwidth",
    "mmd2_rbf",
    "mmd2_rbf_per_condition",
    "normalise_fractions",
    "per_condition_metric",
    "per_condition_metrics",
    "precision_recall",
    "precision_recall_per_condition",
    "select_eval_conditions",
    "spectral_angle",
    "spectral_angle_matrix",
    "spectral_angle_per_condition",
]
