"""Choose the reported objectives and aggregate trials per setting."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from cvae.reporting.errors import ReportError
from cvae.reporting.records import STATE_ORDER, Objective, SweepData, TrialRecord

# The parameter that repeats a setting. Settings are aggregated over it by default.
SEED_PARAM = "seed"
DIRECTIONS = ("minimize", "maximize")
# Marks a parameter that a trial does not set (conditional search spaces, added overrides).
UNSET = object()


@dataclass
class SettingStats:
    """Statistics of one objective over the trials of one setting.

    Attributes:
        setting: the value of each group key; ``UNSET`` where trials do not set it.
        objective: the objective name.
        n_trials: trials in the setting, in any state.
        state_counts: trials per Optuna state name.
        n_values: COMPLETE trials with a finite value of the objective.
        mean: the mean over those values, NaN when there are none.
        std: their sample standard deviation (ddof=1), NaN for fewer than 2 values.
        best_trial: the number of the best of those trials, or None.
        best_value: its value, NaN when there is none.
    """

    setting: dict[str, Any]
    objective: str
    n_trials: int
    state_counts: dict[str, int]
    n_values: int
    mean: float
    std: float
    best_trial: int | None
    best_value: float


def resolve_objectives(
    data: SweepData, *, metric: str | None = None, direction: str | None = None
) -> tuple[list[Objective], list[str]]:
    """Choose the objectives to report and their directions.

    Without ``metric`` the objectives are the study's own values, named after the
    sweep's ``optimized_metric`` when it lists one name per objective. Without a study
    they are the ``optimized_metric`` keys of each job's metrics.json. With ``metric``
    the single objective is that key of each job's metrics.json (or of the trial's
    user attributes).

    Returns:
        The objectives and notes for the report.

    Raises:
        ReportError: when no objective can be chosen, when a metric is found in no
            trial or is not numeric, or when ``direction`` is invalid or ambiguous.
    """
    if direction is not None and direction not in DIRECTIONS:
        raise ReportError(f"Invalid direction {direction!r}; use one of {', '.join(DIRECTIONS)}.")
    if metric is not None:
        return _metric_objectives(data, [metric], direction, origin="--metric")
    if data.directions:
        return _study_objectives(data, direction), []
    if data.metric_names:
        return _metric_objectives(
            data, data.metric_names, direction, origin=f"optimized_metric in {data.metric_names_file}"
        )
    available = numeric_metric_names(data.trials)
    raise ReportError(
        "There is no Optuna study and no optimized_metric in multirun.yaml or the first "
        "job's .hydra/config.yaml, so there is no objective to report. Pass --metric NAME with a "
        f"numeric key of metrics.json. Found: {', '.join(available) or 'none'}."
    )


def _study_objectives(data: SweepData, direction: str | None) -> list[Objective]:
    n_objectives = len(data.directions)
    if direction is not None and n_objectives > 1:
        raise ReportError(
            f"--direction sets one direction, but the study has {n_objectives} "
            f"objectives ({', '.join(data.directions)}). Leave it out, or pass --metric NAME "
            "to report a single metric."
        )

    if data.metric_names is not None and len(data.metric_names) == n_objectives:
        names = list(data.metric_names)
    elif n_objectives == 1:
        names = ["value"]
    else:
        names = [f"value_{index}" for index in range(n_objectives)]

    objectives = []
    for index, study_direction in enumerate(data.directions):
        values = {trial.number: _study_value(trial, index) for trial in data.trials}
        objectives.append(
            Objective(
                name=names[index],
                direction=direction or study_direction,
                direction_source="--direction" if direction else "the study",
                values=values,
            )
        )
    return objectives


def _study_value(trial: TrialRecord, index: int) -> float:
    if trial.values is None or index >= len(trial.values) or trial.values[index] is None:
        return math.nan
    return float(trial.values[index])


def _metric_objectives(
    data: SweepData, metrics: list[str], direction: str | None, *, origin: str
) -> tuple[list[Objective], list[str]]:
    if direction is not None and len(metrics) > 1:
        raise ReportError(
            f"--direction sets one direction, but {origin} names {len(metrics)} metrics "
            f"({', '.join(metrics)}). Leave it out, or pass --metric NAME."
        )

    notes: list[str] = []
    objectives = []
    for metric in metrics:
        values = _metric_values(data, metric, origin)
        missing = [
            trial.number
            for trial in data.trials
            if trial.state == "COMPLETE" and math.isnan(values[trial.number])
        ]
        if missing:
            notes.append(
                f"Metric {metric} is missing for COMPLETE trials {_number_list(missing)}, "
                "so their statistics leave them out."
            )
        chosen, source = _metric_direction(data, metric, direction)
        if source == "the default":
            if data.directions:
                reason = f"the study has {len(data.directions)} objectives and none is named {metric}"
            else:
                reason = "no Optuna study or hydra.sweeper.direction gives a direction for it"
            notes.append(
                f"The direction of {metric} is minimize by default because {reason}. Pass "
                "--direction maximize for metrics where larger is better."
            )
        objectives.append(
            Objective(
                name=metric,
                direction=chosen,
                direction_source=source,
                values=values,
                value_source="metrics.json of each job",
            )
        )
    return objectives, notes


def _metric_values(data: SweepData, metric: str, origin: str) -> dict[int, float]:
    values: dict[int, float] = {}
    n_found = 0
    for trial in data.trials:
        if metric in trial.metrics:
            raw, location = trial.metrics[metric], f"{trial.job_dir}/metrics.json"
        elif metric in trial.user_attrs:
            raw, location = trial.user_attrs[metric], f"the user attributes of trial {trial.number}"
        else:
            values[trial.number] = math.nan
            continue
        n_found += 1
        values[trial.number] = _metric_number(raw, metric, location)

    if n_found == 0:
        n_files = sum(1 for trial in data.trials if trial.metrics)
        available = numeric_metric_names(data.trials)
        raise ReportError(
            f"Metric {metric!r} (from {origin}) not found in any of the {len(data.trials)} "
            f"trials: read {n_files} metrics.json files and the trials' user attributes. "
            f"Numeric metrics found: {', '.join(available) or 'none'}. Pass one of them with "
            "--metric."
        )
    return values


def _metric_direction(data: SweepData, metric: str, direction: str | None) -> tuple[str, str]:
    """Return the direction of a metric and where it came from.

    ``--direction`` wins. Next comes the study's direction for the objective that
    optimized_metric names ``metric``, or for its only objective. Next comes
    hydra.sweeper.direction from the sweep's config, read the same way. Else minimize.
    """
    if direction is not None:
        return direction, "--direction"
    sources = [
        (data.directions, "the study"),
        (data.config_directions, f"hydra.sweeper.direction in {data.config_directions_file}"),
    ]
    names = data.metric_names or []
    for directions, source in sources:
        if len(names) == len(directions) and metric in names:
            return directions[names.index(metric)], source
        if len(directions) == 1:
            return directions[0], source
    return "minimize", "the default"


def _metric_number(raw: Any, metric: str, location: str) -> float:
    if raw is None:
        return math.nan
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise ReportError(
            f"Metric {metric!r} is {raw!r} in {location}, not a number. Pass a numeric metric "
            "with --metric."
        )
    return float(raw)


def numeric_metric_names(trials: list[TrialRecord]) -> list[str]:
    """List the keys that hold a number in any trial's metrics.json or user attributes."""
    names: set[str] = set()
    for trial in trials:
        for source in (trial.metrics, trial.user_attrs):
            for key, value in source.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    names.add(key)
    return sorted(names)


