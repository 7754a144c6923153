"""Figures of `python -m cvae.evaluate`: real against generated spectra, and fraction fidelity."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from cvae.plots import plot_generated_spectra  # noqa: E402


def neighbourhood_means(real_spectra: np.ndarray, neighbourhoods: list[np.ndarray]) -> np.ndarray:
    """Mean real spectrum of each neighbourhood, (n_eval, n_bands); NaN where it is empty."""
    means = np.full((len(neighbourhoods), real_spectra.shape[1]), np.nan)
    for index, rows in enumerate(neighbourhoods):
        if len(rows):
            means[index] = real_spectra[rows].mean(axis=0)
    return means


def save_real_vs_generated(
    path: Path,
    wavelengths: np.ndarray,
    eval_conditions: np.ndarray,
    generated: np.ndarray,
    condition_names: list[str],
    real_means: np.ndarray,
    title: str,
) -> Path:
    """Save one panel per evaluation condition: generated mean and 5-95 % band, real mean dashed."""
    figure = plot_generated_spectra(
        wavelengths,
        eval_conditions,
        generated,
        condition_names,
        real_means=real_means,
        path=path,
        title=title,
    )
    plt.close(figure)
    return path


def save_fraction_fidelity(
    path: Path,
    condition_names: list[str],
    eval_conditions: np.ndarray,
    predicted_generated: np.ndarray,
    real_conditions: np.ndarray,
    predicted_real: np.ndarray,
    title: str,
) -> Path:
    """Save requested against predicted value, one panel per condition name.

    Args:
        eval_conditions: (n_eval, n_conditions) requested conditions.
        predicted_generated: (n_eval, n_per_condition, n_conditions) estimator output on
            the generated spectra.
        real_conditions, predicted_real: (n_real, n_conditions) true and predicted values
            of the evaluated real spectra, drawn in grey as the estimator's own error.
    """
    n_columns = len(condition_names)
    figure, axes = plt.subplots(1, n_columns, figsize=(4 * n_columns, 4.2), squeeze=False)
    requested = np.repeat(eval_conditions[:, None, :], predicted_generated.shape[1], axis=1)
    low = min(0.0, float(np.min(eval_conditions)), float(np.min(predicted_generated)))
    high = max(1.0, float(np.max(eval_conditions)), float(np.max(predicted_generated)))

    for column, (axis, name) in enumerate(zip(axes.flat, condition_names)):
        axis.plot([low, high], [low, high], color="0.6", linewidth=1, label="predicted = requested")
        axis.scatter(
            real_conditions[:, column],
            predicted_real[:, column],
            s=12,
            marker="x",
            color="0.5",
            alpha=0.6,
            label="real spectra (estimator error)",
        )
        axis.scatter(
            requested[:, :, column].ravel(),
            predicted_generated[:, :, column].ravel(),
            s=6,
            alpha=0.25,
            color="tab:blue",
            label="generated spectra",
        )
        axis.errorbar(
            eval_conditions[:, column],
            predicted_generated[:, :, column].mean(axis=1),
            yerr=predicted_generated[:, :, column].std(axis=1),
            fmt="o",
            color="tab:red",
            markersize=4,
            capsize=2,
            label="generated mean ± std per condition",
        )
        axis.set_xlim(low, high)
        axis.set_ylim(low, high)
        axis.set_aspect("equal")
        axis.set_xlabel(f"requested {name}")
        axis.set_ylabel(f"predicted {name}")
        axis.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=7, loc="upper left")
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=150)
    plt.close(figure)
    return path
