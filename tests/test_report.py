"""Tests of `python -m cvae.report` on real Optuna sqlite studies and Hydra job directories."""

from __future__ import annotations

import json
import logging
import math
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import matplotlib.image
import optuna
import pandas as pd
import pytest
import yaml
from optuna.distributions import CategoricalDistribution
from optuna.trial import TrialState, create_trial

from cvae.report import build_report, main
from cvae.reporting.errors import ReportError

REPO_ROOT = Path(__file__).resolve().parents[1]
STUDY_NAME = "ablation"

# The ablation sweep of every test: (model, conv_kernel_size, seed, state, objective value).
# Per setting over seeds, with COMPLETE trials only:
#   conformer/3:   0.10, 0.12, 0.14 -> mean 0.12, std 0.02, best trial 0
#   conformer/7:   0.20, 0.26 (+ PRUNED) -> mean 0.23, std 0.0424264, best trial 3
#   transformer/3: 0.30, 0.34 (+ FAIL) -> mean 0.32, std 0.0282843, best trial 6
#   transformer/7: FAIL only -> no value
ABLATION_TRIALS = [
    ("conformer", 3, 0, TrialState.COMPLETE, 0.10),
    ("conformer", 3, 1, TrialState.COMPLETE, 0.12),
    ("conformer", 3, 2, TrialState.COMPLETE, 0.14),
    ("conformer", 7, 0, TrialState.COMPLETE, 0.20),
    ("conformer", 7, 1, TrialState.COMPLETE, 0.26),
    ("conformer", 7, 2, TrialState.PRUNED, None),
    ("transformer", 3, 0, TrialState.COMPLETE, 0.30),
    ("transformer", 3, 1, TrialState.FAIL, None),
    ("transformer", 3, 2, TrialState.COMPLETE, 0.34),
    ("transformer", 7, 0, TrialState.FAIL, None),
]
ABLATION_DISTRIBUTIONS = {
    "model": CategoricalDistribution(["conformer", "transformer"]),
    "model.conv_kernel_size": CategoricalDistribution([3, 7]),
    "seed": CategoricalDistribution([0, 1, 2]),
}
# A pruned job that still wrote a test metric, which the statistics must leave out.
PRUNED_TEST_RMSE = 0.5
EXPECTED_PLOTS = [
    "history_value.png",
    "value_vs_model.png",
    "value_vs_model.conv_kernel_size.png",
    "value_vs_seed.png",
]


