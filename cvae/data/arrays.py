"""Loader for spectra and conditions stored as arrays in .npz or MATLAB .mat files."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cvae.data.array_files import get_array, read_array_file
from cvae.data.array_layout import (
    CONDITIONS_LAYOUTS,
    SPECTRA_LAYOUTS,
    flatten_to_pixels,
    resolve_layouts,
)
from cvae.data.bands import band_mask, check_band_selection, parse_range, parse_ranges, sort_bands, to_nanometres
from cvae.data.dataset import SpectralDataset
from cvae.data.errors import DataError
from cvae.data.paths import resolve_input_file
from cvae.data.validation import check_finite

logger = logging.getLogger(__name__)


def load_array(
    spectra_path: str | Path,
    spectra_key: str,
    conditions_key: str,
    condition_names: Sequence[str] | None = None,
    *,
    conditions_path: str | Path | None = None,
    layout: str = "auto",
    conditions_layout: str = "auto",
    pixel_order: str | None = None,
    scale_factor: float = 1.0,
    wavelengths_key: str | None = None,
    wavelengths: Sequence[float] | None = None,
    wavelength_range: Sequence[float] | None = None,
    channel_key: str | None = None,
    channel_wavelengths: Sequence[float] | None = None,
    exclude_bands: Sequence[Sequence[float]] | None = None,
) -> SpectralDataset:
    """Load spectra and conditions from arrays in .npz or .mat files.

    Spectra come from `spectra_key` in `spectra_path` and are divided by `scale_factor`
    (for example 5000 for integers that store reflectance x 5000). Conditions come from
    `conditions_key` in `conditions_path`, which defaults to `spectra_path`. Layouts are
    described in `cvae.data.array_layout`. `pixel_order` ("C" or "F") flattens image
    cubes and defaults to "F" for .mat files and "C" otherwise.

    Wavelengths (nm) come from at most one of four sources:
    - `wavelengths_key`, a vector in the spectra file;
    - `wavelengths`, a list;
    - `wavelength_range` [first_nm, last_nm], spread linearly over the bands;
    - `channel_key`, 1-based sensor channel numbers in the spectra file, with
      `channel_wavelengths` [first_nm, last_nm, n_channels] spread linearly over the
      sensor's channels.
    Without any of them the band indices are used and a warning is logged. `exclude_bands` ([[a, b], ...], inclusive nm) drops bands afterwards.

    Raises DataError for missing files or keys, mismatched or ambiguous sizes, and
    non-finite values.
    """
    spectra_file = resolve_input_file(spectra_path, "spectra_path")
    conditions_file = (
        spectra_file if conditions_path is None else resolve_input_file(conditions_path, "conditions_path")
    )
    source = str(spectra_file) if conditions_file == spectra_file else f"{spectra_file} + {conditions_file}"
    scale = _parse_scale_factor(scale_factor)
    excluded_ranges = parse_ranges(exclude_bands, "exclude_bands")
    pixel_order = _parse_pixel_order(pixel_order, spectra_file)

    spectra_arrays = read_array_file(spectra_file)
    conditions_arrays = spectra_arrays if conditions_file == spectra_file else read_array_file(conditions_file)
    raw_spectra = get_array(spectra_arrays, spectra_key, spectra_file, "spectra_key")
    raw_conditions = get_array(conditions_arrays, conditions_key, conditions_file, "conditions_key")

    configured_wavelengths = _configured_wavelengths(
        spectra_arrays,
        spectra_file,
        wavelengths_key=wavelengths_key,
        wavelengths=wavelengths,
        wavelength_range=wavelength_range,
        channel_key=channel_key,
        channel_wavelengths=channel_wavelengths,
    )
    spectra_layout, resolved_conditions_layout = resolve_layouts(
        raw_spectra.shape,
        raw_conditions.shape,
        layout,
        conditions_layout,
        n_bands=None if configured_wavelengths is None else configured_wavelengths.size,
        n_conditions=None if condition_names is None else len(condition_names),
        source=source,
    )
    spectra = flatten_to_pixels(raw_spectra, SPECTRA_LAYOUTS[spectra_layout], pixel_order)
    conditions = flatten_to_pixels(raw_conditions, CONDITIONS_LAYOUTS[resolved_conditions_layout], pixel_order)
    spectra = spectra.astype(np.float64) / scale
    conditions = conditions.astype(np.float64)
    logger.info(
        "%s: spectra %r %s read as %s, conditions %r %s read as %s.",
        source,
        spectra_key,
        raw_spectra.shape,
        spectra_layout,
        conditions_key,
        raw_conditions.shape,
        resolved_conditions_layout,
    )

    band_wavelengths = _band_wavelengths(configured_wavelengths, wavelength_range, spectra.shape[1], source)
    if condition_names is None:
        raise DataError(
            f"{source}: data.condition_names is required; give one name for each of the "
            f"{conditions.shape[1]} conditions in {conditions_key!r}."
        )
    if len(condition_names) != conditions.shape[1]:
        raise DataError(
            f"{source}: data.condition_names has {len(condition_names)} names "
            f"{list(condition_names)}, but {conditions_key!r} has {conditions.shape[1]} conditions."
        )

    check_finite(
        spectra,
        source=source,
        array_name=f"spectra ({spectra_key!r})",
        column_labels=[f"band {i} ({w:g} nm)" for i, w in enumerate(band_wavelengths)],
        describe_row=_describe_pixel,
        hint="Remove or fill those pixels, or remove the band with data.exclude_bands.",
    )
    check_finite(
        conditions,
        source=source,
        array_name=f"conditions ({conditions_key!r})",
        column_labels=[str(name) for name in condition_names],
        describe_row=_describe_pixel,
        hint="Remove or fill those pixels.",
    )

    dataset = SpectralDataset(
        spectra=spectra.astype(np.float32),
        conditions=conditions.astype(np.float32),
        wavelengths=band_wavelengths,
        condition_names=[str(name) for name in condition_names],
        source=source,
        sample_info={"pixel_index": np.arange(spectra.shape[0])},
    )
    dataset = sort_bands(dataset)
    if excluded_ranges:
        keep = band_mask(dataset.wavelengths, None, excluded_ranges)
        check_band_selection(keep, dataset.wavelengths, source)
        dataset = dataset.select_bands(keep)
    logger.info("Loaded %s.", dataset.describe())
    return dataset


def _describe_pixel(pixel: int) -> str:
    return f"pixel {pixel} (0-based, after flattening)"


def _parse_scale_factor(scale_factor: float) -> float:
    try:
        scale = float(scale_factor)
    except (TypeError, ValueError) as error:
        raise DataError(f"data.scale_factor must be a positive number, got {scale_factor!r}.") from error
    if not np.isfinite(scale) or scale <= 0:
        raise DataError(f"data.scale_factor must be a positive number, got {scale_factor!r}.")
    return scale


def _parse_pixel_order(pixel_order: str | None, spectra_file: Path) -> str:
    if pixel_order is None:
        return "F" if spectra_file.suffix.lower() == ".mat" else "C"
    if pixel_order not in ("C", "F"):
        raise DataError(
            f"data.pixel_order must be 'C' (row-major) or 'F' (column-major, MATLAB), got {pixel_order!r}."
        )
    return pixel_order


def _configured_wavelengths(
    arrays: dict[str, np.ndarray],
    path: Path,
    *,
    wavelengths_key: str | None,
    wavelengths: Sequence[float] | None,
    wavelength_range: Sequence[float] | None,
    channel_key: str | None,
    channel_wavelengths: Sequence[float] | None,
) -> np.ndarray | None:
    """Return the wavelengths whose count is known before the layout, or None.

    `wavelength_range` and the band-index fallback need the band count, so
    `_band_wavelengths` handles them after the layout is resolved.
    """
    chosen = [
        key
        for key, value in (
            ("wavelengths_key", wavelengths_key),
            ("wavelengths", wavelengths),
            ("wavelength_range", wavelength_range),
            ("channel_key", channel_key),
        )
        if value is not None
    ]
    if len(chosen) > 1:
        raise DataError(
            f"data.{' and data.'.join(chosen)} are all set, but only one source of wavelengths "
            "may be given; set the others to null."
        )
    if (channel_key is None) != (channel_wavelengths is None):
        raise DataError(
            "data.channel_key and data.channel_wavelengths must be set together: the key names "
            "the 1-based channel numbers and channel_wavelengths is [first_nm, last_nm, n_channels]."
        )

    if wavelengths_key is not None:
        values = get_array(arrays, wavelengths_key, path, "wavelengths_key").astype(np.float64).ravel()
        return to_nanometres(values, f"{path} key {wavelengths_key!r}")
    if wavelengths is not None:
        try:
            values = np.asarray(list(wavelengths), dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise DataError(f"data.wavelengths must be a list of numbers (nm): {error}") from error
        return to_nanometres(values, "data.wavelengths")
    if channel_key is not None:
        channels = get_array(arrays, channel_key, path, "channel_key").ravel()
        return _channel_wavelengths(channels, channel_wavelengths, path, channel_key)
    return None


def _channel_wavelengths(
    channels: np.ndarray, channel_wavelengths: Sequence[float], path: Path, channel_key: str
) -> np.ndarray:
    """Return the centre wavelength (nm) of each 1-based channel number, spaced linearly."""
    if isinstance(channel_wavelengths, str) or len(channel_wavelengths) != 3:
        raise DataError(
            f"data.channel_wavelengths must be [first_nm, last_nm, n_channels], got {channel_wavelengths!r}."
        )
    first_nm, last_nm = float(channel_wavelengths[0]), float(channel_wavelengths[1])
    n_channels = int(channel_wavelengths[2])
    if n_channels < 2 or not first_nm < last_nm:
        raise DataError(
            "data.channel_wavelengths must have first_nm < last_nm and n_channels >= 2, "
            f"got {channel_wavelengths!r}."
        )
    channel_numbers = channels.astype(np.int64)
    out_of_range = (channel_numbers < 1) | (channel_numbers > n_channels)
    if out_of_range.any():
        raise DataError(
            f"{path}: key {channel_key!r} contains channel {int(channel_numbers[out_of_range][0])}, "
            f"outside 1..{n_channels} from data.channel_wavelengths. Channel numbers must be 1-based."
        )
    step = (last_nm - first_nm) / (n_channels - 1)
    return first_nm + (channel_numbers - 1) * step


def _band_wavelengths(
    configured: np.ndarray | None, wavelength_range: Sequence[float] | None, n_bands: int, source: str
) -> np.ndarray:
    if configured is not None:
        if configured.size != n_bands:
            raise DataError(
                f"{source}: {configured.size} configured wavelengths but the spectra have {n_bands} bands."
            )
        return configured
    if wavelength_range is not None:
        first_nm, last_nm = parse_range(wavelength_range, "wavelength_range")
        return np.linspace(first_nm, last_nm, n_bands)
    logger.warning(
        "%s: no wavelengths configured (data.wavelengths_key, data.wavelengths, data.wavelength_range "
        "or data.channel_key); using band indices 0..%d in place of wavelengths in nm.",
        source,
        n_bands - 1,
    )
    return np.arange(n_bands, dtype=np.float64)
