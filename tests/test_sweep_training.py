"""Sweeps of real `python -m cvae.train` jobs on the embedded data, stored in sqlite.

Three invocations share one sweep directory and study, so each later one resumes the
study: a good trial, a trial pruned for being worse at every epoch, and a trial whose job
raises. Every trial is checked in the study, on disk and in its offline W&B run.
"""

from __future__ import annotations

import json
from pathlib import Path

import optuna
from conftest import TINY_CONFORMER, TINY_DATA, run_module
from optuna.trial import TrialState
from wandb_records import offline_run_dirs, read_run_records, read_run_summary, run_record

STUDY = "tiny_sweep"


def sweep(tmp_path: Path, sweep_dir: Path, n_trials: int, *overrides: str):
    return run_module(
        "cvae.train",
        [
            "--multirun",
            "hydra/sweeper=cvae_optuna",
            "hydra/sweeper/pruner=median",
            "hydra.sweeper.pruner.n_startup_trials=1",
            "hydra.sweeper.pruner.n_warmup_steps=0",
            f"hydra.sweeper.study_name={STUDY}",
            f"hydra.sweeper.n_trials={n_trials}",
            f"hydra.sweep.dir={sweep_dir}",
            *TINY_CONFORMER,
            *TINY_DATA,
            "trainer=smoke",
            "trainer.max_epochs=3",
            "trainer.early_stopping_patience=3",
            "logger=wandb",
            *overrides,
        ],
        tmp_path,
    )


def directory_snapshot(directory: Path) -> dict[str, float]:
    return {str(path): path.stat().st_mtime_ns for path in directory.rglob("*") if path.is_file()}


def test_sweep_of_training_jobs_prunes_fails_and_resumes(tmp_path):
    sweep_dir = tmp_path / "sweep"
    storage = f"sqlite:///{sweep_dir / 'optuna.db'}"

    # 1. A learning rate that trains: the reference trial.
    sweep(tmp_path, sweep_dir, 1, "trainer.lr=3e-3")
    first_job = directory_snapshot(sweep_dir / "0")

    # 2. Resume to 2 trials with a learning rate too small to learn: worse than the
    #    median of earlier trials at epoch 1, so the median pruner stops it.
    sweep(tmp_path, sweep_dir, 2, "trainer.lr=1e-9")

    # 3. Resume to 3 trials with a checkpoint that does not exist: the job raises, and
    #    the failure budget allows one failure so the sweep finishes.
    sweep(
        tmp_path,
        sweep_dir,
        3,
        f"ckpt_path={tmp_path / 'missing.pt'}",
        "hydra.sweeper.max_failures=1",
        "hydra.sweeper.max_failure_rate=null",
    )

    study = optuna.load_study(study_name=STUDY, storage=storage)
    trials = sorted(study.trials, key=lambda trial: trial.number)
    assert [trial.state for trial in trials] == [TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL]
    assert "checkpoint not found" in trials[2].user_attrs["fail_reason"]
    assert sorted(trials[0].intermediate_values) == [1, 2, 3]
    assert list(trials[1].intermediate_values) == [1]

    # Resumed invocations wrote new job directories and left the first one untouched.
    assert directory_snapshot(sweep_dir / "0") == first_job
    for trial in trials:
        assert Path(trial.user_attrs["job_dir"]) == sweep_dir / str(trial.number)

    statuses = [json.loads((sweep_dir / str(n) / "metrics.json").read_text())["status"] for n in range(3)]
    assert statuses == ["completed", "pruned", "failed"]

    # One finished offline W&B run per trial, all in the study's group.
    for trial in trials:
        runs = offline_run_dirs(sweep_dir / str(trial.number))
        assert len(runs) == 1
        records = read_run_records(runs[0])
        run = run_record(records)
        assert run["run_group"] == STUDY
        assert run["job_type"] == "sweep_trial"
        summary = read_run_summary(runs[0])
        assert summary["config"]["trial_number"] == trial.number
        assert summary["summary"]["status"] == statuses[trial.number]
    pruned_summary = read_run_summary(offline_run_dirs(sweep_dir / "1")[0])
    assert "pruned" in pruned_summary["tags"]
    assert pruned_summary["summary"]["pruned"] is True
    completed_summary = read_run_summary(offline_run_dirs(sweep_dir / "0")[0])
    assert completed_summary["summary"]["val/mean_spectrum_rmse"] == trials[0].value
