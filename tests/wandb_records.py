"""Read offline W&B runs back from disk with `wandb leet inspect` (wandb 0.31)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _wandb_command() -> list[str]:
    executable = Path(sys.executable).with_name("wandb")
    return [str(executable)] if executable.exists() else ["wandb"]


def offline_run_dirs(output_dir: Path) -> list[Path]:
    """Return the offline-run-* folders under a job's output folder."""
    return sorted(Path(output_dir).glob("**/wandb/offline-run-*"))


def read_run_summary(run_dir: Path) -> dict:
    """Return the run's state, config, tags and summary as `leet inspect --summary --json` prints."""
    output = subprocess.run(
        [*_wandb_command(), "leet", "inspect", "--summary", "--json", str(run_dir)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "WANDB_MODE": "offline"},
    ).stdout
    return json.loads(output)


def read_run_records(run_dir: Path) -> list[dict]:
    """Return every record of the run's transaction log (history, run, summary, …)."""
    output = subprocess.run(
        [*_wandb_command(), "leet", "inspect", "--json", str(run_dir)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "WANDB_MODE": "offline"},
    ).stdout
    return [json.loads(line) for line in output.splitlines() if line.strip().startswith("{")]


def history_rows(records: list[dict]) -> list[dict]:
    """Return the logged history rows as flat dicts of metric name to value."""
    return [record["history"]["item"] for record in records if record.get("type") == "history"]


def run_record(records: list[dict]) -> dict:
    """Return the first `run` record: display name, group, job type, tags, config."""
    return next(record["run"] for record in records if record.get("type") == "run")
