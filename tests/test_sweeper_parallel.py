"""Parallel trials with the joblib launcher and concurrent sweep processes on one study."""

from __future__ import annotations

import os
import subprocess

from optuna.trial import TrialState
from sweep_app.runner import (
    TIMEOUT_S,
    default_storage,
    load_trials,
    read_record,
    start_sweep,
)


def wait_for(process: subprocess.Popen, log_path) -> None:
    try:
        returncode = process.wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        raise
    assert returncode == 0, log_path.read_text()[-6000:]


def test_sweeper_two_processes_share_study(tmp_path):
    sweep_dir = tmp_path / "sweep"
    storage_url = f"sqlite:///{tmp_path / 'shared.db'}"
    common = [
        f"hydra.sweeper.storage={storage_url}",
        "hydra.sweeper.study_name=shared",
        "hydra.sweeper.n_trials=6",
        "x=interval(0,2)",
        "epochs=2",
        "sleep_s=0.3",
    ]
    # Both processes write into one sweep directory: trial-number job directories keep
    # them apart. Different sampler seeds keep them from proposing the same x.
    processes = [
        start_sweep(
            sweep_dir,
            *common,
            f"hydra.sweeper.sampler.seed={seed}",
            log_path=tmp_path / f"sweep{seed}.log",
        )
        for seed in (1, 2)
    ]
    for seed, process in zip((1, 2), processes):
        wait_for(process, tmp_path / f"sweep{seed}.log")

    trials = load_trials(storage_url, study_name="shared")
    assert [trial.number for trial in trials] == [0, 1, 2, 3, 4, 5]
    assert all(trial.state == TrialState.COMPLETE for trial in trials)
    records = {trial.number: read_record(sweep_dir / str(trial.number)) for trial in trials}
    for number, record in records.items():
        assert record["number"] == number
        assert record["params"] == trials[number].params
        assert record["logger"]["group"] == "shared"
    assert sorted(path.name for path in sweep_dir.iterdir() if path.is_dir()) == [str(n) for n in range(6)]


def test_sweeper_joblib_launcher_splits_threads(tmp_path):
    sweep_dir = tmp_path / "sweep"
    log_path = tmp_path / "sweep.log"
    process = start_sweep(
        sweep_dir,
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        "hydra.sweeper.n_jobs=2",
        "hydra.sweeper.n_trials=4",
        "hydra/sweeper/pruner=median",
        "x=interval(0,2)",
        log_path=log_path,
    )
    wait_for(process, log_path)

    trials = load_trials(default_storage(sweep_dir))
    assert [trial.number for trial in trials] == [0, 1, 2, 3]
    assert all(trial.state == TrialState.COMPLETE for trial in trials)
    expected_threads = max(1, len(os.sched_getaffinity(0)) // 2)
    records = [read_record(sweep_dir / str(trial.number)) for trial in trials]
    for trial, record in zip(trials, records):
        assert record["num_threads"] == expected_threads
        assert record["params"] == trial.params
        assert sorted(trial.intermediate_values) == [1, 2, 3]
    # The jobs ran in joblib worker processes, not in the sweep process.
    assert process.pid not in {record["pid"] for record in records}
