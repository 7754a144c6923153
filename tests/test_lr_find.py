"""The learning-rate range test: its rules on known loss curves, and `python -m cvae.lr_find`."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from conftest import TINY_CONFORMER, TINY_DATA, run_module
from cvae.commands.lr_range import (
    RangeTestResult,
    lr_at_step,
    run_range_test,
    suggest_lr,
    validate_range_options,
)


def sigmoid_drop_loss(lr: float) -> float:
    """Loss that falls from 10 to 2 around lr = 1e-4, steepest exactly there, and blows
    up above lr = 0.1."""
    if lr > 0.1:
        return 1e3
    return 10.0 - 8.0 / (1.0 + math.exp(-3.0 * (math.log10(lr) + 4.0)))


def test_lr_at_step_exponential_ramp():
    lrs = [lr_at_step(step, 1e-6, 1.0, 7) for step in range(7)]

    np.testing.assert_allclose(lrs, [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0])


def test_range_test_stops_on_divergence():
    # 1e-7 to 1 in 71 steps puts every tenth of a decade, including 1e-4, on the grid.
    result = run_range_test(sigmoid_drop_loss, 1e-7, 1.0, 71, smoothing=0.0, divergence_factor=4.0)

    assert result.stop_reason == "diverged"
    assert result.diverged
    # The first LR above 0.1 is 10^-0.9; it is recorded, then the test stops.
    assert len(result.lrs) == 62
    assert result.lrs[-1] == pytest.approx(10**-0.9)
    assert result.losses[-1] == 1e3


def test_suggest_lr_steepest_at_known_slope():
    result = run_range_test(sigmoid_drop_loss, 1e-7, 1.0, 71, smoothing=0.0)

    suggestion = suggest_lr(result, "steepest", skip_start=5)

    assert suggestion["method"] == "steepest"
    assert suggestion["suggested_lr"] == pytest.approx(1e-4)
    assert suggestion["lr_steepest"] == pytest.approx(1e-4)
    # The loss keeps falling towards 2 up to the last LR before the blow-up, 0.1.
    assert suggestion["lr_min_loss"] == pytest.approx(0.1)
    assert suggestion["lr_min_loss_div10"] == pytest.approx(0.01)


def test_suggest_lr_min_loss_div10_rule():
    result = RangeTestResult(
        lrs=[1e-4, 1e-3, 1e-2, 1e-1, 1.0],
        losses=[5.0, 4.0, 3.0, 1.0, 9.0],
        smoothed=[5.0, 4.0, 3.0, 1.0, 9.0],
        stop_reason="diverged",
    )

    suggestion = suggest_lr(result, "min_loss_div10")

    assert suggestion["method"] == "min_loss_div10"
    assert suggestion["suggested_lr"] == pytest.approx(1e-2)
    assert suggestion["lr_min_loss"] == pytest.approx(1e-1)
    # 1e-2 to 1e-1 is the steepest fall (2 per decade, one-sided at the minimum).
    assert suggestion["lr_steepest"] == pytest.approx(1e-1)


def test_suggest_lr_rising_loss_fallback():
    result = run_range_test(lambda lr: 1.0 + lr, 1e-3, 1.0, 10, smoothing=0.0)

    suggestion = suggest_lr(result, "steepest")

    assert result.stop_reason == "completed"
    assert suggestion["lr_steepest"] is None
    assert suggestion["method"] == "min_loss_div10"
    assert suggestion["suggested_lr"] == pytest.approx(1e-4)


def test_suggest_lr_skips_noisy_start():
    # One step per decade from 1e-5. The spurious drop from step 0 to 1 (slope -5 per
    # decade at step 0) is steeper than the real fall around step 5 (-2.25).
    losses = [10.0, 5.0, 9.0, 8.8, 8.5, 6.0, 4.0, 3.9, 30.0]
    result = run_range_test(lambda lr: losses.pop(0), 1e-5, 1e3, 9, smoothing=0.0)

    assert suggest_lr(result, "steepest", skip_start=0)["suggested_lr"] == pytest.approx(1e-5)
    assert suggest_lr(result, "steepest", skip_start=3)["suggested_lr"] == pytest.approx(1.0)


def test_range_test_non_finite_loss_not_recorded():
    losses = [3.0, 2.0, float("nan"), 1.0]

    result = run_range_test(lambda lr: losses.pop(0), 1e-3, 1.0, 4, smoothing=0.5)

    assert result.stop_reason == "not_finite"
    assert len(result.lrs) == 2
    # Bias-corrected moving average: (0.5 * 3) / 0.5, then (0.25 * 3 + 0.5 * 2) / 0.75.
    np.testing.assert_allclose(result.smoothed, [3.0, 1.75 / 0.75])


def test_range_test_rejects_invalid_options():
    cases = {
        (0.0, 1.0, 10, 0.9, 4.0): "min_lr=0.0 is invalid",
        (1e-3, 1e-4, 10, 0.9, 4.0): "max_lr=0.0001 is invalid",
        (1e-6, 1.0, 1, 0.9, 4.0): "num_steps=1 is invalid",
        (1e-6, 1.0, 10, 1.0, 4.0): "smoothing=1.0 is invalid",
        (1e-6, 1.0, 10, 0.9, 1.0): "divergence_factor=1.0 is invalid",
    }
    for options, message in cases.items():
        with pytest.raises(ValueError, match=message):
            validate_range_options(*options)


def test_lr_find_cli_writes_suggestion_and_plot(tmp_path):
    run_dir = tmp_path / "run"

    run_module(
        "cvae.lr_find",
        [
            *TINY_CONFORMER,
            *TINY_DATA,
            "logger=none",
            "num_steps=14",
            "min_lr=1e-4",
            "max_lr=100",
            "skip_start=2",
            f"hydra.run.dir={run_dir}",
        ],
        tmp_path,
    )

    report = json.loads((run_dir / "lr_find.json").read_text())
    lrs = np.asarray(report["history"]["lr"])
    assert lrs[0] == pytest.approx(1e-4)
    np.testing.assert_allclose(lrs[1:] / lrs[:-1], 10 ** (6 / 13))
    assert len(report["history"]["loss"]) == len(lrs) == report["steps_recorded"]
    assert len(report["history"]["smoothed_loss"]) == len(lrs)
    # An LR of 100 makes AdamW steps far too large for this model, so the test stops early.
    assert report["diverged"] is True
    assert report["stop_reason"] in ("diverged", "not_finite")
    assert report["steps_recorded"] < 14
    assert 1e-4 <= report["suggested_lr"] <= 100
    assert report["suggested_lr"] in lrs.tolist() or report["method"] == "min_loss_div10"
    assert report["override"] == f"trainer.lr={report['suggested_lr']:.3g}"
    assert report["model"] == "conformer"
    assert report["batch_size"] == 32
    assert (run_dir / "lr_find.png").stat().st_size > 10_000
    assert f"Train with the override {report['override']}" in (run_dir / "lr_find.log").read_text()


def test_lr_find_cli_rejects_invalid_range_before_data(tmp_path):
    run_dir = tmp_path / "run"

    result = run_module(
        "cvae.lr_find",
        ["logger=none", "min_lr=1e-2", "max_lr=1e-3", f"hydra.run.dir={run_dir}"],
        tmp_path,
        check=False,
    )

    assert result.returncode != 0
    assert "max_lr=0.001 is invalid; it must be a number above min_lr=0.01" in result.stderr
    assert not (run_dir / "lr_find.json").exists()
    assert "library mixtures" not in (run_dir / "lr_find.log").read_text()
