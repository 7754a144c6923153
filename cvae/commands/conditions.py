"""Parse and check the condition vectors that a user requests from a checkpoint.

A checkpoint stores its condition names but not the training conditions themselves, so
`conditions_are_fractions` decides from the names whether the fraction checks apply
(see there). The checks are:

- length: every row has one value per training condition. Always an error.
- finite: no NaN or infinity. Always an error.
- range: every value of a fraction row lies in [0, 1]. An error unless the mode is `off`.
- sum: every fraction row sums to 1 within `sum_tolerance`. An error in mode `error`,
  a logged division by the row sum in mode `normalize`, and skipped in mode `off`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
from omegaconf import DictConfig, ListConfig, OmegaConf

logger = logging.getLogger(__name__)

CONDITION_CHECK_MODES = ("error", "normalize", "off")
FRACTION_SUFFIX = "_fraction"
# Rows quoted in one error or log message; the rest are counted.
MAX_ROWS_IN_MESSAGE = 3


class ConditionError(ValueError):
    """Requested conditions that the checkpoint's model cannot be asked for."""


def conditions_are_fractions(condition_names: Sequence[str], setting: bool | str = "auto") -> bool:
    """Decide whether the training conditions were cover fractions (rows summing to 1).

    `setting` true or false is returned as is. With "auto", the conditions count as
    fractions when every condition name ends in "_fraction", as the names of the
    library mixtures and of the field spectra do. Other fraction data, such as the
    Jasper Ridge abundances named tree, water, dirt and road, need `setting=True`.
    """
    if isinstance(setting, bool):
        return setting
    if setting != "auto":
        raise ValueError(
            f"conditions_are_fractions={setting!r} is invalid; use auto, true or false."
        )
    return all(name.endswith(FRACTION_SUFFIX) for name in condition_names)


def conditions_sum_to_one(conditions: np.ndarray, tolerance: float = 1e-2) -> bool:
    """Return whether real condition rows look like fractions: in [0, 1] and summing to 1.

    The default tolerance of 1e-2 on the row sums is the one `cvae.generation.figure_conditions`
    uses to decide the same question.
    """
    conditions = np.asarray(conditions, dtype=np.float64)
    in_range = conditions.min() >= -1e-6 and conditions.max() <= 1 + 1e-6
    return bool(in_range and np.allclose(conditions.sum(axis=1), 1.0, atol=tolerance))


def default_conditions(n_conditions: int) -> np.ndarray:
    """Return the pure corners of the fraction simplex and the equal mixture.

    Shape (n_conditions + 1, n_conditions); the last row is 1 / n_conditions everywhere.
    """
    corners = np.eye(n_conditions)
    mixture = np.full((1, n_conditions), 1.0 / n_conditions)
    return np.concatenate([corners, mixture])


def parse_conditions(raw: Any, condition_names: Sequence[str]) -> np.ndarray:
    """Turn the `conditions` option into a float64 array (n_rows, n_conditions).

    `raw` is a list of rows, or one flat list for a single condition. Raises
    ConditionError naming the row for a wrong length, a non-number or a non-finite value.
    """
    if isinstance(raw, (ListConfig, DictConfig)):
        raw = OmegaConf.to_container(raw, resolve=True)
    expected = len(condition_names)
    if not isinstance(raw, (list, tuple)) or len(raw) == 0:
        raise ConditionError(
            f"conditions={raw!r} is invalid; pass a list of rows with {expected} values each "
            f"({', '.join(condition_names)}), e.g. conditions=[{_example_row(expected)}]."
        )
    rows = [raw] if not isinstance(raw[0], (list, tuple)) else raw

    parsed = []
    for index, row in enumerate(rows):
        if not isinstance(row, (list, tuple)) or len(row) != expected:
            length = len(row) if isinstance(row, (list, tuple)) else 1
            raise ConditionError(
                f"conditions row {index} {row!r} has {length} values, but the checkpoint was "
                f"trained on {expected} conditions ({', '.join(condition_names)}); give every "
                f"row {expected} values in that order."
            )
        try:
            values = [float(value) for value in row]
        except (TypeError, ValueError) as error:
            raise ConditionError(
                f"conditions row {index} {row!r} contains a value that is not a number: {error}."
            ) from error
        if not all(np.isfinite(values)):
            raise ConditionError(f"conditions row {index} {row!r} contains NaN or infinity.")
        parsed.append(values)
    return np.asarray(parsed, dtype=np.float64)