def write_job_dirs(
    sweep_dir: Path, *, optimized_metric: str | None = None, direction: str | None = None
) -> list[Path]:
    """Write one Hydra job directory per ablation trial, as `cvae.train --multirun` would.

    `optimized_metric` goes into each .hydra/config.yaml and `direction` into each
    .hydra/hydra.yaml as hydra.sweeper.direction, when given.
    """
    job_dirs = []
    for number, (model, kernel, seed, state, value) in enumerate(ABLATION_TRIALS):
        job_dir = sweep_dir / str(number)
        (job_dir / ".hydra").mkdir(parents=True)
        # The cvae_optuna sweeper adds the optuna_trial.* and logger.* overrides to every job.
        overrides = [
            f"model={model}",
            f"model.conv_kernel_size={kernel}",
            f"seed={seed}",
            "++optuna_trial.storage='sqlite:////abs/optuna.db'",
            f"++optuna_trial.trial_id={number + 1}",
            f"++optuna_trial.number={number}",
            "++logger.group='ablation'",
        ]
        (job_dir / ".hydra" / "overrides.yaml").write_text(
            "".join(f"- {line}\n" for line in overrides), encoding="utf-8"
        )
        config = {"seed": seed, "model": {"name": model, "conv_kernel_size": kernel}}
        if optimized_metric is not None:
            config["optimized_metric"] = optimized_metric
        (job_dir / ".hydra" / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        if direction is not None:
            hydra_config = {"hydra": {"sweeper": {"direction": direction, "n_trials": 10}}}
            (job_dir / ".hydra" / "hydra.yaml").write_text(
                yaml.safe_dump(hydra_config), encoding="utf-8"
            )
        if state == TrialState.COMPLETE:
            metrics = {
                "val/latent_rmse": value,
                "test/latent_rmse": value + 0.01,
                "n_parameters": 12345,
                "status": "completed",
            }
        elif state == TrialState.PRUNED:
            metrics = {"test/latent_rmse": PRUNED_TEST_RMSE, "status": "pruned"}
        elif number == 9:
            metrics = {"status": "failed", "fail_reason": "loss is NaN"}
        else:
            metrics = None  # trial 7 crashed before writing metrics.json
        if metrics is not None:
            (job_dir / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
        job_dirs.append(job_dir)
    return job_dirs


def write_study(sweep_dir: Path, *, study_name: str = STUDY_NAME) -> str:
    """Write the ablation study into `sweep_dir/optuna.db` and return its storage URL."""
    url = f"sqlite:///{sweep_dir / 'optuna.db'}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study = optuna.create_study(storage=url, study_name=study_name, direction="minimize")
        for number, (model, kernel, seed, state, value) in enumerate(ABLATION_TRIALS):
            user_attrs = {"job_dir": str(sweep_dir / str(number))}
            if state == TrialState.FAIL:
                user_attrs["fail_reason"] = "CUDA out of memory"
            study.add_trial(
                create_trial(
                    state=state,
                    value=value,
                    params={"model": model, "model.conv_kernel_size": kernel, "seed": seed},
                    distributions=ABLATION_DISTRIBUTIONS,
                    user_attrs=user_attrs,
                )
            )
    return url


def write_small_study(
    sweep_dir: Path,
    trials: list[tuple[dict, TrialState, list[float] | None]],
    directions: list[str],
    distributions: dict,
    *,
    study_name: str = "small",
    user_attrs: list[dict] | None = None,
) -> str:
    """Write a study with the given (params, state, values) trials and return its URL.

    `user_attrs`, when given, contains one dict of trial user attributes per trial.
    """
    sweep_dir.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{sweep_dir / 'optuna.db'}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study = optuna.create_study(storage=url, study_name=study_name, directions=directions)
        for index, (params, state, values) in enumerate(trials):
            study.add_trial(
                create_trial(
                    state=state,
                    values=values,
                    params=params,
                    distributions={name: distributions[name] for name in params},
                    user_attrs=user_attrs[index] if user_attrs else None,
                )
            )
    return url


def write_multirun_config(sweep_dir: Path, metric: str | list[str], direction: str | list[str]) -> None:
    """Write the part of Hydra's multirun.yaml that the report reads."""
    config = {
        "hydra": {"sweeper": {"direction": direction}},
        "optimized_metric": metric,
        "seed": 0,
    }
    (sweep_dir / "multirun.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


def settings_row(frame: pd.DataFrame, model: str, kernel: int) -> pd.Series:
    """Return the one report.csv row of a model and kernel size."""
    rows = frame[
        (frame["params_model"] == model) & (frame["params_model.conv_kernel_size"] == kernel)
    ]
    assert len(rows) == 1, f"expected one row for {model}/{kernel}, found {len(rows)}"
    return rows.iloc[0]


def markdown_row(markdown: str, prefix: str) -> list[str]:
    """Return the cells of the one Markdown table row that starts with `prefix`."""
    rows = [line for line in markdown.splitlines() if line.startswith(prefix)]
    assert len(rows) == 1, f"expected one row starting with {prefix!r}, found {rows}"
    return [cell.strip() for cell in rows[0].strip("|").split("|")]


@pytest.fixture(scope="module")
def ablation_report(tmp_path_factory) -> Path:
    """Run `main` once on the ablation study and return the report directory."""
    sweep_dir = tmp_path_factory.mktemp("multirun") / "2026-12-04_20-30-00"
    sweep_dir.mkdir()
    write_job_dirs(sweep_dir)
    write_study(sweep_dir)
    assert main([str(sweep_dir)]) == 0
    return sweep_dir / "report"


@pytest.fixture
def sweep_with_study(tmp_path) -> Path:
    sweep_dir = tmp_path / "sweep"
    sweep_dir.mkdir()
    write_job_dirs(sweep_dir)
    write_study(sweep_dir)
    return sweep_dir


def test_report_csv_mean_std_per_setting(ablation_report):
    frame = pd.read_csv(ablation_report / "report.csv")

    assert len(frame) == 4
    assert set(frame["objective"]) == {"value"}
    assert set(frame["direction"]) == {"minimize"}
    assert "params_seed" not in frame.columns

    conformer_3 = settings_row(frame, "conformer", 3)
    assert conformer_3["mean"] == pytest.approx(0.12)
    assert conformer_3["std"] == pytest.approx(0.02)
    assert conformer_3["n_values"] == 3

    conformer_7 = settings_row(frame, "conformer", 7)
    assert conformer_7["mean"] == pytest.approx(0.23)
    assert conformer_7["std"] == pytest.approx(math.sqrt(2 * 0.03**2))

    transformer_3 = settings_row(frame, "transformer", 3)
    assert transformer_3["mean"] == pytest.approx(0.32)
    assert transformer_3["std"] == pytest.approx(math.sqrt(2 * 0.02**2))

    transformer_7 = settings_row(frame, "transformer", 7)
    assert math.isnan(transformer_7["mean"])
    assert math.isnan(transformer_7["std"])
    assert transformer_7["n_values"] == 0


def test_report_csv_counts_and_best_trial(ablation_report):
    frame = pd.read_csv(ablation_report / "report.csv")

    expected = {
        ("conformer", 3): (3, 3, 0, 0, 0, 0.10),
        ("conformer", 7): (3, 2, 1, 0, 3, 0.20),
        ("transformer", 3): (3, 2, 0, 1, 6, 0.30),
    }
    for (model, kernel), (n_trials, complete, pruned, fail, best, best_value) in expected.items():
        row = settings_row(frame, model, kernel)
        assert row["n_trials"] == n_trials, (model, kernel)
        assert row["n_complete"] == complete, (model, kernel)
        assert row["n_pruned"] == pruned, (model, kernel)
        assert row["n_fail"] == fail, (model, kernel)
        assert row["best_trial"] == best, (model, kernel)
        assert row["best_value"] == pytest.approx(best_value), (model, kernel)

    transformer_7 = settings_row(frame, "transformer", 7)
    assert transformer_7["n_fail"] == 1
    assert pd.isna(transformer_7["best_trial"])


def test_report_csv_rows_sorted_best_mean_first(ablation_report):
    frame = pd.read_csv(ablation_report / "report.csv")

    order = list(zip(frame["params_model"], frame["params_model.conv_kernel_size"]))

    assert order == [("conformer", 3), ("conformer", 7), ("transformer", 3), ("transformer", 7)]


def test_report_trials_csv_running_best(ablation_report):
    frame = pd.read_csv(ablation_report / "trials.csv")

    assert list(frame["number"]) == list(range(10))
    assert list(frame["state"]) == [state.name for *_, state, _ in ABLATION_TRIALS]
    assert frame["value_running_best"].tolist() == pytest.approx([0.10] * 10)
    assert frame.loc[7, "fail_reason"] == "CUDA out of memory"
    assert frame.loc[0, "job_dir"].endswith("/0")


def test_report_markdown_settings_table(ablation_report):
    markdown = (ablation_report / "report.md").read_text(encoding="utf-8")

    header = markdown_row(markdown, "| model |")
    assert header == [
        "model",
        "model.conv_kernel_size",
        "trials",
        "value mean ± std (n)",
        "best trial",
        "best value",
        "COMPLETE",
        "PRUNED",
        "FAIL",
    ]
    assert markdown_row(markdown, "| conformer | 3 |") == [
        "conformer", "3", "3", "0.12 ± 0.02 (n=3)", "0", "0.1", "3", "0", "0"
    ]
    assert markdown_row(markdown, "| conformer | 7 |") == [
        "conformer", "7", "3", "0.23 ± 0.04243 (n=2)", "3", "0.2", "2", "1", "0"
    ]
    assert markdown_row(markdown, "| transformer | 7 |") == [
        "transformer", "7", "1", "n/a (n=0)", "n/a", "n/a", "0", "0", "1"
    ]
    assert "- Trials: 10 (COMPLETE 7, PRUNED 1, FAIL 2)" in markdown
    assert (
        "- Objective: `value` from the study's objective values, minimize "
        "(direction from the study)"
    ) in markdown


def test_report_markdown_best_trial_and_importances(ablation_report):
    markdown = (ablation_report / "report.md").read_text(encoding="utf-8")

    assert "Trial 0 (COMPLETE): value = 0.1" in markdown
    assert markdown_row(markdown, "| `model` | conformer |") == ["`model`", "conformer"]
    assert markdown_row(markdown, "| `seed` | 0 |") == ["`seed`", "0"]
    assert markdown_row(markdown, "| `test/latent_rmse` |") == ["`test/latent_rmse`", "0.11"]

    importance_section = markdown.split("## Parameter importances", 1)[1].split("## Best trial")[0]
    importance_rows = [
        markdown_row(importance_section, f"| `{name}` |") for name in ABLATION_DISTRIBUTIONS
    ]
    importances = [float(row[1]) for row in importance_rows]
    assert sum(importances) == pytest.approx(1.0, abs=0.005)
    assert "Evaluator: `" in importance_section

    assert markdown_row(markdown, "| 7 | CUDA out of memory |")[0] == "7"


def test_report_plots_are_valid_png(ablation_report):
    markdown = (ablation_report / "report.md").read_text(encoding="utf-8")

    for name in EXPECTED_PLOTS:
        image = matplotlib.image.imread(ablation_report / name)
        assert image.ndim == 3, name
        assert image.shape[0] > 100, name
        assert image.shape[1] > 100, name
        assert f"]({name})" in markdown, name
    assert not list(ablation_report.glob("pareto_*.png"))


def test_report_metric_from_metrics_json(sweep_with_study):
    files = build_report(sweep_with_study, metric="test/latent_rmse")

    frame = pd.read_csv(files.settings_csv)
    assert set(frame["objective"]) == {"test/latent_rmse"}
    assert settings_row(frame, "conformer", 3)["mean"] == pytest.approx(0.13)
    # The pruned trial's 0.5 must not enter the mean of conformer/7.
    assert settings_row(frame, "conformer", 7)["mean"] == pytest.approx(0.24)
    assert settings_row(frame, "transformer", 3)["best_value"] == pytest.approx(0.31)
    assert (files.out_dir / "history_test_latent_rmse.png").is_file()
    markdown = files.markdown.read_text(encoding="utf-8")
    assert (
        "- Objective: `test/latent_rmse` from metrics.json of each job, minimize "
        "(direction from the study)"
    ) in markdown


def test_report_group_by_model(sweep_with_study, tmp_path):
    out_dir = tmp_path / "by_model"

    assert main([str(sweep_with_study), "--group-by", "model", "--out", str(out_dir)]) == 0

    frame = pd.read_csv(out_dir / "report.csv")
    assert list(frame["params_model"]) == ["conformer", "transformer"]
    conformer = frame.iloc[0]
    assert conformer["n_trials"] == 6
    assert conformer["n_values"] == 5
    assert conformer["mean"] == pytest.approx((0.10 + 0.12 + 0.14 + 0.20 + 0.26) / 5)
    transformer = frame.iloc[1]
    assert transformer["n_trials"] == 4
    assert transformer["n_fail"] == 2
    assert transformer["mean"] == pytest.approx(0.32)


def test_report_group_by_empty_one_setting(sweep_with_study):
    files = build_report(sweep_with_study, group_by=[])

    frame = pd.read_csv(files.settings_csv)
    assert len(frame) == 1
    assert frame.loc[0, "n_trials"] == 10
    assert frame.loc[0, "best_trial"] == 0
    assert "| all trials | 10 |" in files.markdown.read_text(encoding="utf-8")


def test_report_direction_override_maximize(sweep_with_study):
    files = build_report(sweep_with_study, direction="maximize")

    frame = pd.read_csv(files.settings_csv)
    assert frame.loc[0, "params_model"] == "transformer"
    assert settings_row(frame, "conformer", 3)["best_trial"] == 2
    assert "(direction from --direction)" in files.markdown.read_text(encoding="utf-8")


def test_report_job_dirs_without_study(tmp_path):
    sweep_dir = tmp_path / "sweep"
    write_job_dirs(sweep_dir)

    files = build_report(sweep_dir, metric="val/latent_rmse")

    frame = pd.read_csv(files.settings_csv)
    conformer_7 = settings_row(frame, "conformer", 7)
    assert conformer_7["mean"] == pytest.approx(0.23)
    assert conformer_7["n_pruned"] == 1
    transformer_3 = settings_row(frame, "transformer", 3)
    assert transformer_3["n_fail"] == 1
    assert transformer_3["std"] == pytest.approx(math.sqrt(2 * 0.02**2))

    trials = pd.read_csv(files.trials_csv)
    assert trials.loc[9, "fail_reason"] == "loss is NaN"
    assert "metrics.json is missing" in trials.loc[7, "fail_reason"]
    markdown = files.markdown.read_text(encoding="utf-8")
    assert (
        "minimize by default because no Optuna study or hydra.sweeper.direction gives"
    ) in markdown
    assert "Trial 0 (COMPLETE): val/latent_rmse = 0.1" in markdown
    assert "| `model` |" in markdown.split("## Parameter importances", 1)[1]


def test_report_job_dirs_use_multirun_config(tmp_path):
    sweep_dir = tmp_path / "sweep"
    write_job_dirs(sweep_dir)
    write_multirun_config(sweep_dir, "val/latent_rmse", "maximize")

    files = build_report(sweep_dir)

    frame = pd.read_csv(files.settings_csv)
    assert set(frame["objective"]) == {"val/latent_rmse"}
    assert set(frame["direction"]) == {"maximize"}
    assert settings_row(frame, "conformer", 3)["best_trial"] == 2
    assert frame.iloc[0]["params_model"] == "transformer"
    markdown = files.markdown.read_text(encoding="utf-8")
    assert f"(direction from hydra.sweeper.direction in {sweep_dir / 'multirun.yaml'})" in markdown


def test_report_job_dirs_use_job_config(tmp_path):
    sweep_dir = tmp_path / "sweep"
    write_job_dirs(sweep_dir, optimized_metric="test/latent_rmse", direction="maximize")

    files = build_report(sweep_dir)

    frame = pd.read_csv(files.settings_csv)
    assert set(frame["objective"]) == {"test/latent_rmse"}
    assert set(frame["direction"]) == {"maximize"}
    assert settings_row(frame, "conformer", 7)["best_value"] == pytest.approx(0.27)
    assert "params_optuna_trial.number" not in frame.columns
    assert "params_logger.group" not in frame.columns
    trials = pd.read_csv(files.trials_csv)
    assert "params_optuna_trial.trial_id" not in trials.columns
    assert set(trials["params_logger.group"]) == {"ablation"}
    markdown = files.markdown.read_text(encoding="utf-8")
    hydra_file = sweep_dir / "0" / ".hydra" / "hydra.yaml"
    assert f"(direction from hydra.sweeper.direction in {hydra_file})" in markdown


def test_report_objective_named_by_optimized_metric(sweep_with_study):
    write_multirun_config(sweep_with_study, "val/latent_rmse", "minimize")

    files = build_report(sweep_with_study)

    frame = pd.read_csv(files.settings_csv)
    assert set(frame["objective"]) == {"val/latent_rmse"}
    assert settings_row(frame, "conformer", 3)["mean"] == pytest.approx(0.12)
    assert (files.out_dir / "history_val_latent_rmse.png").is_file()
    assert (files.out_dir / "val_latent_rmse_vs_model.png").is_file()
    trials = pd.read_csv(files.trials_csv)
    assert trials.loc[0, "val/latent_rmse_running_best"] == pytest.approx(0.10)


def test_report_job_dirs_without_metric_lists_metrics(tmp_path):
    sweep_dir = tmp_path / "sweep"
    write_job_dirs(sweep_dir)

    with pytest.raises(ReportError, match="no Optuna study") as error:
        build_report(sweep_dir)

    assert "test/latent_rmse" in str(error.value)
    assert "val/latent_rmse" in str(error.value)


def test_report_moved_sweep_finds_metrics(sweep_with_study, tmp_path):
    moved = tmp_path / "copied_elsewhere"
    shutil.move(str(sweep_with_study), moved)

    files = build_report(moved, metric="test/latent_rmse")

    frame = pd.read_csv(files.settings_csv)
    assert settings_row(frame, "conformer", 3)["mean"] == pytest.approx(0.13)


def test_report_storage_url_with_study_name(sweep_with_study):
    url = f"sqlite:///{sweep_with_study / 'optuna.db'}"
    write_study(sweep_with_study, study_name="second")

    files = build_report(url, study_name=STUDY_NAME)

    assert files.out_dir == sweep_with_study / "report"
    frame = pd.read_csv(files.settings_csv)
    assert settings_row(frame, "conformer", 3)["mean"] == pytest.approx(0.12)


def test_report_several_studies_need_name(sweep_with_study):
    write_study(sweep_with_study, study_name="second")

    with pytest.raises(ReportError, match="pass --study-name") as error:
        build_report(sweep_with_study)

    assert "ablation" in str(error.value)
    assert "second" in str(error.value)


def test_report_unknown_study_name_lists_studies(sweep_with_study):
    with pytest.raises(ReportError, match="Study 'missing' not found") as error:
        build_report(sweep_with_study, study_name="missing")

    assert "it contains: ablation" in str(error.value)


def test_report_maximize_study_best_and_order(tmp_path):
    choices = CategoricalDistribution(["a", "b"])
    seeds = CategoricalDistribution([0, 1])
    trials = [
        ({"model": "a", "seed": 0}, TrialState.COMPLETE, [1.0]),
        ({"model": "a", "seed": 1}, TrialState.COMPLETE, [3.0]),
        ({"model": "b", "seed": 0}, TrialState.COMPLETE, [2.0]),
        ({"model": "b", "seed": 1}, TrialState.COMPLETE, [2.5]),
    ]
    sweep_dir = tmp_path / "sweep"
    write_small_study(sweep_dir, trials, ["maximize"], {"model": choices, "seed": seeds})

    files = build_report(sweep_dir)

    frame = pd.read_csv(files.settings_csv)
    assert list(frame["params_model"]) == ["b", "a"]
    assert list(frame["best_trial"]) == [3, 1]
    trials_frame = pd.read_csv(files.trials_csv)
    assert trials_frame["value_running_best"].tolist() == pytest.approx([1.0, 3.0, 3.0, 3.0])
    markdown = files.markdown.read_text(encoding="utf-8")
    assert "Trial 1 (COMPLETE): value = 3" in markdown
    assert "`value` from the study's objective values, maximize (direction from the study)" in markdown


def test_report_multi_objective_pareto(tmp_path):
    models = CategoricalDistribution(["a", "b", "c", "d"])
    trials = [
        ({"model": "a"}, TrialState.COMPLETE, [1.0, 1.0]),
        ({"model": "b"}, TrialState.COMPLETE, [2.0, 3.0]),
        ({"model": "c"}, TrialState.COMPLETE, [3.0, 2.0]),
        ({"model": "d"}, TrialState.COMPLETE, [0.5, 0.5]),
        ({"model": "d"}, TrialState.FAIL, None),
    ]
    sweep_dir = tmp_path / "sweep"
    write_small_study(sweep_dir, trials, ["minimize", "maximize"], {"model": models})

    files = build_report(sweep_dir)

    pareto_plot = files.out_dir / "pareto_value_0_vs_value_1.png"
    assert matplotlib.image.imread(pareto_plot).ndim == 3
    frame = pd.read_csv(files.settings_csv)
    assert list(frame["objective"]) == ["value_0"] * 4 + ["value_1"] * 4
    assert list(frame[frame["objective"] == "value_1"]["params_model"]) == ["b", "c", "a", "d"]
    markdown = files.markdown.read_text(encoding="utf-8")
    pareto_section = markdown.split("## Pareto-optimal trials", 1)[1].split("##")[0]
    pareto_numbers = [
        line.split("|")[1].strip()
        for line in pareto_section.splitlines()
        if line.startswith("| ") and not line.startswith("| trial")
    ]
    assert pareto_numbers == ["0", "1", "3"]


def test_report_metric_direction_from_named_objective(tmp_path):
    models = CategoricalDistribution(["a", "b", "c"])
    trials = [
        ({"model": "a"}, TrialState.COMPLETE, [0.3, 100.0]),
        ({"model": "b"}, TrialState.COMPLETE, [0.2, 300.0]),
        ({"model": "c"}, TrialState.COMPLETE, [0.1, 200.0]),
    ]
    throughput = [{"train_samples_per_s": value} for value in (10.0, 30.0, 20.0)]
    sweep_dir = tmp_path / "sweep"
    write_small_study(
        sweep_dir,
        trials,
        ["minimize", "maximize"],
        {"model": models},
        user_attrs=throughput,
    )
    write_multirun_config(
        sweep_dir, ["val/latent_rmse", "train_samples_per_s"], ["minimize", "maximize"]
    )

    files = build_report(sweep_dir, metric="train_samples_per_s")

    frame = pd.read_csv(files.settings_csv)
    assert set(frame["direction"]) == {"maximize"}
    assert list(frame["params_model"]) == ["b", "c", "a"]
    markdown = files.markdown.read_text(encoding="utf-8")
    assert "Trial 1 (COMPLETE): train_samples_per_s = 30" in markdown
    assert "(direction from the study)" in markdown


def test_report_multi_objective_named_pareto(tmp_path):
    models = CategoricalDistribution(["a", "b"])
    trials = [
        ({"model": "a"}, TrialState.COMPLETE, [0.3, 100.0]),
        ({"model": "b"}, TrialState.COMPLETE, [0.2, 300.0]),
    ]
    sweep_dir = tmp_path / "sweep"
    write_small_study(sweep_dir, trials, ["minimize", "minimize"], {"model": models})
    write_multirun_config(sweep_dir, ["val/latent_rmse", "n_parameters"], ["minimize", "minimize"])

    files = build_report(sweep_dir)

    assert (files.out_dir / "pareto_val_latent_rmse_vs_n_parameters.png").is_file()
    frame = pd.read_csv(files.settings_csv)
    assert list(frame["objective"]) == ["val/latent_rmse"] * 2 + ["n_parameters"] * 2
    with pytest.raises(ReportError, match="--direction sets one direction"):
        build_report(sweep_dir, direction="maximize")


def test_report_importance_too_few_trials_note(tmp_path):
    models = CategoricalDistribution(["a", "b"])
    trials = [
        ({"model": "a"}, TrialState.COMPLETE, [1.0]),
        ({"model": "b"}, TrialState.FAIL, None),
    ]
    sweep_dir = tmp_path / "sweep"
    write_small_study(sweep_dir, trials, ["minimize"], {"model": models})

    files = build_report(sweep_dir)

    markdown = files.markdown.read_text(encoding="utf-8")
    assert "need at least 2 COMPLETE trials with a value of value; found 1" in markdown
    assert "Trial 0 (COMPLETE): value = 1" in markdown


def test_report_importance_single_param_note(tmp_path):
    models = CategoricalDistribution(["a", "b"])
    trials = [
        ({"model": "a"}, TrialState.COMPLETE, [1.0]),
        ({"model": "b"}, TrialState.COMPLETE, [2.0]),
        ({"model": "a"}, TrialState.COMPLETE, [1.5]),
    ]
    sweep_dir = tmp_path / "sweep"
    write_small_study(sweep_dir, trials, ["minimize"], {"model": models})

    files = build_report(sweep_dir)

    markdown = files.markdown.read_text(encoding="utf-8")
    assert "Only one parameter (model) varies" in markdown
    assert markdown_row(markdown, "| `model` | 1.000 |") == ["`model`", "1.000"]


def test_report_missing_path_exit_code(tmp_path, caplog):
    missing = tmp_path / "no_such_sweep"

    with caplog.at_level(logging.ERROR, logger="cvae.report"):
        assert main([str(missing)]) == 2

    assert f"Path not found: {missing}" in caplog.text


def test_report_empty_dir_lists_searched(tmp_path):
    with pytest.raises(ReportError, match="No Optuna study and no trials found") as error:
        build_report(tmp_path)

    assert "optuna.db" in str(error.value)
    assert ".hydra/overrides.yaml" in str(error.value)


def test_report_metric_missing_lists_available(sweep_with_study):
    with pytest.raises(ReportError, match=r"Metric 'val/loss' \(from --metric\) not found") as error:
        build_report(sweep_with_study, metric="val/loss")

    assert "test/latent_rmse" in str(error.value)
    assert "read 9 metrics.json files" in str(error.value)


def test_report_metric_not_numeric(sweep_with_study):
    with pytest.raises(ReportError, match="Metric 'status' is 'completed'"):
        build_report(sweep_with_study, metric="status")


def test_report_group_by_unknown_key(sweep_with_study):
    with pytest.raises(ReportError, match="--group-by key.* model.d_model not found") as error:
        build_report(sweep_with_study, group_by=["model.d_model"])

    assert "model.conv_kernel_size" in str(error.value)


def test_report_missing_sqlite_not_created(tmp_path):
    database = tmp_path / "absent.db"

    with pytest.raises(ReportError, match="storage file not found"):
        build_report(f"sqlite:///{database}", out=tmp_path / "out")

    assert not database.exists()


def test_report_subprocess_writes_report(sweep_with_study, tmp_path):
    out_dir = tmp_path / "cli_report"

    completed = subprocess.run(
        [sys.executable, "-m", "cvae.report", str(sweep_with_study), "--out", str(out_dir)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr
    frame = pd.read_csv(out_dir / "report.csv")
    assert settings_row(frame, "conformer", 3)["mean"] == pytest.approx(0.12)
    assert settings_row(frame, "transformer", 3)["best_trial"] == 6
    for name in EXPECTED_PLOTS:
        assert matplotlib.image.imread(out_dir / name).ndim == 3, name
    assert str(out_dir / "report.md") in completed.stderr


def test_report_subprocess_error_exit_code(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "cvae.report", str(tmp_path), "--metric", "val/latent_rmse"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 2
    assert "No Optuna study and no trials found" in completed.stderr
    assert "Traceback" not in completed.stderr
