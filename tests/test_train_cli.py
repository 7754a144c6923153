"""`python -m cvae.train` end to end through real Hydra composition, in a subprocess."""

from __future__ import annotations

import json

import torch

from conftest import TINY_CONFORMER, TINY_DATA, run_module
from wandb_records import history_rows, offline_run_dirs, read_run_records, read_run_summary, run_record


def test_train_smoke_run_writes_outputs(tmp_path):
    run_dir = tmp_path / "run"

    run_module(
        "cvae.train",
        [*TINY_CONFORMER, *TINY_DATA, "trainer=smoke", "logger=wandb", f"hydra.run.dir={run_dir}"],
        tmp_path,
    )

    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["status"] == "completed"
    assert metrics["epochs_trained"] == 2
    for name in ("val/recon_rmse", "val/latent_rmse", "test/recon_rmse", "test/latent_rmse"):
        assert 0 < metrics[name] < 1
    assert (run_dir / "generated_spectra.png").stat().st_size > 10_000
    assert "epoch 2/2" in (run_dir / "train.log").read_text()

    payload = torch.load(run_dir / "checkpoints" / "best.pt", weights_only=True)
    assert len(payload["wavelengths"]) == 180
    assert payload["wavelengths"][0] == 400.0
    assert payload["condition_names"] == ["gv_fraction", "npv_fraction", "soil_fraction"]
    assert payload["config"]["model"]["d_model"] == 16
    assert set(payload["scaler"]) >= {"low", "high"} or payload["scaler"]
    assert (run_dir / "checkpoints" / "last.pt").is_file()


def test_train_wandb_offline_run_read_back(tmp_path):
    run_dir = tmp_path / "run"

    run_module(
        "cvae.train",
        [
            *TINY_CONFORMER,
            *TINY_DATA,
            "trainer=smoke",
            "logger=wandb",
            "logger.group=readback",
            "logger.job_type=test",
            "logger.run_name=tiny",
            f"hydra.run.dir={run_dir}",
        ],
        tmp_path,
    )

    runs = offline_run_dirs(run_dir)
    assert len(runs) == 1
    summary = read_run_summary(runs[0])
    assert summary["state"] == "finished"
    assert summary["name"] == "tiny"
    assert summary["config"]["model"]["d_model"] == 16
    assert summary["config"]["trainer"]["max_epochs"] == 2
    assert summary["summary"]["n_parameters"] > 0
    assert summary["summary"]["status"] == "completed"
    assert 0 < summary["summary"]["val/latent_rmse"] < 1
    assert summary["summary"]["train_samples_per_s"] > 0
    assert "conformer" in summary["tags"]

    records = read_run_records(runs[0])
    run = run_record(records)
    assert run["run_group"] == "readback"
    assert run["job_type"] == "test"
    rows = history_rows(records)
    assert any("train/loss" in row for row in rows)
    assert sum("val/recon_rmse" in row for row in rows) == 2
    assert any("generated_spectra._type" in row for row in rows)
    assert list(runs[0].glob("files/media/images/generated_spectra_*.png"))


def test_train_resume_from_checkpoint(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    common = [*TINY_CONFORMER, *TINY_DATA, "trainer=smoke", "logger=none"]

    run_module("cvae.train", [*common, "trainer.max_epochs=1", f"hydra.run.dir={first}"], tmp_path)
    last = first / "checkpoints" / "last.pt"
    run_module(
        "cvae.train",
        [*common, "trainer.max_epochs=3", f"ckpt_path={last}", f"hydra.run.dir={second}"],
        tmp_path,
    )

    log_text = (second / "train.log").read_text()
    assert "Resumed at epoch 1" in log_text
    assert "epoch 1/3" not in log_text
    assert "epoch 3/3" in log_text
    resumed = torch.load(second / "checkpoints" / "last.pt", weights_only=True)
    assert resumed["training_state"]["epoch"] == 3
    assert len(resumed["training_state"]["history"]) == 3
    original = torch.load(last, weights_only=True)
    assert resumed["training_state"]["history"][0] == original["training_state"]["history"][0]


def test_train_rejects_invalid_model_before_data(tmp_path):
    cases = {
        "model.d_model=30": "d_model=30 must be divisible by n_heads=4",
        "model.conv_kernel_size=4": "conv_kernel_size=4 is invalid",
        "model.conv_kernel_size=-1": "conv_kernel_size=-1 is invalid",
        "optimized_metric=val/nothing": "optimized_metric names ['val/nothing']",
    }
    for index, (override, message) in enumerate(cases.items()):
        run_dir = tmp_path / f"case{index}"

        result = run_module(
            "cvae.train", ["logger=none", override, f"hydra.run.dir={run_dir}"], tmp_path, check=False
        )

        assert result.returncode != 0, override
        assert message in result.stderr, result.stderr[-2000:]
        assert not (run_dir / "checkpoints").exists()


def test_train_failure_finishes_wandb_run(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    run_module(
        "cvae.train",
        [*TINY_CONFORMER, *TINY_DATA, "trainer=smoke", "trainer.max_epochs=1", "logger=none", f"hydra.run.dir={first}"],
        tmp_path,
    )

    # A checkpoint of a narrower model cannot load into this one: training raises
    # after the W&B run has started.
    result = run_module(
        "cvae.train",
        [
            *TINY_CONFORMER,
            *TINY_DATA,
            "model.d_model=32",
            "trainer=smoke",
            "logger=wandb",
            f"ckpt_path={first / 'checkpoints' / 'last.pt'}",
            f"hydra.run.dir={second}",
        ],
        tmp_path,
        check=False,
    )

    assert result.returncode != 0
    metrics = json.loads((second / "metrics.json").read_text())
    assert metrics["status"] == "failed"
    assert "size mismatch" in metrics["error"]
    summary = read_run_summary(offline_run_dirs(second)[0])
    assert summary["state"] == "failed" or summary["exit_code"] == 1
    assert summary["summary"]["status"] == "failed"


def test_train_runs_from_other_working_directory(tmp_path):
    run_dir = tmp_path / "run"

    run_module(
        "cvae.train",
        ["model=mlp", *TINY_DATA, "trainer=smoke", "logger=none", f"hydra.run.dir={run_dir}"],
        tmp_path,
        cwd=tmp_path,
    )

    assert json.loads((run_dir / "metrics.json").read_text())["status"] == "completed"


def test_train_missing_csv_records_failure(tmp_path):
    run_dir = tmp_path / "run"

    result = run_module(
        "cvae.train",
        ["data=csv", f"data.path={tmp_path / 'missing.csv'}", "data.condition_columns=[a]", "logger=none", f"hydra.run.dir={run_dir}"],
        tmp_path,
        check=False,
    )

    assert result.returncode != 0
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["status"] == "failed"
    assert "missing.csv" in metrics["error"]
