"""`python -m cvae.sample` on a smoke checkpoint, through real Hydra composition in a subprocess."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from conftest import run_module
from cvae.commands.conditions import (
    ConditionError,
    check_conditions,
    conditions_are_fractions,
    parse_conditions,
)

NAMES = ["gv_fraction", "npv_fraction", "soil_fraction"]


@pytest.fixture
def checkpoint(smoke_run) -> Path:
    return smoke_run / "checkpoints" / "best.pt"


def run_sample(checkpoint: Path, tmp_path: Path, name: str, *args: str, check: bool = True):
    run_dir = tmp_path / name
    result = run_module(
        "cvae.sample", [f"ckpt_path={checkpoint}", *args, f"hydra.run.dir={run_dir}"], tmp_path, check=check
    )
    return run_dir, result


def test_sample_writes_csv_npy_png(checkpoint, tmp_path):
    run_dir, _ = run_sample(
        checkpoint, tmp_path, "out", "conditions=[[0.4,0.35,0.25],[0.2,0.1,0.7]]", "n_per_condition=10"
    )

    payload = torch.load(checkpoint, weights_only=True)
    samples = np.load(run_dir / "samples.npy")
    assert samples.shape == (2, 10, 180)
    assert samples.dtype == np.float32
    wavelengths = np.load(run_dir / "wavelengths.npy")
    np.testing.assert_array_equal(wavelengths, payload["wavelengths"])

    table = pd.read_csv(run_dir / "samples.csv")
    band_columns = [f"{value:g}" for value in payload["wavelengths"]]
    assert list(table.columns) == ["sample_id", "condition_index", *NAMES, *band_columns]
    assert band_columns[:2] == ["400", "410"]
    assert table["sample_id"].tolist() == list(range(20))
    assert table["condition_index"].tolist() == [0] * 10 + [1] * 10
    np.testing.assert_allclose(table.loc[0, NAMES].to_numpy(float), [0.4, 0.35, 0.25])
    np.testing.assert_allclose(table.loc[19, NAMES].to_numpy(float), [0.2, 0.1, 0.7])
    np.testing.assert_array_equal(table[band_columns].to_numpy(np.float32), samples.reshape(20, 180))

    # The decoder ends in a sigmoid, so every value lies within the scaler's per-band
    # bounds: the training range widened by data.scaling_margin on each side.
    lower = np.asarray(payload["scaler"]["lower"])
    upper = np.asarray(payload["scaler"]["upper"])
    assert np.all(samples >= lower - 1e-6)
    assert np.all(samples <= upper + 1e-6)
    assert 0.0 < samples.min()
    assert samples.max() < 1.0
    assert (run_dir / "samples.png").stat().st_size > 10_000
    assert "Generated 2 x 10 spectra of 180 bands" in (run_dir / "sample.log").read_text()


def test_sample_same_seed_reproducible(checkpoint, tmp_path):
    common = ["conditions=[[0.5,0.25,0.25]]", "n_per_condition=6"]

    first, _ = run_sample(checkpoint, tmp_path, "first", *common, "seed=3")
    second, _ = run_sample(checkpoint, tmp_path, "second", *common, "seed=3")
    other, _ = run_sample(checkpoint, tmp_path, "other", *common, "seed=4")

    np.testing.assert_array_equal(np.load(first / "samples.npy"), np.load(second / "samples.npy"))
    assert not np.array_equal(np.load(first / "samples.npy"), np.load(other / "samples.npy"))


def test_sample_temperature_zero_identical(checkpoint, tmp_path):
    run_dir, _ = run_sample(
        checkpoint,
        tmp_path,
        "cold",
        "conditions=[[1,0,0],[0,0,1]]",
        "n_per_condition=5",
        "temperature=0",
    )

    samples = np.load(run_dir / "samples.npy")
    assert samples.shape == (2, 5, 180)
    # Rows of one batch may differ in the last float32 bit (vectorised kernels handle the
    # batch tail differently), so "identical" allows 1e-6 reflectance.
    for index in range(2):
        assert np.ptp(samples[index], axis=0).max() < 1e-6, f"condition {index} varies at temperature 0"


def test_sample_default_conditions_corners_and_mixture(checkpoint, tmp_path):
    run_dir, _ = run_sample(checkpoint, tmp_path, "defaults", "n_per_condition=2")

    conditions = np.load(run_dir / "conditions.npy")
    expected = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(conditions, expected)
    assert np.load(run_dir / "samples.npy").shape == (4, 2, 180)


def test_sample_default_conditions_not_fractions(checkpoint, tmp_path):
    run_dir, _ = run_sample(
        checkpoint, tmp_path, "not_fractions", "conditions_are_fractions=false", "n_per_condition=2"
    )

    # Without fractions there is no fixed default, so the training split is reloaded and
    # figure_conditions picks from it. These conditions are fractions after all, so it
    # returns the pure corners and the mean training condition.
    conditions = np.load(run_dir / "conditions.npy")
    assert conditions.shape == (4, 3)
    np.testing.assert_allclose(conditions[:3], np.eye(3))
    assert conditions[3].sum() == pytest.approx(1.0, abs=1e-5)
    assert not np.allclose(conditions[3], 1 / 3, atol=1e-3)
    assert "reloading the training data" in (run_dir / "sample.log").read_text()


def test_sample_rejects_bad_conditions(checkpoint, tmp_path):
    cases = {
        "wrong_length": ("conditions=[[0.5,0.5]]", "has 2 values, but the checkpoint was trained on 3 conditions"),
        "out_of_range": ("conditions=[[1.2,-0.1,-0.1]]", "outside [0, 1]"),
        "sum": ("conditions=[[0.4,0.35,0.2]]", "do not sum to 1 within sum_tolerance=0.001"),
        "sum_tolerance": (
            "conditions=[[0.4,0.35,0.26]]",
            "row 0 [0.4, 0.35, 0.26] (sum 1.01)",
        ),
    }
    for name, (override, message) in cases.items():
        run_dir, result = run_sample(checkpoint, tmp_path, name, override, check=False)

        assert result.returncode != 0, name
        assert message in result.stderr, f"{name}: {result.stderr[-2000:]}"
        assert not (run_dir / "samples.csv").exists(), name


def test_sample_tolerance_accepts_rounded_rows(checkpoint, tmp_path):
    run_dir, _ = run_sample(
        checkpoint, tmp_path, "loose", "conditions=[[0.4,0.35,0.26]]", "sum_tolerance=0.02", "n_per_condition=2"
    )

    np.testing.assert_allclose(np.load(run_dir / "conditions.npy"), [[0.4, 0.35, 0.26]])


def test_sample_normalize_rescales_rows(checkpoint, tmp_path):
    run_dir, _ = run_sample(
        checkpoint,
        tmp_path,
        "normalised",
        "conditions=[[0.4,0.4,0.4],[0.2,0.3,0.5]]",
        "condition_check=normalize",
        "n_per_condition=3",
    )

    table = pd.read_csv(run_dir / "samples.csv")
    np.testing.assert_allclose(table.loc[0, NAMES].to_numpy(float), [1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(table.loc[3, NAMES].to_numpy(float), [0.2, 0.3, 0.5])
    log_text = (run_dir / "sample.log").read_text()
    assert "Normalised 1 of 2 condition rows to sum to 1" in log_text
    assert "row 0 [0.4, 0.4, 0.4] (sum 1.2)" in log_text


def test_sample_missing_checkpoint_fails_clearly(tmp_path):
    missing = tmp_path / "nowhere" / "best.pt"

    run_dir, result = run_sample(missing, tmp_path, "missing", check=False)

    assert result.returncode != 0
    assert f"checkpoint not found: {missing}" in result.stderr
    assert not (run_dir / "samples.csv").exists()


def test_parse_conditions_flat_row():
    parsed = parse_conditions([0.2, 0.3, 0.5], NAMES)

    assert parsed.shape == (1, 3)
    np.testing.assert_allclose(parsed, [[0.2, 0.3, 0.5]])


def test_parse_conditions_rejects_non_numbers():
    with pytest.raises(ConditionError, match=r"row 1 \['a', 0.3, 0.5\] contains a value that is not a number"):
        parse_conditions([[0.2, 0.3, 0.5], ["a", 0.3, 0.5]], NAMES)
    with pytest.raises(ConditionError, match="contains NaN or infinity"):
        parse_conditions([[float("nan"), 0.3, 0.5]], NAMES)
    with pytest.raises(ConditionError, match="pass a list of rows with 3 values each"):
        parse_conditions([], NAMES)


def test_check_conditions_off_and_non_fractions_skip_checks():
    rows = np.array([[1.5, 0.2, 0.1]])

    np.testing.assert_array_equal(check_conditions(rows, NAMES, fractions=True, mode="off"), rows)
    np.testing.assert_array_equal(check_conditions(rows, ["rwc", "a", "b"], fractions=False), rows)
    with pytest.raises(ConditionError, match="outside"):
        check_conditions(rows, NAMES, fractions=True, mode="normalize")


def test_check_conditions_rejects_all_zero_row_on_normalize():
    with pytest.raises(ConditionError, match=r"rows \[0\] are all zero"):
        check_conditions(np.zeros((1, 3)), NAMES, fractions=True, mode="normalize")


def test_check_conditions_rejects_unknown_mode():
    with pytest.raises(ValueError, match="condition_check='clip' is invalid"):
        check_conditions(np.eye(3), NAMES, fractions=True, mode="clip")


def test_conditions_are_fractions_from_names():
    assert conditions_are_fractions(NAMES)
    assert not conditions_are_fractions(["tree", "water", "dirt", "road"])
    assert conditions_are_fractions(["tree", "water", "dirt", "road"], True)
    assert not conditions_are_fractions(NAMES, False)
    with pytest.raises(ValueError, match="use auto, true or false"):
        conditions_are_fractions(NAMES, "yes")
