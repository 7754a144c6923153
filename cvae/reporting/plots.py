"""PNG plots of a sweep: optimization history, objective per parameter, Pareto front.

Figures are drawn on matplotlib's Agg canvas directly, without pyplot, so the report
needs no display and leaves the caller's matplotlib backend alone.
"""

from __future__ import annotations

import logging
import math
import re
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from optuna.distributions import (
    CategoricalDistribution,
    IntLogUniformDistribution,
    LogUniformDistribution,
)

from cvae.reporting.records import Objective, TrialRecord
from cvae.reporting.summary import (
    UNSET,
    canonical,
    complete_values,
    pareto_front,
    running_best,
)

logger = logging.getLogger(__name__)

FIGURE_SIZE_INCHES = (6.4, 4.8)
DPI = 100
# Half-width of the horizontal jitter in a strip plot, in category slots.
STRIP_JITTER = 0.15
UNSET_LABEL = "(unset)"


def file_slug(name: str) -> str:
    """Turn a metric or parameter name into a file name part (``val/rmse`` -> ``val_rmse``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "unnamed"


def axis_label(objective: Objective) -> str:
    """Return the y-axis label of an objective, with its direction."""
    return f"{objective.name} ({objective.direction})"


def plot_history(trials: list[TrialRecord], objective: Objective, file: Path) -> bool:
    """Plot the objective per trial number with the running best of COMPLETE trials.

    Trials in other states that still have a value (for example a metric a pruned job
    wrote) are drawn as grey crosses and do not count for the running best.

    Returns:
        False, writing nothing, when no trial has a finite value.
    """
    complete = complete_values(trials, objective)
    others = [
        (trial, objective.values[trial.number])
        for trial in trials
        if trial.state != "COMPLETE" and math.isfinite(objective.values.get(trial.number, math.nan))
    ]
    if not complete and not others:
        return False

    figure, axes = _new_figure()
    if complete:
        axes.scatter(
            [trial.number for trial, _ in complete],
            [value for _, value in complete],
            color="tab:blue",
            label="COMPLETE",
            zorder=3,
        )
        best = running_best(trials, objective)
        numbers = sorted(best)
        axes.step(
            numbers,
            [best[number] for number in numbers],
            where="post",
            color="tab:red",
            label="running best",
        )
    if others:
        axes.scatter(
            [trial.number for trial, _ in others],
            [value for _, value in others],
            color="grey",
            marker="x",
            label="other states",
            zorder=2,
        )
    axes.set_xlabel("trial number")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel(axis_label(objective))
    axes.set_title(f"Optimization history of {objective.name}")
    axes.legend()
    _save(figure, file)
    return True


def plot_param(
    trials: list[TrialRecord], objective: Objective, param: str, file: Path
) -> bool:
    """Plot the objective of COMPLETE trials against one parameter.

    Numeric parameters get a scatter plot (log x-axis for log-uniform distributions)
    and categorical ones a strip plot with each category's mean as a black bar.

    Returns:
        False, writing nothing, when no COMPLETE trial has a finite value.
    """
    pairs = complete_values(trials, objective)
    if not pairs:
        return False

    figure, axes = _new_figure()
    raw_values = [trial.params.get(param, UNSET) for trial, _ in pairs]
    values = np.array([value for _, value in pairs], dtype=float)

    if is_categorical(trials, param):
        categories = category_order(trials, param)
        positions = {canonical(category): index for index, category in enumerate(categories)}
        slots = np.array([positions[canonical(raw)] for raw in raw_values], dtype=float)
        jitter = np.random.default_rng(0).uniform(-STRIP_JITTER, STRIP_JITTER, len(slots))
        axes.scatter(slots + jitter, values, color="tab:blue", alpha=0.8, zorder=3)
        for index in range(len(categories)):
            in_slot = values[slots == index]
            if len(in_slot):
                axes.hlines(in_slot.mean(), index - 0.3, index + 0.3, color="black", zorder=4)
        axes.set_xticks(range(len(categories)))
        axes.set_xticklabels([_category_label(category) for category in categories])
        axes.set_xlim(-0.5, len(categories) - 0.5)
    else:
        axes.scatter([float(raw) for raw in raw_values], values, color="tab:blue", zorder=3)
        if _is_log_scale(trials, param):
            axes.set_xscale("log")

    axes.set_xlabel(param)
    axes.set_ylabel(axis_label(objective))
    axes.set_title(f"{objective.name} against {param} (COMPLETE trials)")
    _save(figure, file)
    return True


def plot_pareto(
    trials: list[TrialRecord],
    objectives: list[Objective],
    x_index: int,
    y_index: int,
    file: Path,
) -> bool:
    """Scatter two objectives of COMPLETE trials and mark the Pareto-optimal ones.

    Pareto optimality uses all objectives, so with more than two the front does not
    have to look optimal in this projection.

    Returns:
        False, writing nothing, when no COMPLETE trial has finite values of both.
    """
    x_objective, y_objective = objectives[x_index], objectives[y_index]
    points = []
    for trial in trials:
        x_value = x_objective.values.get(trial.number, math.nan)
        y_value = y_objective.values.get(trial.number, math.nan)
        if trial.state == "COMPLETE" and math.isfinite(x_value) and math.isfinite(y_value):
            points.append((trial.number, x_value, y_value))
    if not points:
        return False

    front = {trial.number for trial in pareto_front(trials, objectives)}
    figure, axes = _new_figure()
    dominated = [point for point in points if point[0] not in front]
    optimal = [point for point in points if point[0] in front]
    if dominated:
        axes.scatter(
            [point[1] for point in dominated],
            [point[2] for point in dominated],
            color="tab:blue",
            label="dominated",
        )
    if optimal:
        axes.scatter(
            [point[1] for point in optimal],
            [point[2] for point in optimal],
            color="tab:red",
            label="Pareto-optimal",
            zorder=3,
        )
        for number, x_value, y_value in optimal:
            axes.annotate(str(number), (x_value, y_value), textcoords="offset points", xytext=(4, 4))
    axes.set_xlabel(axis_label(x_objective))
    axes.set_ylabel(axis_label(y_objective))
    axes.set_title("Pareto front (COMPLETE trials)")
    axes.legend()
    _save(figure, file)
    return True


def write_plots(
    trials: list[TrialRecord],
    objectives: list[Objective],
    params: list[str],
    out_dir: Path,
) -> tuple[list[Path], list[str]]:
    """Write every plot of the report into ``out_dir``.

    Returns:
        The PNG files written and notes about plots that were skipped.
    """
    written: list[Path] = []
    notes: list[str] = []
    for objective in objectives:
        slug = file_slug(objective.name)
        history_file = out_dir / f"history_{slug}.png"
        if plot_history(trials, objective, history_file):
            written.append(history_file)
        else:
            notes.append(f"No trial has a value of {objective.name}, so there are no plots of it.")
            continue
        for param in params:
            param_file = out_dir / f"{slug}_vs_{file_slug(param)}.png"
            if plot_param(trials, objective, param, param_file):
                written.append(param_file)

    if len(objectives) > 1:
        for x_index, y_index in combinations(range(len(objectives)), 2):
            pareto_file = (
                out_dir
                / f"pareto_{file_slug(objectives[x_index].name)}_vs_{file_slug(objectives[y_index].name)}.png"
            )
            if plot_pareto(trials, objectives, x_index, y_index, pareto_file):
                written.append(pareto_file)
            else:
                notes.append(
                    f"No COMPLETE trial has values of both {objectives[x_index].name} and "
                    f"{objectives[y_index].name}, so there is no Pareto plot of them."
                )
    logger.info("Wrote %d plots to %s", len(written), out_dir)
    return written, notes


def is_categorical(trials: list[TrialRecord], param: str) -> bool:
    """Return whether a parameter is categorical: a categorical distribution, or any non-number value."""
    for trial in trials:
        if isinstance(trial.distributions.get(param), CategoricalDistribution):
            return True
    for trial in trials:
        value = trial.params.get(param, UNSET)
        if not _is_plain_number(value):
            return True
    return False


def category_order(trials: list[TrialRecord], param: str) -> list[Any]:
    """Order the categories of a parameter: distribution choices first, then numbers, then text."""
    ordered: dict[str, Any] = {}
    for trial in trials:
        distribution = trial.distributions.get(param)
        if isinstance(distribution, CategoricalDistribution):
            for choice in distribution.choices:
                ordered.setdefault(canonical(choice), choice)
    seen = {canonical(value): value for value in (trial.params.get(param, UNSET) for trial in trials)}
    rest = [value for key, value in seen.items() if key not in ordered]
    rest.sort(key=lambda value: (0, float(value), "") if _is_plain_number(value) else (1, 0.0, canonical(value)))
    for value in rest:
        ordered[canonical(value)] = value
    return list(ordered.values())


def _category_label(value: Any) -> str:
    if value is UNSET:
        return UNSET_LABEL
    return str(value)


def _is_plain_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_log_scale(trials: list[TrialRecord], param: str) -> bool:
    return any(
        isinstance(trial.distributions.get(param), (LogUniformDistribution, IntLogUniformDistribution))
        for trial in trials
    )


def _new_figure() -> tuple[Figure, Any]:
    figure = Figure(figsize=FIGURE_SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.grid(True, alpha=0.3)
    return figure, axes


def _save(figure: Figure, file: Path) -> None:
    figure.tight_layout()
    figure.savefig(file, format="png")