def canonical(value: Any) -> str:
    """Return a text key that is equal for equal parameter values (3 and 3.0 differ)."""
    if value is UNSET:
        return "<unset>"
    return json.dumps(value, sort_keys=True, default=str)


def param_names(trials: list[TrialRecord]) -> list[str]:
    """List every parameter name set by any trial, sorted."""
    return sorted({name for trial in trials for name in trial.params})


def varied_params(trials: list[TrialRecord]) -> list[str]:
    """List the parameters that take more than one value (unset counts as a value), sorted."""
    varied = []
    for name in param_names(trials):
        seen = {canonical(trial.params.get(name, UNSET)) for trial in trials}
        if len(seen) > 1:
            varied.append(name)
    return varied


def choose_group_keys(trials: list[TrialRecord], group_by: list[str] | None) -> tuple[list[str], str]:
    """Choose the parameters that define a setting.

    Returns:
        The keys and a phrase that states how they were chosen, for the report.

    Raises:
        ReportError: when ``group_by`` names a parameter that no trial sets.
    """
    if group_by is not None:
        known = param_names(trials)
        unknown = [key for key in group_by if key not in known]
        if unknown:
            raise ReportError(
                f"--group-by key(s) {', '.join(unknown)} not found in any trial's params; "
                f"known params: {', '.join(known) or 'none'}."
            )
        return list(group_by), "set by --group-by"
    keys = [name for name in varied_params(trials) if name != SEED_PARAM]
    return keys, f"every parameter that varies, except `{SEED_PARAM}`"


