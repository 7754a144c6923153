"""Optuna parameter importances of one objective."""

from __future__ import annotations

import contextlib
import logging
import math
import warnings
from dataclasses import dataclass, field
from typing import Any, Iterator

import optuna
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    IntUniformDistribution,
    UniformDistribution,
)
from optuna.importance import (
    FanovaImportanceEvaluator,
    MeanDecreaseImpurityImportanceEvaluator,
    get_param_importances,
)
from optuna.trial import create_trial

from cvae.reporting.records import Objective, TrialRecord
from cvae.reporting.summary import canonical, complete_values

logger = logging.getLogger(__name__)

# Both evaluators fit a random forest, so a fixed seed makes reports reproducible.
EVALUATOR_SEED = 0


@dataclass
class ImportanceResult:
    """Parameter importances of one objective.

    Attributes:
        objective: the objective name.
        importances: importance per parameter, largest first, summing to 1; empty
            when they could not be computed.
        evaluator: the Optuna evaluator class that produced them, or None.
        notes: why importances are missing or how to read them.
    """

    objective: str
    importances: dict[str, float]
    evaluator: str | None
    notes: list[str] = field(default_factory=list)


def compute_importances(trials: list[TrialRecord], objective: Objective) -> ImportanceResult:
    """Rank parameters with ``optuna.importance.get_param_importances``.

    The COMPLETE trials with a finite value are copied into an in-memory study whose
    single objective is ``objective``, so the same code serves study values, metrics
    from metrics.json and job directories without a study.
    """
    result = ImportanceResult(objective=objective.name, importances={}, evaluator=None)
    pairs = complete_values(trials, objective)
    if len(pairs) < 2:
        result.notes.append(
            f"Parameter importances need at least 2 COMPLETE trials with a value of "
            f"{objective.name}; found {len(pairs)}."
        )
        return result

    inferred = infer_distributions([trial for trial, _ in pairs])
    frozen_trials = []
    with _quiet_optuna():
        for trial, value in pairs:
            params, distributions = _usable_params(trial, inferred)
            frozen_trials.append(
                create_trial(params=params, distributions=distributions, value=value)
            )

    # Optuna's evaluators only use parameters that every trial sets, with one distribution.
    common = set(frozen_trials[0].params)
    for frozen in frozen_trials[1:]:
        common &= {
            name
            for name in frozen.params
            if frozen_trials[0].distributions.get(name) == frozen.distributions[name]
        }
    varying = sorted(
        name for name in common if len({canonical(f.params[name]) for f in frozen_trials}) > 1
    )
    if not varying:
        result.notes.append(
            f"No parameter takes more than one value across the {len(pairs)} COMPLETE trials "
            "(parameters that only some trials set are left out), so there is nothing to rank."
        )
        return result
    if len(varying) == 1:
        result.notes.append(
            f"Only one parameter ({varying[0]}) varies, so its importance is 1 by definition."
        )
    if len({value for _, value in pairs}) == 1:
        result.notes.append(
            f"All {len(pairs)} values of {objective.name} are equal, so the importances carry "
            "no information."
        )

    with _quiet_optuna():
        importances = _evaluate(frozen_trials, objective.direction, varying, result)
    if importances is None:
        return result

    result.importances = {name: float(value) for name, value in importances.items()}
    return result


def _evaluate(
    frozen_trials: list, direction: str, params: list[str], result: ImportanceResult
) -> dict[str, float] | None:
    study = optuna.create_study(direction=direction)
    study.add_trials(frozen_trials)
    try:
        importances = get_param_importances(
            study, evaluator=FanovaImportanceEvaluator(seed=EVALUATOR_SEED), params=params
        )
        result.evaluator = "FanovaImportanceEvaluator"
        return importances
    except ValueError as fanova_error:
        # optuna 2.10.1's fANOVA assigns a scikit-learn tree node value, an array of
        # shape (1, 1), into a row of floats. The pinned NumPy 2.4 rejects that ragged
        # row with this ValueError.
        logger.info(
            "fANOVA importance evaluation failed (%s); using mean decrease impurity instead",
            fanova_error,
        )
        fanova_message = str(fanova_error)

    try:
        importances = get_param_importances(
            study,
            evaluator=MeanDecreaseImpurityImportanceEvaluator(seed=EVALUATOR_SEED),
            params=params,
        )
    except ValueError as error:
        result.notes.append(f"Parameter importances failed: {error}")
        return None
    result.evaluator = "MeanDecreaseImpurityImportanceEvaluator"
    result.notes.append(
        f"The fANOVA evaluator failed ({fanova_message}), so these importances are the mean "
        "decrease in impurity of a random forest (MeanDecreaseImpurityImportanceEvaluator)."
    )
    return importances


def infer_distributions(trials: list[TrialRecord]) -> dict[str, BaseDistribution]:
    """Infer an Optuna distribution per parameter from the values that trials took.

    Integers become an IntUniformDistribution and other numbers a UniformDistribution
    over the observed range. Text, booleans and None become a CategoricalDistribution.
    Job directories need this because they record values but no search space.
    """
    observed: dict[str, list[Any]] = {}
    for trial in trials:
        for name, value in trial.params.items():
            observed.setdefault(name, []).append(value)

    distributions: dict[str, BaseDistribution] = {}
    for name, values in observed.items():
        if all(_is_int(value) for value in values):
            distributions[name] = IntUniformDistribution(min(values), max(values))
        elif all(_is_number(value) for value in values):
            distributions[name] = UniformDistribution(float(min(values)), float(max(values)))
        else:
            choices = {canonical(value): value for value in values}
            distributions[name] = CategoricalDistribution(list(choices.values()))
    return distributions


def _usable_params(
    trial: TrialRecord, inferred: dict[str, BaseDistribution]
) -> tuple[dict[str, Any], dict[str, BaseDistribution]]:
    params, distributions = {}, {}
    for name, value in trial.params.items():
        # Study trials carry their search space. Inferred ranges contain every observed
        # value by construction.
        distribution = trial.distributions.get(name) or inferred.get(name)
        if distribution is None:
            continue
        params[name] = value
        distributions[name] = distribution
    return params, distributions


@contextlib.contextmanager
def _quiet_optuna() -> Iterator[None]:
    # create_study logs "A new study created in memory" at INFO on Optuna's own
    # stderr handler, and create_trial and add_trials warn that they are experimental
    # in optuna 2.10. The study is an internal copy, so hide both.
    optuna_logger = logging.getLogger("optuna")
    previous = optuna_logger.level
    optuna_logger.setLevel(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield
    finally:
        optuna_logger.setLevel(previous)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