def validate_check_options(mode: str, sum_tolerance: float) -> None:
    """Raise ValueError for an unknown `condition_check` mode or a negative tolerance."""
    if mode not in CONDITION_CHECK_MODES:
        raise ValueError(
            f"condition_check={mode!r} is invalid; use one of {', '.join(CONDITION_CHECK_MODES)}."
        )
    if isinstance(sum_tolerance, bool) or not isinstance(sum_tolerance, (int, float)) or not sum_tolerance >= 0:
        raise ValueError(f"sum_tolerance={sum_tolerance!r} is invalid; it must be a number >= 0.")


def check_conditions(
    conditions: np.ndarray,
    condition_names: Sequence[str],
    *,
    fractions: bool,
    mode: str = "error",
    sum_tolerance: float = 1e-3,
) -> np.ndarray:
    """Apply the range and sum checks of `mode` to fraction rows; return the rows to use.

    Returns `conditions` unchanged, or in mode "normalize" with every row whose sum is off
    by more than `sum_tolerance` divided by its sum. Raises ConditionError for rows that
    fail a check in mode "error", and for out-of-range or all-zero rows in "normalize".
    """
    validate_check_options(mode, sum_tolerance)
    if mode == "off" or not fractions:
        return conditions

    names = ", ".join(condition_names)
    outside = np.flatnonzero(((conditions < 0) | (conditions > 1)).any(axis=1))
    if outside.size:
        raise ConditionError(
            f"{outside.size} of {len(conditions)} condition rows have fractions outside [0, 1]: "
            f"{_quote_rows(conditions, outside)}. The checkpoint's conditions ({names}) are "
            "cover fractions; fix those rows, or pass condition_check=off to request them anyway."
        )

    sums = conditions.sum(axis=1)
    off_sum = np.flatnonzero(np.abs(sums - 1.0) > sum_tolerance)
    if off_sum.size == 0:
        return conditions
    if mode == "error":
        raise ConditionError(
            f"{off_sum.size} of {len(conditions)} condition rows do not sum to 1 within "
            f"sum_tolerance={sum_tolerance}: "
            f"{_quote_rows(conditions, off_sum, sums)}. The checkpoint's conditions ({names}) are "
            "cover fractions; fix those rows, or pass condition_check=normalize to divide each "
            "row by its sum."
        )

    zero = off_sum[sums[off_sum] == 0]
    if zero.size:
        raise ConditionError(
            f"conditions rows {zero.tolist()} are all zero and cannot be normalised to sum to 1."
        )
    normalised = conditions.copy()
    normalised[off_sum] /= sums[off_sum, None]
    logger.warning(
        "Normalised %d of %d condition rows to sum to 1 (condition_check=normalize): %s.",
        off_sum.size,
        len(conditions),
        _quote_rows(conditions, off_sum, sums),
    )
    return normalised


def _quote_rows(conditions: np.ndarray, indices: np.ndarray, sums: np.ndarray | None = None) -> str:
    quoted = []
    for index in indices[:MAX_ROWS_IN_MESSAGE]:
        text = f"row {index} {np.round(conditions[index], 6).tolist()}"
        if sums is not None:
            text += f" (sum {sums[index]:.6g})"
        quoted.append(text)
    if indices.size > MAX_ROWS_IN_MESSAGE:
        quoted.append(f"and {indices.size - MAX_ROWS_IN_MESSAGE} more")
    return ", ".join(quoted)


def _example_row(n_values: int) -> str:
    """Return a one-hot row such as [1,0,0], valid for fraction and other conditions."""
    return "[" + ",".join("1" if index == 0 else "0" for index in range(n_values)) + "]"
