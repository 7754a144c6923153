"""best_trial.yaml and pareto_front.csv that the cvae_optuna sweeper writes into the sweep dir."""

from __future__ import annotations

import csv

import pytest
import yaml
from optuna.trial import TrialState
from sweep_app.runner import default_storage, load_trials, run_sweep


def test_sweeper_writes_best_trial(tmp_path):
    sweep_dir = tmp_path / "sweep"
    run_sweep(
        sweep_dir,
        "hydra/sweeper/sampler=grid",
        "x=choice(0,1,3)",
        "seed=7",
    )

    trials = load_trials(default_storage(sweep_dir))
    best = next(trial for trial in trials if trial.params["x"] == 1)
    content = yaml.safe_load((sweep_dir / "best_trial.yaml").read_text())
    assert content["study_name"] == "app"
    assert content["storage"] == default_storage(sweep_dir)
    assert content["direction"] == "minimize"
    assert content["metric"] == "objective"
    assert content["number"] == best.number
    assert content["value"] == 0.0
    assert content["params"] == {"x": 1}
    assert content["user_attrs"]["job_dir"] == str(sweep_dir / str(best.number))
    assert content["user_attrs"]["seed"] == 7
    assert content["trial_counts"] == {"COMPLETE": 3}
    assert not (sweep_dir / "pareto_front.csv").exists()


def test_sweeper_writes_pareto_front(tmp_path):
    sweep_dir = tmp_path / "sweep"
    run_sweep(
        sweep_dir,
        "hydra/sweeper/sampler=grid",
        "x=choice(0,1,2)",
        "optimized_metric=[objective,abs_x]",
        "hydra.sweeper.direction=[minimize,minimize]",
        # Reports are ignored in a multi-objective study, so the pruner must not matter.
        "hydra/sweeper/pruner=median",
    )

    trials = load_trials(default_storage(sweep_dir))
    assert all(trial.state == TrialState.COMPLETE for trial in trials)
    number_of = {trial.params["x"]: trial.number for trial in trials}
    with open(sweep_dir / "pareto_front.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))

    # (objective, |x|): x=0 -> (1, 0), x=1 -> (0, 1), x=2 -> (1, 2), which x=0 dominates.
    assert [int(row["number"]) for row in rows] == sorted([number_of[0], number_of[1]])
    by_x = {int(row["params_x"]): row for row in rows}
    assert sorted(by_x) == [0, 1]
    assert float(by_x[0]["objective"]) == pytest.approx(1.0)
    assert float(by_x[0]["abs_x"]) == pytest.approx(0.0)
    assert float(by_x[1]["objective"]) == pytest.approx(0.0)
    assert float(by_x[1]["abs_x"]) == pytest.approx(1.0)
    assert by_x[1]["job_dir"] == str(sweep_dir / str(number_of[1]))
    assert by_x[1]["seed"] == "0"
    assert not (sweep_dir / "best_trial.yaml").exists()
