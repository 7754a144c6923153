"""Failed trials, the failure budget and pre-launch rejection in the cvae_optuna sweeper."""

from __future__ import annotations

import pytest
from optuna.trial import TrialState
from sweep_app.runner import default_storage, load_trials, read_record, run_sweep

# Grid over every app mode, so each mode runs exactly once in random order.
MODE_GRID = ["hydra/sweeper/sampler=grid", "mode=choice(ok,return_nan,return_inf,raise)"]

EXPECTED_REASONS = {
    "return_nan": "the objective is not finite: returned [nan]",
    "return_inf": "the objective is not finite: returned [inf]",
    "raise": "the job raised RuntimeError: test app raised on purpose",
}


def test_sweeper_records_nan_inf_and_raise_as_fail(tmp_path):
    sweep_dir = tmp_path / "sweep"
    run_sweep(
        sweep_dir,
        *MODE_GRID,
        "hydra.sweeper.n_trials=4",
        "hydra.sweeper.max_failures=3",
        "hydra.sweeper.max_failure_rate=null",
    )

    trials = load_trials(default_storage(sweep_dir))
    assert [trial.number for trial in trials] == [0, 1, 2, 3]
    by_mode = {trial.params["mode"]: trial for trial in trials}
    assert sorted(by_mode) == ["ok", "raise", "return_inf", "return_nan"]

    assert by_mode["ok"].state == TrialState.COMPLETE
    assert by_mode["ok"].value == pytest.approx(1.0)
    assert "fail_reason" not in by_mode["ok"].user_attrs
    for mode, expected_reason in EXPECTED_REASONS.items():
        trial = by_mode[mode]
        assert trial.state == TrialState.FAIL, mode
        assert trial.user_attrs["fail_reason"].startswith(expected_reason), mode
        assert trial.user_attrs["job_dir"] == str(sweep_dir / str(trial.number))
        assert trial.user_attrs["seed"] == 0

    # The raising job stopped before its first epoch; the others ran all three.
    assert read_record(sweep_dir / str(by_mode["raise"].number))["epochs_done"] == 0
    assert read_record(sweep_dir / str(by_mode["return_nan"].number))["epochs_done"] == 3


@pytest.mark.parametrize(
    ("budget", "expected_failures", "expected_source"),
    [
        # Every batch contains one trial, so a per-batch count would never exceed 1.
        (["hydra.sweeper.max_failures=1", "hydra.sweeper.max_failure_rate=null"], 2, "max_failures=1"),
        # 0.5 * 4 planned trials = 2 allowed; a per-batch rate (1 of 1) would stop at once.
        (["hydra.sweeper.max_failure_rate=0.5"], 3, "max_failure_rate=0.5 of the 4 trials"),
    ],
)
def test_sweeper_failure_budget_stops_sweep(tmp_path, budget, expected_failures, expected_source):
    sweep_dir = tmp_path / "sweep"
    result = run_sweep(
        sweep_dir,
        "mode=return_nan",
        "x=interval(0,1)",
        "hydra.sweeper.n_trials=4",
        *budget,
        check=False,
    )

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"Stopped the sweep: {expected_failures} trials failed in this run" in output
    assert expected_source in output
    assert "SweepFailureBudgetExceeded" in output

    trials = load_trials(default_storage(sweep_dir))
    assert len(trials) == expected_failures
    assert all(trial.state == TrialState.FAIL for trial in trials)
    assert not (sweep_dir / str(expected_failures)).exists()
    assert not (sweep_dir / "best_trial.yaml").exists()


def test_sweeper_rejects_invalid_model_before_launch(tmp_path):
    sweep_dir = tmp_path / "sweep"
    run_sweep(
        sweep_dir,
        "hydra/sweeper/sampler=grid",
        "model.d_model=choice(30,32)",
        "model.n_heads=4",
        "hydra.sweeper.trial_check=cvae.sweep.checks.check_model_config",
        # Rejections do not count against the budget, so even a zero budget finishes.
        "hydra.sweeper.max_failures=0",
    )

    trials = load_trials(default_storage(sweep_dir))
    by_d_model = {trial.params["model.d_model"]: trial for trial in trials}
    assert sorted(by_d_model) == [30, 32]

    rejected = by_d_model[30]
    assert rejected.state == TrialState.FAIL
    reason = rejected.user_attrs["fail_reason"]
    assert reason.startswith("rejected before launch by cvae.sweep.checks.check_model_config")
    assert "divisible by n_heads=4" in reason
    assert not (sweep_dir / str(rejected.number)).exists()

    accepted = by_d_model[32]
    assert accepted.state == TrialState.COMPLETE
    assert read_record(sweep_dir / str(accepted.number))["params"] == {"model.d_model": 32}


def test_sweeper_existing_job_dir_stops_sweep(tmp_path):
    sweep_dir = tmp_path / "sweep"
    (sweep_dir / "0").mkdir(parents=True)
    (sweep_dir / "0" / "keep.txt").write_text("earlier study")

    result = run_sweep(sweep_dir, "x=interval(0,1)", "hydra.sweeper.n_trials=2", check=False)

    assert result.returncode != 0
    assert "SweepDirectoryConflict" in result.stdout + result.stderr
    assert "Job directory" in result.stdout + result.stderr
    assert (sweep_dir / "0" / "keep.txt").read_text() == "earlier study"
    assert sorted(path.name for path in (sweep_dir / "0").iterdir()) == ["keep.txt"]
    trials = load_trials(default_storage(sweep_dir))
    assert len(trials) == 1
    assert trials[0].state == TrialState.FAIL
    assert "SweepDirectoryConflict" in trials[0].user_attrs["fail_reason"]
