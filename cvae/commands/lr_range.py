"""Learning-rate range test: raise the LR exponentially, one batch per step, and watch the loss.

The loss recorded at each step is smoothed with a bias-corrected exponential moving
average. The test stops early when the loss is not finite or the smoothed loss exceeds
`divergence_factor` times the lowest smoothed loss so far.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

logger = logging.getLogger(__name__)

SUGGESTION_METHODS = ("steepest", "min_loss_div10")
# The min_loss_div10 suggestion is the LR of the lowest smoothed loss divided by this,
# because at the minimum the LR is already close to where training becomes unstable.
MIN_LOSS_DIVISOR = 10.0
# The steepest slope needs this many recorded steps up to the minimum to be meaningful.
MIN_STEPS_FOR_SLOPE = 3


@dataclass
class RangeTestResult:
    """The LR and loss of every recorded step, in order.

    `losses` are the raw batch losses; `smoothed` their bias-corrected exponential moving
    average. `stop_reason` is "completed", "diverged" or "not_finite".
    """

    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    smoothed: list[float] = field(default_factory=list)
    stop_reason: str = "completed"

    @property
    def diverged(self) -> bool:
        return self.stop_reason != "completed"


def validate_range_options(
    min_lr: float, max_lr: float, num_steps: int, smoothing: float, divergence_factor: float
) -> None:
    """Raise ValueError naming the first invalid option of the range test."""
    if not (isinstance(min_lr, (int, float)) and min_lr > 0 and math.isfinite(min_lr)):
        raise ValueError(f"min_lr={min_lr!r} is invalid; it must be a positive number.")
    if not (isinstance(max_lr, (int, float)) and math.isfinite(max_lr) and max_lr > min_lr):
        raise ValueError(f"max_lr={max_lr!r} is invalid; it must be a number above min_lr={min_lr}.")
    if isinstance(num_steps, bool) or not isinstance(num_steps, int) or num_steps < 2:
        raise ValueError(f"num_steps={num_steps!r} is invalid; it must be an integer >= 2.")
    if not (isinstance(smoothing, (int, float)) and 0 <= smoothing < 1):
        raise ValueError(f"smoothing={smoothing!r} is invalid; it must be in [0, 1).")
    if not (isinstance(divergence_factor, (int, float)) and divergence_factor > 1):
        raise ValueError(f"divergence_factor={divergence_factor!r} is invalid; it must be above 1.")


def lr_at_step(step: int, min_lr: float, max_lr: float, num_steps: int) -> float:
    """LR of step `step` (0-based) on the exponential ramp from min_lr (step 0) to max_lr (last)."""
    return min_lr * (max_lr / min_lr) ** (step / (num_steps - 1))


def run_range_test(
    train_step: Callable[[float], float],
    min_lr: float,
    max_lr: float,
    num_steps: int,
    smoothing: float = 0.98,
    divergence_factor: float = 4.0,
) -> RangeTestResult:
    """Call `train_step(lr)` for each LR of the ramp until it ends or the loss diverges.

    `train_step` trains on one batch at the given LR and returns that batch's loss. A
    non-finite loss is not recorded; a divergent finite one is, so the plot shows the rise.
    """
    validate_range_options(min_lr, max_lr, num_steps, smoothing, divergence_factor)
    result = RangeTestResult()
    average = 0.0
    best = math.inf
    for step in range(num_steps):
        lr = lr_at_step(step, min_lr, max_lr, num_steps)
        loss = float(train_step(lr))
        if not math.isfinite(loss):
            logger.info("Loss became %s at step %d (lr %.3g); stopping.", loss, step, lr)
            result.stop_reason = "not_finite"
            break
        average = smoothing * average + (1.0 - smoothing) * loss
        smoothed = average / (1.0 - smoothing ** (step + 1))
        result.lrs.append(lr)
        result.losses.append(loss)
        result.smoothed.append(smoothed)
        best = min(best, smoothed)
        if smoothed > divergence_factor * best:
            logger.info(
                "Smoothed loss %.4g exceeds %g x the best %.4g at step %d (lr %.3g); stopping.",
                smoothed,
                divergence_factor,
                best,
                step,
                lr,
            )
            result.stop_reason = "diverged"
            break
    return result


def suggest_lr(result: RangeTestResult, method: str = "steepest", skip_start: int = 0) -> dict:
    """Suggest a learning rate from a range test.

    "steepest": the LR where the smoothed loss falls fastest, i.e. the minimum of
    d(smoothed loss) / d(log10 lr), searched from step `skip_start` to the step of the
    lowest smoothed loss. The first steps are skipped because their moving average rests
    on a few batches, so batch noise there can look like a steep fall.
    "min_loss_div10": the LR of the lowest smoothed loss divided by 10. When the steepest
    slope is unavailable (fewer than 3 steps between skip_start and the minimum, or the
    loss never falls there) the min_loss_div10 rule is used and `method` in the result
    says so.

    Returns a dict with `suggested_lr`, `method` (the rule used), `lr_steepest` (or
    None), `lr_min_loss` and `lr_min_loss_div10`.
    """
    if isinstance(skip_start, bool) or not isinstance(skip_start, int) or skip_start < 0:
        raise ValueError(f"skip_start={skip_start!r} is invalid; it must be an integer >= 0.")
    if method not in SUGGESTION_METHODS:
        raise ValueError(f"suggestion={method!r} is invalid; use one of {', '.join(SUGGESTION_METHODS)}.")
    if not result.lrs:
        raise ValueError(
            "the range test recorded no finite loss, so no learning rate can be suggested; "
            "lower min_lr or check the data and model."
        )
    lrs = np.asarray(result.lrs)
    smoothed = np.asarray(result.smoothed)
    minimum = int(np.argmin(smoothed))
    lr_min_loss = float(lrs[minimum])
    suggestion = {
        "lr_min_loss": lr_min_loss,
        "lr_min_loss_div10": lr_min_loss / MIN_LOSS_DIVISOR,
        "lr_steepest": None,
    }

    if minimum + 1 - skip_start >= MIN_STEPS_FOR_SLOPE:
        slopes = np.gradient(smoothed[: minimum + 1], np.log10(lrs[: minimum + 1]))
        steepest = skip_start + int(np.argmin(slopes[skip_start:]))
        if slopes[steepest] < 0:
            suggestion["lr_steepest"] = float(lrs[steepest])

    if method == "steepest" and suggestion["lr_steepest"] is not None:
        suggestion.update(suggested_lr=suggestion["lr_steepest"], method="steepest")
        return suggestion
    if method == "steepest":
        logger.warning(
            "The smoothed loss does not fall over at least %d steps between step %d and its "
            "minimum, so the steepest-slope rule does not apply; suggesting the min-loss LR / %g "
            "instead. Widen the range (lower min_lr, more num_steps) for a clearer curve.",
            MIN_STEPS_FOR_SLOPE,
            skip_start,
            MIN_LOSS_DIVISOR,
        )
    suggestion.update(suggested_lr=suggestion["lr_min_loss_div10"], method="min_loss_div10")
    return suggestion


def plot_range_test(result: RangeTestResult, suggestion: dict, path: Path, title: str) -> Path:
    """Save loss against LR (log x axis) with the suggested LR marked."""
    figure, axis = plt.subplots(figsize=(7, 4.5))
    axis.plot(result.lrs, result.losses, color="0.7", linewidth=1, label="batch loss")
    axis.plot(result.lrs, result.smoothed, color="tab:blue", label="smoothed loss")
    suggested = suggestion["suggested_lr"]
    axis.axvline(
        suggested,
        color="tab:red",
        linestyle="--",
        label=f"suggested lr {suggested:.2e} ({suggestion['method']})",
    )
    if suggestion["method"] == "steepest":
        index = result.lrs.index(suggested)
        axis.plot(suggested, result.smoothed[index], "o", color="tab:red")

    # Fit the y axis to the steps up to the loss minimum. A divergent tail then rises off
    # the top instead of flattening the useful part of the curve.
    axis.set_xscale("log")
    minimum = int(np.argmin(result.smoothed))
    visible_losses = result.losses[: minimum + 1] + result.smoothed[: minimum + 1]
    low, high = min(visible_losses), max(visible_losses)
    if high > low:
        margin = 0.1 * (high - low)
        axis.set_ylim(low - margin, high + margin)

    axis.set_xlabel("learning rate")
    axis.set_ylabel("training loss")
    axis.set_title(title, fontsize=10)
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8)

    figure.tight_layout()
    figure.savefig(path, dpi=150)
    plt.close(figure)
    return path
