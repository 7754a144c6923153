"""Resuming a study to its n_trials total, and recovering trials of a stopped sweep process."""

from __future__ import annotations

import time

import optuna
from optuna.storages import RDBStorage
from optuna.trial import TrialState
from sweep_app.runner import (
    STUDY_NAME,
    default_storage,
    load_trials,
    read_record,
    run_sweep,
    snapshot_files,
)


def test_sweeper_resume_keeps_earlier_job_dirs(tmp_path):
    sweep_dir = tmp_path / "sweep"
    common = ["x=interval(0,3)", "hydra.sweeper.sampler.seed=3"]
    run_sweep(sweep_dir, *common, "hydra.sweeper.n_trials=2")
    first_dirs = {name: snapshot_files(sweep_dir / name) for name in ("0", "1")}
    assert all(first_dirs.values())

    # The second invocation also has Hydra job numbers 0 and 1, but its job directories are
    # named after trial numbers 2 and 3.
    run_sweep(sweep_dir, *common, "hydra.sweeper.n_trials=4")

    for name, files in first_dirs.items():
        assert snapshot_files(sweep_dir / name) == files, name
    trials = load_trials(default_storage(sweep_dir))
    assert [trial.number for trial in trials] == [0, 1, 2, 3]
    assert all(trial.state == TrialState.COMPLETE for trial in trials)
    for trial in trials:
        assert read_record(sweep_dir / str(trial.number))["number"] == trial.number
        assert trial.user_attrs["job_dir"] == str(sweep_dir / str(trial.number))
    # The resumed run's sampler seed is offset, so it does not repeat trials 0 and 1.
    assert len({trial.params["x"] for trial in trials}) == 4

    # A third run with the total already reached starts nothing.
    result = run_sweep(sweep_dir, *common, "hydra.sweeper.n_trials=4")
    assert "this run starts up to 0 trials" in result.stdout + result.stderr
    assert len(load_trials(default_storage(sweep_dir))) == 4
    assert sorted(path.name for path in sweep_dir.iterdir() if path.is_dir()) == ["0", "1", "2", "3"]


def test_sweeper_fails_stale_trial_and_continues(tmp_path):
    sweep_dir = tmp_path / "sweep"
    sweep_dir.mkdir()
    storage_url = default_storage(sweep_dir)
    # A sweep process that asked for trial 0, beat once and then died.
    storage = RDBStorage(storage_url, heartbeat_interval=1)
    study = optuna.create_study(study_name=STUDY_NAME, storage=storage)
    crashed = study.ask()
    storage.record_heartbeat(crashed._trial_id)
    storage.engine.dispose()
    # Heartbeats have 1 s resolution in sqlite; 2 s of silence exceed a 1 s grace period.
    time.sleep(2.0)

    run_sweep(
        sweep_dir,
        "x=interval(0,1)",
        "hydra.sweeper.n_trials=3",
        "hydra.sweeper.heartbeat_interval=1",
        "hydra.sweeper.grace_period=1",
    )

    trials = load_trials(storage_url)
    assert [trial.number for trial in trials] == [0, 1, 2]
    assert trials[0].state == TrialState.FAIL
    assert trials[0].user_attrs["fail_reason"].startswith("stale: no heartbeat")
    assert not (sweep_dir / "0").exists()
    assert [trial.state for trial in trials[1:]] == [TrialState.COMPLETE, TrialState.COMPLETE]