def is_better(candidate: float, incumbent: float, direction: str) -> bool:
    """Return whether ``candidate`` beats ``incumbent`` under ``direction``."""
    if direction == "maximize":
        return candidate > incumbent
    return candidate < incumbent


def complete_values(trials: list[TrialRecord], objective: Objective) -> list[tuple[TrialRecord, float]]:
    """Pair each COMPLETE trial that has a finite value of ``objective`` with that value."""
    pairs = []
    for trial in trials:
        value = objective.values.get(trial.number, math.nan)
        if trial.state == "COMPLETE" and math.isfinite(value):
            pairs.append((trial, value))
    return pairs


def best_trial(trials: list[TrialRecord], objective: Objective) -> tuple[TrialRecord, float] | None:
    """Return the best COMPLETE trial and its value (lowest number on ties), or None."""
    best: tuple[TrialRecord, float] | None = None
    for trial, value in complete_values(trials, objective):
        if best is None or is_better(value, best[1], objective.direction):
            best = (trial, value)
    return best


def running_best(trials: list[TrialRecord], objective: Objective) -> dict[int, float]:
    """Return, per trial number, the best COMPLETE value among trials up to it (NaN before any)."""
    result = {}
    current = math.nan
    complete = {trial.number for trial, _ in complete_values(trials, objective)}
    for trial in sorted(trials, key=lambda item: item.number):
        value = objective.values.get(trial.number, math.nan)
        if trial.number in complete and (math.isnan(current) or is_better(value, current, objective.direction)):
            current = value
        result[trial.number] = current
    return result


def summarize_settings(
    trials: list[TrialRecord], keys: list[str], objective: Objective
) -> list[SettingStats]:
    """Aggregate ``objective`` per setting, best mean first and settings without values last."""
    groups: dict[tuple[str, ...], list[TrialRecord]] = {}
    for trial in trials:
        group_key = tuple(canonical(trial.params.get(key, UNSET)) for key in keys)
        groups.setdefault(group_key, []).append(trial)

    rows = []
    for members in groups.values():
        first = members[0]
        setting = {key: first.params.get(key, UNSET) for key in keys}
        counts = {state: 0 for state in STATE_ORDER[:3]}
        for trial in members:
            counts[trial.state] = counts.get(trial.state, 0) + 1

        pairs = complete_values(members, objective)
        values = np.array([value for _, value in pairs], dtype=float)
        best = best_trial(members, objective)
        rows.append(
            SettingStats(
                setting=setting,
                objective=objective.name,
                n_trials=len(members),
                state_counts=counts,
                n_values=len(values),
                mean=float(values.mean()) if len(values) else math.nan,
                std=float(values.std(ddof=1)) if len(values) > 1 else math.nan,
                best_trial=best[0].number if best else None,
                best_value=best[1] if best else math.nan,
            )
        )

    sign = -1.0 if objective.direction == "maximize" else 1.0
    rows.sort(key=lambda row: (math.isnan(row.mean), sign * row.mean if not math.isnan(row.mean) else 0.0))
    return rows


def pareto_front(trials: list[TrialRecord], objectives: list[Objective]) -> list[TrialRecord]:
    """Return the COMPLETE trials that no other COMPLETE trial dominates on all objectives.

    Trials without a finite value for every objective take no part.
    """
    candidates = []
    for trial in trials:
        if trial.state != "COMPLETE":
            continue
        point = []
        for objective in objectives:
            value = objective.values.get(trial.number, math.nan)
            # Negate maximized objectives so that lower is better everywhere.
            point.append(-value if objective.direction == "maximize" else value)
        if all(math.isfinite(value) for value in point):
            candidates.append((trial, np.array(point)))

    front = []
    for trial, point in candidates:
        dominated = any(
            np.all(other <= point) and np.any(other < point) for _, other in candidates
        )
        if not dominated:
            front.append(trial)
    return front


def state_totals(trials: list[TrialRecord]) -> dict[str, int]:
    """Count trials per state: COMPLETE, PRUNED and FAIL always, other states when present."""
    totals = {state: 0 for state in STATE_ORDER[:3]}
    for trial in trials:
        totals[trial.state] = totals.get(trial.state, 0) + 1
    return totals


def ordered_states(counts: list[dict[str, int]]) -> list[str]:
    """Order the state names found in several count dicts: Optuna's order, then others sorted."""
    names = {name for count in counts for name in count}
    known = [name for name in STATE_ORDER if name in names]
    return known + sorted(names - set(STATE_ORDER))


def _number_list(numbers: list[int], limit: int = 10) -> str:
    listed = ", ".join(str(number) for number in numbers[:limit])
    if len(numbers) > limit:
        listed += f" and {len(numbers) - limit} more"
    return listed
