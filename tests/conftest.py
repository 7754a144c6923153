"""Shared fixtures: paths, the shared real data, and a subprocess runner for the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

# Small enough that a training epoch takes about a second on 2 CPU cores.
TINY_CONFORMER = [
    "model=conformer",
    "model.d_model=16",
    "model.n_heads=2",
    "model.n_layers=1",
    "model.latent_dim=4",
    "model.conv_kernel_size=5",
    "model.ffn_expansion=2",
]
TINY_DATA = ["data.n_samples=120", "data.batch_size=32"]


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real spectra not found at {SHARED_DATA}; these tests need ../shared/data")
    return SHARED_DATA


def cli_environment(tmp_path: Path) -> dict[str, str]:
    """Environment for CLI runs: W&B offline and its folders inside tmp_path."""
    environment = dict(os.environ)
    environment.update(
        WANDB_MODE="offline",
        WANDB_CACHE_DIR=str(tmp_path / "wandb_cache"),
        WANDB_CONFIG_DIR=str(tmp_path / "wandb_config"),
        WANDB_DATA_DIR=str(tmp_path / "wandb_data"),
        HYDRA_FULL_ERROR="1",
    )
    return environment


def run_module(module: str, args: list[str], tmp_path: Path, check: bool = True, cwd: Path | None = None):
    """Run `python -m module args...` and return the CompletedProcess."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=cwd or REPO_ROOT,
        env=cli_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"python -m {module} failed with exit code {result.returncode}\n"
            f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
        )
    return result


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory) -> Path:
    """Train the tiny Conformer for two epochs once per test session; return its run folder.

    Tests may read its checkpoints but must write their own outputs elsewhere.
    """
    tmp_path = tmp_path_factory.mktemp("smoke_train")
    run_dir = tmp_path / "run"
    run_module(
        "cvae.train",
        [*TINY_CONFORMER, *TINY_DATA, "trainer=smoke", "logger=none", f"hydra.run.dir={run_dir}"],
        tmp_path,
    )
    return run_dir
