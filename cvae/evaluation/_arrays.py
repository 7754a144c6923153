"""Input checks shared by the evaluation metrics."""

from __future__ import annotations

import numpy as np


def check_finite(array: np.ndarray, name: str) -> None:
    """Raise ValueError if ``array`` contains NaN or infinite values."""
    invalid = ~np.isfinite(array)
    if invalid.any():
        first = tuple(int(i) for i in np.argwhere(invalid)[0])
        raise ValueError(
            f"{name} contains {int(invalid.sum())} NaN or infinite values, the first at index "
            f"{first}. Drop or repair those spectra before computing metrics."
        )


def as_matrix(values, name: str, *, n_columns: int | None = None) -> np.ndarray:
    """Return ``values`` as a finite float64 array of shape (n_rows, n_columns)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (rows, columns), got shape {array.shape}.")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {array.shape}). At least one row is needed.")
    if n_columns is not None and array.shape[1] != n_columns:
        raise ValueError(
            f"{name} has {array.shape[1]} columns but {n_columns} are expected. Pass arrays "
            "with the same bands (or the same condition columns) everywhere."
        )
    check_finite(array, name)
    return array


def as_generated_groups(generated, n_groups: int, n_bands: int) -> list[np.ndarray]:
    """Split generated spectra into one (n_samples, n_bands) float64 array per condition.

    ``generated`` is either an array of shape (n_groups, n_per_condition, n_bands) or a
    sequence of n_groups arrays of shape (n_samples_i, n_bands), so groups may differ in size.
    """
    if isinstance(generated, np.ndarray) and generated.ndim != 3:
        raise ValueError(
            f"generated must have shape (n_eval_conditions, n_per_condition, n_bands), got "
            f"{generated.shape}. Group flat generated spectra with "
            "group_generated_by_condition() first."
        )
    if len(generated) != n_groups:
        raise ValueError(
            f"generated has {len(generated)} condition groups but there are {n_groups} "
            "evaluation conditions. Pass one group per evaluation condition, in the same order."
        )
    return [
        as_matrix(group, f"generated[{index}]", n_columns=n_bands)
        for index, group in enumerate(generated)
    ]
