"""Figures of generated spectra against real spectra of similar conditions."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def break_at_gaps(wavelengths: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert NaN where bands were removed (a step over 1.5x the median step), so that a
    line plot leaves a gap there instead of a straight line across the water bands."""
    steps = np.diff(wavelengths)
    gaps = np.flatnonzero(steps > 1.5 * np.median(steps)) + 1
    return (
        np.insert(wavelengths.astype(float), gaps, np.nan),
        np.insert(values.astype(float), gaps, np.nan, axis=-1),
    )


def format_condition(names: list[str], values: np.ndarray) -> str:
    return ", ".join(f"{name} {value:.2f}" for name, value in zip(names, values))


def plot_generated_spectra(
    wavelengths: np.ndarray,
    conditions: np.ndarray,
    generated: np.ndarray,
    condition_names: list[str],
    real_means: np.ndarray | None = None,
    path: Path | None = None,
    title: str = "Generated spectra",
):
    """Plot, per condition, the mean generated spectrum with a 5–95 % band.

    Args:
        wavelengths: (n_bands,) in nm.
        conditions: (n_conditions_eval, n_conditions) requested condition vectors.
        generated: (n_conditions_eval, n_per_condition, n_bands) reflectance.
        real_means: optional (n_conditions_eval, n_bands) mean of real spectra with the
            nearest conditions, drawn dashed for comparison.
        path: where to save a PNG (150 dpi); the figure is returned either way.
    """
    n_panels = conditions.shape[0]
    columns = min(n_panels, 2)
    rows = int(np.ceil(n_panels / columns))
    figure, axes = plt.subplots(
        rows, columns, figsize=(6 * columns, 3.6 * rows), squeeze=False, sharey=True
    )
    for index, axis in enumerate(axes.flat):
        if index >= n_panels:
            axis.axis("off")
            continue
        samples = generated[index]
        band_range = np.percentile(samples, [5, 95], axis=0)
        x, (low, high) = break_at_gaps(wavelengths, band_range)
        axis.fill_between(x, low, high, alpha=0.3, label="generated 5–95 %")
        axis.plot(*break_at_gaps(wavelengths, samples.mean(axis=0)), label=f"generated mean (n={len(samples)})")
        if real_means is not None:
            axis.plot(
                *break_at_gaps(wavelengths, real_means[index]),
                "k--",
                linewidth=1,
                label="real, nearest conditions",
            )
        axis.set_title(format_condition(condition_names, conditions[index]), fontsize=9)
        axis.set_xlabel("wavelength (nm)")
        axis.set_ylabel("reflectance")
        axis.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=150)
    return figure
