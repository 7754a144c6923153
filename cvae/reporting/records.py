"""Trial records that every report source returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from optuna.distributions import BaseDistribution

# Optuna TrialState names in the order the report lists them.
STATE_ORDER = ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING")


@dataclass
class TrialRecord:
    """One trial of a sweep, read from an Optuna study or from a Hydra job directory.

    Attributes:
        number: the Optuna trial number, or the job number for job directories.
        state: an Optuna ``TrialState`` name such as COMPLETE, PRUNED or FAIL.
        params: sampled parameters keyed by Hydra override key, for example
            ``model.d_model``.
        values: the study's objective values, one per study direction, or None when
            the trial has none (pruned, failed, running, or no study).
        metrics: the contents of the job's ``metrics.json``, empty when not found.
        user_attrs: the Optuna trial user attributes, empty for job directories.
        job_dir: the Hydra job directory, or None when unknown.
        fail_reason: why the trial failed, when the sweeper or the job recorded it.
        distributions: the Optuna distribution of each parameter, empty for job
            directories.
    """

    number: int
    state: str
    params: dict[str, Any]
    values: list[float] | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    user_attrs: dict[str, Any] = field(default_factory=dict)
    job_dir: Path | None = None
    fail_reason: str | None = None
    distributions: dict[str, BaseDistribution] = field(default_factory=dict)


@dataclass
class SweepData:
    """All trials of one sweep and where they came from.

    Attributes:
        trials: the trials, sorted by number.
        directions: the study's directions ("minimize" or "maximize"), one per
            objective; empty when the trials come from job directories only.
        source: a one-line description of where the trials came from, for the report.
        study_name: the Optuna study name, or None without a study.
        storage_url: the Optuna storage URL, or None without a study.
        sweep_dir: the directory that contains the job directories, or None when the
            storage URL names no local directory.
        notes: problems found while loading (for example an unreadable metrics.json)
            that the report lists but that do not stop it.
        metric_names: the ``optimized_metric`` name(s) of the sweep's config, or None
            when no config file sets them.
        metric_names_file: the file that ``metric_names`` came from, or None.
        config_directions: ``hydra.sweeper.direction`` of the sweep's config, one per
            objective; empty when not found.
        config_directions_file: the file that ``config_directions`` came from, or None.
    """

    trials: list[TrialRecord]
    directions: list[str]
    source: str
    study_name: str | None = None
    storage_url: str | None = None
    sweep_dir: Path | None = None
    notes: list[str] = field(default_factory=list)
    metric_names: list[str] | None = None
    metric_names_file: Path | None = None
    config_directions: list[str] = field(default_factory=list)
    config_directions_file: Path | None = None


@dataclass
class Objective:
    """One reported objective and its value for every trial.

    Attributes:
        name: the metric name from ``optimized_metric`` or ``--metric``; without one,
            ``value`` (single-objective study) or ``value_<i>`` (objective i).
        direction: "minimize" or "maximize".
        direction_source: where the direction came from, for the report header.
        values: the value per trial number; NaN where the trial has no value.
        value_source: where the values came from, for the report header.
    """

    name: str
    direction: str
    direction_source: str
    values: dict[int, float]
    value_source: str = "the study's objective values"
