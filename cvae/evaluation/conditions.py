"""Choosing evaluation conditions and grouping generated spectra by condition."""

from __future__ import annotations

import numpy as np

from cvae.evaluation._arrays import as_matrix

# Maximum absolute difference per column at which a generated row's condition counts as
# equal to an evaluation condition. Storing a fraction in [0, 1] as float32, as
# SpectralDataset does, changes it by less than 6e-8.
DEFAULT_CONDITION_ATOL = 1e-6


def select_eval_conditions(conditions, n: int, seed: int) -> np.ndarray:
    """Draw ``n`` distinct condition rows from a real data split, reproducibly.

    Duplicate rows are collapsed first, so every returned row is unique. The same
    ``conditions``, ``n`` and ``seed`` always return the same rows in the same order
    (the order of np.unique, which sorts rows lexicographically).

    Args:
        conditions: (n_samples, n_conditions) conditions of a real split, for example
            the test split.
        n: number of evaluation conditions to return, at most the number of unique rows.
        seed: seed of the numpy random generator.

    Returns:
        (n, n_conditions) float64 array.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer number of conditions, got {n!r}.")
    unique_rows = np.unique(as_matrix(conditions, "conditions"), axis=0)
    if n > unique_rows.shape[0]:
        raise ValueError(
            f"Requested {n} evaluation conditions but the split has only "
            f"{unique_rows.shape[0]} unique condition rows. Request at most that many."
        )
    rng = np.random.default_rng(seed)
    chosen = np.sort(rng.choice(unique_rows.shape[0], size=n, replace=False))
    return unique_rows[chosen]


def group_generated_by_condition(
    generated,
    generated_conditions,
    eval_conditions,
    atol: float = DEFAULT_CONDITION_ATOL,
) -> list[np.ndarray]:
    """Split flat generated spectra into one group per evaluation condition.

    Args:
        generated: (n_rows, n_bands) generated spectra, one per row.
        generated_conditions: (n_rows, n_conditions) the condition each row was generated for.
        eval_conditions: (n_eval, n_conditions) evaluation conditions.
        atol: maximum absolute difference per column for a row to match a condition.

    Returns:
        n_eval arrays of shape (n_samples_i, n_bands), in the order of ``eval_conditions``.
        Rows keep their original order within a group.

    Raises:
        ValueError: if a row matches no evaluation condition or an evaluation condition
            has no generated rows.
    """
    spectra = as_matrix(generated, "generated")
    row_conditions = as_matrix(generated_conditions, "generated_conditions")
    targets = as_matrix(eval_conditions, "eval_conditions", n_columns=row_conditions.shape[1])
    if row_conditions.shape[0] != spectra.shape[0]:
        raise ValueError(
            f"generated has {spectra.shape[0]} rows but generated_conditions has "
            f"{row_conditions.shape[0]}. Pass one condition per generated spectrum."
        )

    # (n_rows, n_eval) largest per-column difference between a row and each condition.
    differences = np.abs(row_conditions[:, None, :] - targets[None, :, :]).max(axis=2)
    nearest = differences.argmin(axis=1)
    unmatched = np.flatnonzero(differences[np.arange(len(nearest)), nearest] > atol)
    if unmatched.size:
        row = int(unmatched[0])
        raise ValueError(
            f"{unmatched.size} generated rows match no evaluation condition within "
            f"atol={atol}, the first is row {row} with condition {row_conditions[row].tolist()}. "
            "Generate only for the evaluation conditions or widen atol."
        )

    groups = [spectra[nearest == index] for index in range(targets.shape[0])]
    empty = [index for index, group in enumerate(groups) if group.shape[0] == 0]
    if empty:
        raise ValueError(
            f"{len(empty)} evaluation conditions have no generated rows, the first is "
            f"{targets[empty[0]].tolist()} (index {empty[0]}). Generate spectra for every "
            "evaluation condition."
        )
    return groups
