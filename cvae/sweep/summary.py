"""Sweep result files: best_trial.yaml (one objective) and pareto_front.csv (several)."""

from __future__ import annotations

import csv
import logging
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import optuna
import yaml
from optuna.trial import FrozenTrial

log = logging.getLogger(__name__)

# User attributes that the sweeper stores on each trial and the result files repeat.
TRIAL_ATTRS = ("job_dir", "seed")


def count_states(trials: Sequence[FrozenTrial]) -> dict[str, int]:
    """Return {state name: number of trials}, e.g. {"COMPLETE": 8, "PRUNED": 3, "FAIL": 1}."""
    counts = Counter(trial.state.name for trial in trials)
    return dict(sorted(counts.items()))


def objective_names(metric_names: Sequence[str] | None, n_objectives: int) -> list[str]:
    """Return the metric names when they match the objectives, else value_0, value_1, ..."""
    if metric_names is not None and len(metric_names) == n_objectives:
        return [str(name) for name in metric_names]
    return [f"value_{index}" for index in range(n_objectives)]


def write_best_trial(
    study: optuna.Study, path: Path, storage_label: str, metric_name: str | None = None
) -> FrozenTrial | None:
    """Write the best COMPLETE trial of a single-objective study to `path` (YAML).

    Returns the trial, or None (and writes nothing) when no trial has completed yet.
    """
    trials = study.get_trials(deepcopy=False)
    completed = [trial for trial in trials if trial.state == optuna.trial.TrialState.COMPLETE]
    if not completed:
        log.warning(
            "Study %r has no COMPLETE trial (%s), so %s was not written.",
            study.study_name,
            count_states(trials),
            path,
        )
        return None
    best = study.best_trial
    content: dict[str, Any] = {
        "study_name": study.study_name,
        "storage": storage_label,
        "direction": study.direction.name.lower(),
        "metric": metric_name,
        "number": best.number,
        "value": best.value,
        "params": dict(best.params),
        "user_attrs": dict(best.user_attrs),
        "trial_counts": count_states(trials),
    }
    path.write_text(yaml.safe_dump(content, sort_keys=False))
    log.info(
        "Best trial %d: value %s, params %s; written to %s", best.number, best.value, best.params, path
    )
    return best


def write_pareto_front(
    study: optuna.Study, path: Path, metric_names: Sequence[str] | None = None
) -> list[FrozenTrial]:
    """Write the Pareto-optimal COMPLETE trials of a multi-objective study to `path` (CSV).

    One row per trial: `number`, one column per objective (named after `metric_names`
    when given), `params_<name>` per parameter, then `job_dir` and `seed`.
    """
    front = sorted(study.best_trials, key=lambda trial: trial.number)
    names = objective_names(metric_names, len(study.directions))
    param_names = sorted({name for trial in front for name in trial.params})
    columns = ["number", *names, *(f"params_{name}" for name in param_names), *TRIAL_ATTRS]
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for trial in front:
            row: dict[str, Any] = {"number": trial.number}
            row.update(zip(names, trial.values))
            row.update({f"params_{name}": trial.params.get(name) for name in param_names})
            row.update({attr: trial.user_attrs.get(attr) for attr in TRIAL_ATTRS})
            writer.writerow(row)

    log.info(
        "Pareto front of study %r: %d trials; written to %s", study.study_name, len(front), path
    )
    for trial in front:
        log.info(
            "    trial %d: %s = %s, params %s", trial.number, names, trial.values, trial.params
        )
    return front
