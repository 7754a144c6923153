"""Checks for non-finite values that name the first bad row and column."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from cvae.data.errors import DataError


def check_finite(
    values: np.ndarray,
    *,
    source: str,
    array_name: str,
    column_labels: Sequence[str],
    describe_row: Callable[[int], str],
    hint: str,
) -> None:
    """Raise DataError when `values` (n_rows, n_columns) contains NaN or infinity.

    The message names `source`, the first bad row (in row order) and its column, the
    number of bad values, and ends with `hint`, the fix to suggest.
    """
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    row, column = np.argwhere(bad)[0]
    raise DataError(
        f"{source}: {array_name} contain {int(bad.sum())} missing or non-finite value(s) "
        f"(NaN or infinity). The first is {float(values[row, column])} at {describe_row(int(row))}, "
        f"column {column_labels[column]!r}. {hint}"
    )
