"""Seeded train/validation/test splits, optionally keeping each group in one split."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import numpy as np

from cvae.data.dataset import SpectralDataset
from cvae.data.errors import DataError

logger = logging.getLogger(__name__)

SPLIT_NAMES = ("train", "val", "test")
# Number of group labels listed per split in the log before the rest are counted.
_LOGGED_GROUPS = 20


def name_prefix(name: str) -> str:
    """Return the part of a sample name before the first underscore or digit.

    For example "QUE12_a" -> "QUE" and "Resop058" -> "Resop". A name that starts with
    a digit or underscore has an empty prefix, so the whole name is returned instead.
    """
    match = re.match(r"[^_0-9]*", name)
    prefix = match.group(0) if match else ""
    return prefix if prefix else name


def split_dataset(
    dataset: SpectralDataset,
    val_fraction: float,
    test_fraction: float,
    seed: int,
    groups: Sequence[str] | None = None,
) -> tuple[SpectralDataset, SpectralDataset, SpectralDataset]:
    """Split a dataset into train, validation and test parts with a seeded shuffle.

    Without `groups`, the validation and test parts get round(n * fraction) samples
    (at least one each when the fraction is above 0) and train gets the rest. With
    `groups` (one label per sample), whole groups are assigned so that no group is in
    two parts, and the part sizes only approximate the fractions. Raises DataError
    when there are too few samples or groups for every requested part.
    """
    check_split_fractions(val_fraction, test_fraction)
    fractions = np.array([1.0 - val_fraction - test_fraction, val_fraction, test_fraction])
    rng = np.random.default_rng(seed)

    if groups is None:
        part_indices = _split_samples(dataset, fractions, rng)
    else:
        if len(groups) != dataset.n_samples:
            raise DataError(
                f"{dataset.source}: {len(groups)} group labels for {dataset.n_samples} samples."
            )
        part_indices = _split_groups(dataset, np.asarray(groups, dtype=str), fractions, rng)

    parts = tuple(dataset.subset(np.sort(indices)) for indices in part_indices)
    _log_split(dataset, parts, groups, part_indices)
    return parts


def check_split_fractions(val_fraction: float, test_fraction: float) -> None:
    """Raise DataError unless both fractions are in [0, 1) and leave training data."""
    for key, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not 0.0 <= value < 1.0:
            raise DataError(f"data.{key} must be in [0, 1), got {value!r}.")
    if val_fraction + test_fraction >= 1.0:
        raise DataError(
            f"data.val_fraction + data.test_fraction must be below 1 so that training data "
            f"remains, got {val_fraction} + {test_fraction}."
        )


def _part_sizes(n_samples: int, fractions: np.ndarray) -> tuple[int, int, int]:
    sizes = [0, 0, 0]
    for part in (1, 2):
        if fractions[part] > 0:
            sizes[part] = max(1, int(round(n_samples * fractions[part])))
    sizes[0] = n_samples - sizes[1] - sizes[2]
    return sizes[0], sizes[1], sizes[2]


def _split_samples(dataset: SpectralDataset, fractions: np.ndarray, rng: np.random.Generator):
    n_samples = dataset.n_samples
    n_train, n_val, n_test = _part_sizes(n_samples, fractions)
    if n_train < 1:
        needed = next(n for n in range(1, 10_000) if _part_sizes(n, fractions)[0] >= 1)
        raise DataError(
            f"{dataset.source}: too few samples for the split: {n_samples} sample(s), but "
            f"val_fraction={fractions[1]:g} and test_fraction={fractions[2]:g} need at least "
            f"{needed}. Add data or lower the fractions."
        )
    order = rng.permutation(n_samples)
    return order[:n_train], order[n_train : n_train + n_val], order[n_train + n_val :]


def _split_groups(
    dataset: SpectralDataset, groups: np.ndarray, fractions: np.ndarray, rng: np.random.Generator
):
    """Assign whole groups, in a seeded random order, to the part furthest below its target.

    "Furthest below" is relative to the part's target size, with ties going to test,
    then validation, then train. So the first groups go to each requested part in turn
    and no requested part stays empty.
    """
    labels, group_of_sample = np.unique(groups, return_inverse=True)
    requested = [part for part in range(3) if fractions[part] > 0]
    if labels.size < len(requested):
        raise DataError(
            f"{dataset.source}: too few groups for a grouped split: {labels.size} group(s) "
            f"{labels.tolist()}, but train, validation and test parts with a fraction above 0 "
            f"need at least {len(requested)}. Lower val_fraction or test_fraction to 0, or "
            "split without groups."
        )

    group_sizes = np.bincount(group_of_sample)
    targets = fractions * dataset.n_samples
    filled = np.zeros(3)
    part_of_group = np.empty(labels.size, dtype=np.int64)
    preference = [2, 1, 0]  # test, val, train: tie order
    for group in rng.permutation(labels.size):
        deficits = {part: (targets[part] - filled[part]) / targets[part] for part in requested}
        part = max(sorted(requested, key=preference.index), key=lambda p: deficits[p])
        part_of_group[group] = part
        filled[part] += group_sizes[group]

    part_of_sample = part_of_group[group_of_sample]
    return tuple(np.flatnonzero(part_of_sample == part) for part in range(3))


def _log_split(dataset, parts, groups, part_indices) -> None:
    sizes = ", ".join(f"{name} {part.n_samples}" for name, part in zip(SPLIT_NAMES, parts))
    logger.info("Split %s: %s samples.", dataset.source, sizes)
    if groups is None:
        return
    groups = np.asarray(groups, dtype=str)
    for name, indices in zip(SPLIT_NAMES, part_indices):
        labels = sorted(set(groups[indices].tolist()))
        listed_labels = labels[:_LOGGED_GROUPS]
        more = f" and {len(labels) - len(listed_labels)} more" if len(labels) > len(listed_labels) else ""
        logger.info(
            "Split %s: %s has %d group(s): %s%s.", dataset.source, name, len(labels), listed_labels, more
        )
