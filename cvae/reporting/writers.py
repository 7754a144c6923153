"""Write the sweep report as Markdown and CSV."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from cvae.reporting.importance import ImportanceResult
from cvae.reporting.records import Objective, SweepData, TrialRecord
from cvae.reporting.summary import (
    UNSET,
    SettingStats,
    best_trial,
    ordered_states,
    pareto_front,
    param_names,
    running_best,
    state_totals,
)

# Prefix of parameter columns in the CSV files, as in Optuna's trials_dataframe().
PARAM_COLUMN_PREFIX = "params_"
MISSING_TEXT = "n/a"


@dataclass
class ReportContent:
    """Everything the report files show.

    Attributes:
        data: the loaded sweep.
        objectives: the reported objectives.
        group_keys: the parameters that define a setting.
        group_reason: how the keys were chosen, for the header.
        settings: per objective name, the settings with their statistics, best first.
        importances: one result per objective, in objective order.
        plots: the PNG files, inside the output directory.
        notes: problems and caveats found while building the report.
    """

    data: SweepData
    objectives: list[Objective]
    group_keys: list[str]
    group_reason: str
    settings: dict[str, list[SettingStats]]
    importances: list[ImportanceResult]
    plots: list[Path]
    notes: list[str]


def write_settings_csv(content: ReportContent, file: Path) -> None:
    """Write one row per setting and objective: counts, mean, std and best trial."""
    states = ordered_states(
        [row.state_counts for rows in content.settings.values() for row in rows]
    )
    records = []
    for objective in content.objectives:
        for row in content.settings[objective.name]:
            record: dict[str, Any] = {}
            for key in content.group_keys:
                value = row.setting[key]
                record[PARAM_COLUMN_PREFIX + key] = None if value is UNSET else value
            record["objective"] = objective.name
            record["direction"] = objective.direction
            record["n_trials"] = row.n_trials
            for state in states:
                record[f"n_{state.lower()}"] = row.state_counts.get(state, 0)
            record["n_values"] = row.n_values
            record["mean"] = row.mean
            record["std"] = row.std
            record["best_trial"] = row.best_trial
            record["best_value"] = row.best_value
            records.append(record)
    frame = pd.DataFrame.from_records(records)
    frame["best_trial"] = frame["best_trial"].astype("Int64")
    frame.to_csv(file, index=False)


def write_trials_csv(content: ReportContent, file: Path) -> None:
    """Write one row per trial: state, params, objective values and their running best."""
    trials = content.data.trials
    names = param_names(trials)
    best_by_objective = {
        objective.name: running_best(trials, objective) for objective in content.objectives
    }
    records = []
    for trial in trials:
        record: dict[str, Any] = {"number": trial.number, "state": trial.state}
        for name in names:
            record[PARAM_COLUMN_PREFIX + name] = trial.params.get(name)
        for objective in content.objectives:
            record[objective.name] = objective.values.get(trial.number, math.nan)
            record[f"{objective.name}_running_best"] = best_by_objective[objective.name][trial.number]
        record["fail_reason"] = trial.fail_reason
        record["job_dir"] = str(trial.job_dir) if trial.job_dir else None
        records.append(record)
    pd.DataFrame.from_records(records).to_csv(file, index=False)


def write_markdown(content: ReportContent, file: Path) -> None:
    """Write ``report.md``: header, settings, importances, best trial, failures, notes, plots."""
    lines: list[str] = []
    lines += _header_lines(content)
    lines += _settings_lines(content)
    lines += _importance_lines(content)
    if len(content.objectives) == 1:
        lines += _best_trial_lines(content)
    else:
        lines += _pareto_lines(content)
    lines += _failed_lines(content)
    if content.notes:
        lines += ["## Notes", ""] + [f"- {note}" for note in content.notes] + [""]
    if content.plots:
        lines += ["## Plots", ""]
        for plot in content.plots:
            lines += [f"![{plot.stem}]({plot.name})", ""]
    file.write_text("\n".join(lines), encoding="utf-8")


def _header_lines(content: ReportContent) -> list[str]:
    data = content.data
    if data.study_name:
        title = f"study `{data.study_name}`"
    elif data.sweep_dir is not None:
        title = f"`{data.sweep_dir.name}`"
    else:
        title = "sweep"
    totals = state_totals(data.trials)
    total_text = ", ".join(f"{state} {totals[state]}" for state in ordered_states([totals]))
    if content.group_keys:
        keys_text = ", ".join(f"`{key}`" for key in content.group_keys)
    else:
        keys_text = "none, so all trials form one setting"

    lines = [f"# Sweep report: {title}", ""]
    lines.append(f"- Source: {data.source}")
    lines.append(f"- Trials: {len(data.trials)} ({total_text})")
    for objective in content.objectives:
        lines.append(
            f"- Objective: `{objective.name}` from {objective.value_source}, "
            f"{objective.direction} (direction from {objective.direction_source})"
        )
    lines.append(f"- Settings grouped by: {keys_text} ({content.group_reason})")
    lines.append(
        "- Mean, std and best use COMPLETE trials with a value; std is the sample "
        f"standard deviation (ddof=1) and {MISSING_TEXT} for fewer than 2 values."
    )
    lines.append("")
    return lines


def _settings_lines(content: ReportContent) -> list[str]:
    lines = ["## Settings", ""]
    for objective in content.objectives:
        rows = content.settings[objective.name]
        if len(content.objectives) > 1:
            lines += [f"### {objective.name} ({objective.direction})", ""]
        states = ordered_states([row.state_counts for row in rows])
        key_headers = content.group_keys or ["setting"]
        headers = key_headers + [
            "trials",
            f"{objective.name} mean ± std (n)",
            "best trial",
            "best value",
        ] + states
        table = []
        for row in rows:
            if content.group_keys:
                cells = [format_param(row.setting[key]) for key in content.group_keys]
            else:
                cells = ["all trials"]
            cells += [
                str(row.n_trials),
                _mean_std_text(row),
                MISSING_TEXT if row.best_trial is None else str(row.best_trial),
                format_number(row.best_value),
            ]
            cells += [str(row.state_counts.get(state, 0)) for state in states]
            table.append(cells)
        lines += markdown_table(headers, table) + [""]
    return lines


def _importance_lines(content: ReportContent) -> list[str]:
    lines = ["## Parameter importances", ""]
    for result in content.importances:
        if len(content.objectives) > 1:
            lines += [f"### {result.objective}", ""]
        if result.importances:
            lines.append(f"Evaluator: `{result.evaluator}` from `optuna.importance`.")
            lines.append("")
            table = [
                [f"`{name}`", f"{value:.3f}"] for name, value in result.importances.items()
            ]
            lines += markdown_table(["parameter", "importance"], table) + [""]
        lines += [f"- {note}" for note in result.notes]
        if result.notes:
            lines.append("")
    return lines


def _best_trial_lines(content: ReportContent) -> list[str]:
    objective = content.objectives[0]
    lines = ["## Best trial", ""]
    best = best_trial(content.data.trials, objective)
    if best is None:
        return lines + [f"No COMPLETE trial has a value of {objective.name}.", ""]

    trial, value = best
    lines.append(f"Trial {trial.number} ({trial.state}): {objective.name} = {format_number(value)}")
    if trial.job_dir is not None:
        lines += ["", f"Job directory: `{trial.job_dir}`"]
    lines.append("")
    if trial.params:
        table = [[f"`{name}`", format_param(trial.params[name])] for name in sorted(trial.params)]
        lines += markdown_table(["parameter", "value"], table) + [""]
    if trial.metrics:
        table = [[f"`{name}`", format_param(trial.metrics[name])] for name in sorted(trial.metrics)]
        lines += ["Metrics from metrics.json:", ""]
        lines += markdown_table(["metric", "value"], table) + [""]
    return lines


def _pareto_lines(content: ReportContent) -> list[str]:
    lines = ["## Pareto-optimal trials", ""]
    front = pareto_front(content.data.trials, content.objectives)
    if not front:
        return lines + ["No COMPLETE trial has a value of every objective.", ""]
    names = param_names(front)
    headers = ["trial"] + [objective.name for objective in content.objectives] + names
    table = []
    for trial in front:
        cells = [str(trial.number)]
        cells += [format_number(objective.values[trial.number]) for objective in content.objectives]
        cells += [format_param(trial.params.get(name, UNSET)) for name in names]
        table.append(cells)
    return lines + markdown_table(headers, table) + [""]


def _failed_lines(content: ReportContent) -> list[str]:
    failed: list[TrialRecord] = [trial for trial in content.data.trials if trial.state == "FAIL"]
    if not failed:
        return []
    table = [
        [
            str(trial.number),
            trial.fail_reason or "not recorded",
            f"`{trial.job_dir}`" if trial.job_dir else MISSING_TEXT,
        ]
        for trial in failed
    ]
    return ["## Failed trials", ""] + markdown_table(["trial", "reason", "job directory"], table) + [""]


def _mean_std_text(row: SettingStats) -> str:
    if row.n_values == 0:
        return f"{MISSING_TEXT} (n=0)"
    if math.isnan(row.std):
        return f"{format_number(row.mean)} (n={row.n_values})"
    return f"{format_number(row.mean)} ± {format_number(row.std)} (n={row.n_values})"


def format_number(value: float | None) -> str:
    """Format a metric value with 4 significant digits, ``n/a`` for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING_TEXT
    return f"{value:.4g}"


def format_param(value: Any) -> str:
    """Format a parameter value as a Hydra override would spell it."""
    if value is UNSET:
        return "(unset)"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.6g}"
        # Keep 1.0 distinct from the integer 1, as Hydra parses them differently.
        if text.lstrip("-").isdigit():
            text += ".0"
        return text
    return str(value)


def markdown_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Return the lines of a GitHub-flavoured Markdown table, with ``|`` in cells escaped."""
    lines = [_table_row(headers), "|" + "|".join("---" for _ in headers) + "|"]
    lines += [_table_row(row) for row in rows]
    return lines


def _table_row(cells: list[str]) -> str:
    escaped = [str(cell).replace("|", "\\|").replace("\n", " ") for cell in cells]
    return "| " + " | ".join(escaped) + " |"
