"""Wavelength parsing, unit conversion and band selection shared by the loaders."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from cvae.data.dataset import SpectralDataset
from cvae.data.errors import DataError

logger = logging.getLogger(__name__)

# Reflectance spectrometers cover roughly 350-2500 nm, which is 0.35-2.5 in micrometres.
# Wavelengths whose maximum is below this value are taken as micrometres.
_MAX_MICROMETRE_WAVELENGTH = 30.0


def parse_wavelength_label(label: Any) -> float | None:
    """Return the wavelength that a column label such as "400" or "1350.5" names, or None."""
    try:
        value = float(str(label).strip())
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return value


def to_nanometres(wavelengths: np.ndarray, source: str) -> np.ndarray:
    """Return the wavelengths in nm, converting from micrometres when all are below 30."""
    wavelengths = np.asarray(wavelengths, dtype=np.float64)
    if wavelengths.size and np.nanmax(wavelengths) < _MAX_MICROMETRE_WAVELENGTH:
        logger.info(
            "%s: wavelengths %.4g-%.4g look like micrometres; converting to nm.",
            source,
            wavelengths.min(),
            wavelengths.max(),
        )
        return np.round(wavelengths * 1000.0, 6)
    return wavelengths


def parse_range(value: Any, key: str) -> tuple[float, float]:
    """Parse a `[min_nm, max_nm]` config value, raising DataError that names the key."""
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise DataError(f"data.{key} must be a list [min_nm, max_nm], got {value!r}.")
    try:
        low, high = float(value[0]), float(value[1])
    except (TypeError, ValueError) as error:
        raise DataError(f"data.{key} must contain two numbers (nm), got {value!r}.") from error
    if not low <= high:
        raise DataError(f"data.{key} must have min_nm <= max_nm, got {value!r}.")
    return low, high


def parse_ranges(value: Any, key: str) -> list[tuple[float, float]]:
    """Parse a `[[a, b], ...]` list of inclusive nm ranges, raising DataError that names the key."""
    if value is None:
        return []
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise DataError(f"data.{key} must be a list of [min_nm, max_nm] pairs, got {value!r}.")
    if len(value) == 2 and all(isinstance(item, (int, float)) for item in value):
        raise DataError(
            f"data.{key} must be a list of pairs; write [[{value[0]}, {value[1]}]] "
            f"for a single range, got {value!r}."
        )
    return [parse_range(item, f"{key}[{index}]") for index, item in enumerate(value)]


def band_mask(
    wavelengths: np.ndarray,
    wavelength_range: tuple[float, float] | None,
    exclude_bands: list[tuple[float, float]],
) -> np.ndarray:
    """Return a boolean mask of the bands inside `wavelength_range` and outside every excluded range.

    All ranges are inclusive at both ends, in nm.
    """
    keep = np.ones(wavelengths.shape, dtype=bool)
    if wavelength_range is not None:
        keep &= (wavelengths >= wavelength_range[0]) & (wavelengths <= wavelength_range[1])
    for low, high in exclude_bands:
        keep &= ~((wavelengths >= low) & (wavelengths <= high))
    return keep


def check_band_selection(keep: np.ndarray, wavelengths: np.ndarray, source: str) -> None:
    """Raise DataError when the selection keeps no band, and log how many it removed."""
    if not keep.any():
        raise DataError(
            f"{source}: wavelength_range and exclude_bands remove all {wavelengths.size} bands "
            f"({wavelengths.min():g}-{wavelengths.max():g} nm); widen wavelength_range or "
            "shorten exclude_bands."
        )
    removed = int((~keep).sum())
    if removed:
        logger.info(
            "%s: kept %d of %d bands after wavelength_range and exclude_bands.",
            source,
            int(keep.sum()),
            wavelengths.size,
        )


def sort_bands(dataset: SpectralDataset) -> SpectralDataset:
    """Return the dataset with bands in increasing wavelength order.

    Raises DataError when two bands have the same wavelength, because a model input
    must not contain the same band twice.
    """
    wavelengths = dataset.wavelengths
    order = np.argsort(wavelengths, kind="stable")
    sorted_wavelengths = wavelengths[order]
    duplicates = sorted_wavelengths[1:][np.diff(sorted_wavelengths) == 0]
    if duplicates.size:
        raise DataError(
            f"{dataset.source}: wavelengths {sorted(set(duplicates.tolist()))} nm occur more than "
            "once; keep one column or key entry per wavelength."
        )
    if np.array_equal(order, np.arange(order.size)):
        return dataset
    logger.info("%s: reordering bands by increasing wavelength.", dataset.source)
    return SpectralDataset(
        spectra=dataset.spectra[:, order],
        conditions=dataset.conditions,
        wavelengths=sorted_wavelengths,
        condition_names=dataset.condition_names,
        sample_names=dataset.sample_names,
        groups=dataset.groups,
        source=dataset.source,
        extra=dataset.extra,
        sample_info=dataset.sample_info,
    )
