"""Pruning through TrialReporter, in-process against real sqlite storage and in a real sweep."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import optuna
import pytest
from omegaconf import OmegaConf
from optuna.trial import TrialState
from sweep_app.runner import default_storage, load_trials, read_record, run_sweep

from cvae.sweep.reporting import PRUNER_SYSTEM_ATTR, TrialReporter

MEDIAN_PRUNER = {
    "_target_": "optuna.pruners.MedianPruner",
    "n_startup_trials": 1,
    "n_warmup_steps": 0,
    "interval_steps": 1,
    "n_min_trials": 1,
}


def make_trial(storage: str, study_name: str = "unit", pruner_config=None, directions=None):
    """Create a study (if needed) and a RUNNING trial with one sampled parameter x."""
    study = optuna.create_study(
        study_name=study_name,
        storage=storage,
        directions=directions or ["minimize"],
        load_if_exists=True,
    )
    trial = study.ask()
    trial.suggest_float("x", 0.0, 1.0)
    if pruner_config is not None:
        study._storage.set_trial_system_attr(trial._trial_id, PRUNER_SYSTEM_ATTR, pruner_config)
    return study, trial


def trial_config(storage: str, trial, study_name: str = "unit", **changes):
    info = {
        "storage": storage,
        "study_name": study_name,
        "trial_id": trial._trial_id,
        "number": trial.number,
    }
    info.update(changes)
    return OmegaConf.create({"optuna_trial": info, "trainer": {"max_epochs": 3}})


@pytest.mark.parametrize("cfg", [{"optuna_trial": None}, {"trainer": {"max_epochs": 3}}])
def test_reporter_is_noop_without_trial(cfg, tmp_path):
    reporter = TrialReporter.from_config(OmegaConf.create(cfg))

    assert reporter.active is False
    assert reporter.number is None
    assert reporter.params == {}
    for step in range(1, 4):
        assert reporter.report(float("nan"), step) is None
    reporter.set_user_attr("epochs", 3)
    assert list(tmp_path.iterdir()) == []


def test_reporter_stores_values_and_attrs(tmp_path):
    storage = f"sqlite:///{tmp_path / 'unit.db'}"
    study, trial = make_trial(storage)

    reporter = TrialReporter.from_config(trial_config(storage, trial))
    assert reporter.active is True
    assert reporter.number == trial.number
    assert reporter.params == {"x": trial.params["x"]}
    reporter.report(0.5, 1)
    reporter.report(0.25, 2)
    reporter.set_user_attr("epochs_done", 2)

    stored = optuna.load_study(study_name="unit", storage=storage).trials[trial.number]
    assert stored.intermediate_values == {1: 0.5, 2: 0.25}
    assert stored.user_attrs["epochs_done"] == 2
    assert stored.state == TrialState.RUNNING


def test_reporter_raises_trial_pruned(tmp_path):
    storage = f"sqlite:///{tmp_path / 'unit.db'}"
    study, first = make_trial(storage, pruner_config=MEDIAN_PRUNER)
    first.report(1.0, 1)
    study.tell(first, 1.0)
    _, second = make_trial(storage, pruner_config=MEDIAN_PRUNER)

    reporter = TrialReporter.from_config(trial_config(storage, second))
    with pytest.raises(optuna.TrialPruned, match="pruned at step 1"):
        reporter.report(5.0, 1)
    assert optuna.load_study(study_name="unit", storage=storage).trials[1].intermediate_values == {1: 5.0}


def test_reporter_ignores_reports_in_multi_objective_study(tmp_path):
    storage = f"sqlite:///{tmp_path / 'unit.db'}"
    _, trial = make_trial(storage, pruner_config=MEDIAN_PRUNER, directions=["minimize", "minimize"])

    reporter = TrialReporter.from_config(trial_config(storage, trial))
    reporter.report(5.0, 1)

    assert optuna.load_study(study_name="unit", storage=storage).trials[0].intermediate_values == {}


def test_reporter_rejects_mismatched_trial(tmp_path):
    storage = f"sqlite:///{tmp_path / 'unit.db'}"
    study, trial = make_trial(storage)

    with pytest.raises(ValueError, match="has number 0, not optuna_trial.number=5"):
        TrialReporter.from_config(trial_config(storage, trial, number=5))
    with pytest.raises(ValueError, match="belongs to study 'unit', not to"):
        TrialReporter.from_config(trial_config(storage, trial, study_name="other"))
    with pytest.raises(ValueError, match=r"missing \['trial_id'\]"):
        TrialReporter.from_config(trial_config(storage, trial, trial_id=None))

    study.tell(trial, state=TrialState.FAIL)
    with pytest.raises(RuntimeError, match="is FAIL, not RUNNING"):
        TrialReporter.from_config(trial_config(storage, trial))


def test_sweeper_prunes_worse_trials(tmp_path):
    sweep_dir = tmp_path / "sweep"
    run_sweep(
        sweep_dir,
        "hydra/sweeper/pruner=median",
        "hydra.sweeper.pruner.n_startup_trials=1",
        "x=interval(0,1)",
        # Each later trial reports 10 * its number more, so it is worse than trial 0 at
        # every step and the median pruner stops it at its first report.
        "number_penalty=10",
        "hydra.sweeper.n_trials=3",
    )

    trials = load_trials(default_storage(sweep_dir))
    assert [trial.state for trial in trials] == [
        TrialState.COMPLETE,
        TrialState.PRUNED,
        TrialState.PRUNED,
    ]
    assert sorted(trials[0].intermediate_values) == [1, 2, 3]
    for trial in trials[1:]:
        assert sorted(trial.intermediate_values) == [1]
        # Optuna stores the last reported value as a pruned trial's value.
        assert trial.value == pytest.approx(trial.intermediate_values[1])
        assert "fail_reason" not in trial.user_attrs
        assert read_record(sweep_dir / str(trial.number))["epochs_done"] == 0

    for trial in trials:
        record = read_record(sweep_dir / str(trial.number))
        assert record["number"] == trial.number
        assert record["params"] == trial.params
        assert record["logger"]["group"] == "app"
        assert record["logger"]["job_type"] == "sweep_trial"
        assert record["num_threads"] is None


BRACKETS_SCRIPT = """
import json, optuna
from cvae.sweep.pruners import StableHyperbandPruner
pruner = StableHyperbandPruner(min_resource=1, max_resource=81, reduction_factor=3)
study = optuna.create_study(study_name="brackets", pruner=pruner)
# Private in optuna 2.10.1: fills the brackets, which prune() would do on first use.
pruner._try_initialization(study)
numbers = []
for number in range(40):
    trial = optuna.trial.create_trial(value=0.0)
    trial.number = number
    numbers.append(pruner._get_bracket_id(study, trial))
print(json.dumps(numbers))
"""


def test_stable_hyperband_brackets_match_across_processes():
    brackets = []
    for hash_seed in ("1", "2"):
        output = subprocess.run(
            [sys.executable, "-c", BRACKETS_SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        brackets.append(json.loads(output.splitlines()[-1]))

    assert brackets[0] == brackets[1]
    # max_resource 81 with reduction factor 3 gives 5 brackets; 40 trials use several.
    assert len(set(brackets[0])) >= 3
