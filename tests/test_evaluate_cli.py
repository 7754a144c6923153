"""`python -m cvae.evaluate` on a smoke checkpoint, through real Hydra composition in a subprocess."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from conftest import run_module
from cvae.evaluation import PER_CONDITION_METRICS

RECONSTRUCTION_METRICS = ("loss", "recon", "recon_latent", "kl", "recon_rmse", "latent_rmse", "prior_rmse")
FRACTION_METRICS = ("fraction_mae", "fraction_rmse", "fraction_mae_real", "fraction_rmse_real")
NAMES = ["gv_fraction", "npv_fraction", "soil_fraction"]


@pytest.fixture(scope="module")
def train_run(smoke_run) -> Path:
    return smoke_run


@pytest.fixture(scope="module")
def checkpoint(train_run) -> Path:
    return train_run / "checkpoints" / "best.pt"


@pytest.fixture(scope="module")
def test_split_run(checkpoint, tmp_path_factory) -> Path:
    """Evaluate the checkpoint once on its own test split; return the output folder."""
    tmp_path = tmp_path_factory.mktemp("evaluate")
    run_dir = tmp_path / "out"
    run_module(
        "cvae.evaluate",
        [f"ckpt_path={checkpoint}", "n_eval_conditions=6", "n_per_condition=8", f"hydra.run.dir={run_dir}"],
        tmp_path,
    )
    return run_dir


def run_evaluate(checkpoint: Path, tmp_path: Path, name: str, *args: str, check: bool = True):
    run_dir = tmp_path / name
    result = run_module(
        "cvae.evaluate", [f"ckpt_path={checkpoint}", *args, f"hydra.run.dir={run_dir}"], tmp_path, check=check
    )
    return run_dir, result


def write_spectra_csv(path: Path, wavelengths, condition_columns: list[str], n_rows: int = 12) -> Path:
    """Write a small table of random spectra in the field-spectra layout."""
    rng = np.random.default_rng(0)
    fractions = rng.dirichlet([1.0, 1.0, 1.0], size=n_rows)
    table = pd.DataFrame(fractions, columns=condition_columns)
    spectra = pd.DataFrame(
        rng.uniform(0.05, 0.6, size=(n_rows, len(wavelengths))), columns=[f"{w:g}" for w in wavelengths]
    )
    pd.concat([table, spectra], axis=1).to_csv(path, index=False)
    return path


def test_evaluate_metrics_json_keys_and_ranges(test_split_run):
    report = json.loads((test_split_run / "metrics.json").read_text())
    metrics = report["metrics"]

    expected = {*RECONSTRUCTION_METRICS, *PER_CONDITION_METRICS, *FRACTION_METRICS}
    expected |= {"n_eval_conditions", "n_conditions_without_neighbours"}
    assert set(metrics) == expected
    assert metrics["n_eval_conditions"] == 6
    assert metrics["n_conditions_without_neighbours"] == 0
    for name in ("recon_rmse", "latent_rmse", "prior_rmse", "mean_spectrum_rmse"):
        assert 0 < metrics[name] < 0.5, name
    for name in ("sam_mean_rad", "sam_mean_spectrum_rad"):
        assert 0 <= metrics[name] <= math.pi / 2, name
    for name in ("precision", "recall"):
        assert 0 <= metrics[name] <= 1, name
    assert metrics["energy_distance"] >= 0
    for name in FRACTION_METRICS:
        assert 0 <= metrics[name] <= 1, name

    assert report["data"]["split"] == "test"
    assert report["data"]["from_checkpoint"] is True
    assert report["data"]["n_spectra"] == 18
    assert report["data"]["n_bands"] == 180
    assert report["data"]["condition_names"] == NAMES
    assert report["fraction_estimator"]["method"] == "nnls"
    assert report["fraction_estimator"]["fit_on"] == "checkpoint"
    assert report["fraction_estimator"]["n_train_spectra"] == 84
    assert report["generation"]["n_per_condition"] == 8

    per_condition = report["per_condition"]
    assert np.asarray(per_condition["conditions"]).shape == (6, 3)
    np.testing.assert_allclose(np.asarray(per_condition["conditions"]).sum(axis=1), 1.0, atol=1e-5)
    assert np.asarray(per_condition["predicted_mean"]).shape == (6, 3)
    for name in PER_CONDITION_METRICS:
        assert len(per_condition[name]) == 6, name
        assert np.mean(per_condition[name]) == pytest.approx(metrics[name]), name


def test_evaluate_reconstruction_matches_training_test_metrics(train_run, test_split_run):
    trained = json.loads((train_run / "metrics.json").read_text())
    evaluated = json.loads((test_split_run / "metrics.json").read_text())["metrics"]

    # Same checkpoint, test split, scaler, batch size and seed as the training run's test.
    for name in ("recon_rmse", "latent_rmse", "prior_rmse"):
        assert evaluated[name] == pytest.approx(trained[f"test/{name}"], rel=1e-5), name


def test_evaluate_writes_plots(test_split_run):
    for name in ("real_vs_generated.png", "fraction_fidelity.png"):
        assert (test_split_run / name).stat().st_size > 10_000, name
    assert "recon_rmse" in (test_split_run / "evaluate.log").read_text()


def test_evaluate_split_all_with_ridge_on_evaluated(checkpoint, tmp_path):
    run_dir, _ = run_evaluate(
        checkpoint,
        tmp_path,
        "all",
        "split=all",
        "n_eval_conditions=4",
        "n_per_condition=4",
        "fraction_estimator.method=ridge",
        "fraction_estimator.fit_on=evaluated",
    )

    report = json.loads((run_dir / "metrics.json").read_text())
    assert report["data"]["split"] == "all"
    assert report["data"]["n_spectra"] == 120
    assert report["fraction_estimator"]["method"] == "ridge"
    assert report["fraction_estimator"]["fitted_alpha"] > 0
    assert report["metrics"]["n_eval_conditions"] == 4
    assert "fraction_mae_real understates the error" in (run_dir / "evaluate.log").read_text()


def test_evaluate_field_spectra_wavelength_mismatch(checkpoint, tmp_path, shared_data):
    run_dir, result = run_evaluate(checkpoint, tmp_path, "field", "data=field_spectra", check=False)

    assert result.returncode != 0
    assert "field_spectra_gv_npv_soil.csv: the dataset's wavelengths" in result.stderr
    assert "(170 bands, 400-2390 nm) do not match the checkpoint's (180 bands, 400-2450 nm)" in result.stderr
    assert not (run_dir / "metrics.json").exists()


def test_evaluate_csv_condition_order_mismatch(checkpoint, tmp_path):
    wavelengths = torch.load(checkpoint, weights_only=True)["wavelengths"]
    swapped = ["gv_fraction", "soil_fraction", "npv_fraction"]
    table = write_spectra_csv(tmp_path / "swapped.csv", wavelengths, swapped)

    run_dir, result = run_evaluate(
        checkpoint,
        tmp_path,
        "swapped",
        "data=csv",
        f"data.path={table}",
        f"data.condition_columns=[{','.join(swapped)}]",
        check=False,
    )

    assert result.returncode != 0
    assert f"the dataset's conditions {swapped} differ from the checkpoint's {NAMES}" in result.stderr
    assert not (run_dir / "metrics.json").exists()


def test_evaluate_missing_checkpoint_fails_clearly(tmp_path):
    missing = tmp_path / "nowhere" / "best.pt"

    run_dir, result = run_evaluate(missing, tmp_path, "missing", check=False)

    assert result.returncode != 0
    assert f"checkpoint not found: {missing}" in result.stderr
    assert not (run_dir / "metrics.json").exists()
