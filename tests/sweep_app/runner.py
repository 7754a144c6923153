"""Run the sweeper test app as a real Hydra multirun in a subprocess and read its results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import optuna

APP = Path(__file__).resolve().with_name("app.py")
STUDY_NAME = "app"  # hydra.job.name of app.py, the sweeper's default study name
TIMEOUT_S = 300


def sweep_command(sweep_dir: Path, overrides: list[str]) -> list[str]:
    return [
        sys.executable,
        str(APP),
        "--multirun",
        "hydra/sweeper=cvae_optuna",
        f"hydra.sweep.dir={sweep_dir}",
        *overrides,
    ]


def sweep_environment() -> dict[str, str]:
    environment = dict(os.environ)
    environment["HYDRA_FULL_ERROR"] = "1"
    return environment


def run_sweep(sweep_dir: Path, *overrides: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run one sweep to completion; with check, raise AssertionError showing its output on failure."""
    result = subprocess.run(
        sweep_command(sweep_dir, list(overrides)),
        cwd=sweep_dir.parent,
        env=sweep_environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"sweep exited with code {result.returncode}\n"
            f"stdout:\n{result.stdout[-6000:]}\nstderr:\n{result.stderr[-6000:]}"
        )
    return result


def start_sweep(sweep_dir: Path, *overrides: str, log_path: Path) -> subprocess.Popen:
    """Start a sweep in the background; stdout and stderr go to `log_path`."""
    log_file = open(log_path, "w")
    return subprocess.Popen(
        sweep_command(sweep_dir, list(overrides)),
        cwd=sweep_dir.parent,
        env=sweep_environment(),
        stdout=log_file,
        stderr=subprocess.STDOUT,
        text=True,
    )


def default_storage(sweep_dir: Path) -> str:
    return f"sqlite:///{sweep_dir / 'optuna.db'}"


def load_trials(storage: str, study_name: str = STUDY_NAME) -> list[optuna.trial.FrozenTrial]:
    study = optuna.load_study(study_name=study_name, storage=storage)
    return sorted(study.get_trials(), key=lambda trial: trial.number)


def read_record(job_dir: Path) -> dict:
    """Return the record.json that app.py writes into its job directory."""
    return json.loads((Path(job_dir) / "record.json").read_text())


def snapshot_files(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Return {relative path: (mtime in ns, content)} of every file under `folder`."""
    return {
        str(path.relative_to(folder)): (path.stat().st_mtime_ns, path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
