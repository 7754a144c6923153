"""Array layouts: which axes of a spectra or conditions array are pixels and which are values.

Spectra arrays can be pixels x bands, bands x pixels, or an image cube with the bands
first or last. Conditions arrays have the same choices, with conditions in place of
bands, plus a 1-D vector for a single condition. Layout `auto` picks the only pair of
layouts under which spectra and conditions have the same number of pixels.
"""

from __future__ import annotations

import itertools

import numpy as np

from cvae.data.errors import DataError

# Layout name -> axis arrangement. "values" are bands for spectra and conditions for
# condition arrays.
SPECTRA_LAYOUTS = {
    "pixels_bands": "pixels_values",
    "bands_pixels": "values_pixels",
    "rows_cols_bands": "rows_cols_values",
    "bands_rows_cols": "values_rows_cols",
}
CONDITIONS_LAYOUTS = {
    "pixels_conditions": "pixels_values",
    "conditions_pixels": "values_pixels",
    "rows_cols_conditions": "rows_cols_values",
    "conditions_rows_cols": "values_rows_cols",
    "pixels": "pixels",
}
_ARRANGEMENT_NDIM = {
    "pixels_values": 2,
    "values_pixels": 2,
    "rows_cols_values": 3,
    "values_rows_cols": 3,
    "pixels": 1,
}


def count_pixels_and_values(shape: tuple[int, ...], arrangement: str) -> tuple[int, int]:
    """Return (n_pixels, n_values) of an array with this shape and axis arrangement."""
    if arrangement == "pixels_values":
        return shape[0], shape[1]
    if arrangement == "values_pixels":
        return shape[1], shape[0]
    if arrangement == "rows_cols_values":
        return shape[0] * shape[1], shape[2]
    if arrangement == "values_rows_cols":
        return shape[1] * shape[2], shape[0]
    return shape[0], 1


def flatten_to_pixels(array: np.ndarray, arrangement: str, pixel_order: str) -> np.ndarray:
    """Return the array as (n_pixels, n_values).

    Image cubes are flattened in `pixel_order`: "F" (column-major, MATLAB's order, in
    which the pixel index is row + col * n_rows) or "C" (row-major, NumPy's order).
    """
    if arrangement == "pixels_values":
        return array
    if arrangement == "values_pixels":
        return array.T
    if arrangement == "pixels":
        return array.reshape(-1, 1)
    if arrangement == "values_rows_cols":
        array = np.moveaxis(array, 0, -1)
    n_rows, n_cols, n_values = array.shape
    return array.reshape(n_rows * n_cols, n_values, order=pixel_order)


def resolve_layouts(
    spectra_shape: tuple[int, ...],
    conditions_shape: tuple[int, ...],
    spectra_layout: str,
    conditions_layout: str,
    *,
    n_bands: int | None,
    n_conditions: int | None,
    source: str,
) -> tuple[str, str]:
    """Return the (spectra, conditions) layout names that make the pixel counts agree.

    `auto` considers every layout that fits the number of dimensions. A known band
    count (from configured wavelengths) or condition count (from condition names)
    narrows the choice. Raises DataError when no pair fits (mismatched sizes) or when
    more than one does (ambiguous, for example a square matrix).
    """
    spectra_candidates = _candidates(
        spectra_layout, spectra_shape, SPECTRA_LAYOUTS, "layout", "spectra", source
    )
    conditions_candidates = _candidates(
        conditions_layout, conditions_shape, CONDITIONS_LAYOUTS, "conditions_layout", "conditions", source
    )

    matches = []
    for spectra_name, conditions_name in itertools.product(spectra_candidates, conditions_candidates):
        n_spectra_pixels, bands = count_pixels_and_values(spectra_shape, SPECTRA_LAYOUTS[spectra_name])
        n_condition_pixels, conditions = count_pixels_and_values(
            conditions_shape, CONDITIONS_LAYOUTS[conditions_name]
        )
        if n_spectra_pixels != n_condition_pixels:
            continue
        if n_bands is not None and bands != n_bands:
            continue
        if n_conditions is not None and conditions != n_conditions:
            continue
        matches.append((spectra_name, conditions_name))

    if len(matches) == 1:
        return matches[0]

    shapes = f"spectra shape {tuple(spectra_shape)}, conditions shape {tuple(conditions_shape)}"
    known = []
    if n_bands is not None:
        known.append(f"{n_bands} bands from the configured wavelengths")
    if n_conditions is not None:
        known.append(f"{n_conditions} conditions from data.condition_names")
    known_text = f" given {' and '.join(known)}" if known else ""
    if not matches:
        tried = _describe_candidates(spectra_shape, conditions_shape, spectra_candidates, conditions_candidates)
        raise DataError(
            f"{source}: spectra and conditions do not have the same number of pixels ({shapes}"
            f"{known_text}). Layouts tried: {tried}. Check data.spectra_key and "
            "data.conditions_key, or set data.layout and data.conditions_layout."
        )
    raise DataError(
        f"{source}: the array layout is ambiguous ({shapes}{known_text}); these layouts all fit: "
        f"{matches}. Set data.layout (one of {list(SPECTRA_LAYOUTS)}) and data.conditions_layout "
        f"(one of {list(CONDITIONS_LAYOUTS)})."
    )


def _candidates(
    layout: str, shape: tuple[int, ...], layouts: dict[str, str], key: str, array_name: str, source: str
) -> list[str]:
    if layout == "auto":
        fitting = [name for name, arrangement in layouts.items() if _ARRANGEMENT_NDIM[arrangement] == len(shape)]
        if not fitting:
            raise DataError(
                f"{source}: {array_name} array has shape {tuple(shape)} ({len(shape)} dimensions); "
                f"supported layouts are {list(layouts)}."
            )
        return fitting
    if layout not in layouts:
        raise DataError(f"data.{key} must be 'auto' or one of {list(layouts)}, got {layout!r}.")
    if _ARRANGEMENT_NDIM[layouts[layout]] != len(shape):
        raise DataError(
            f"{source}: data.{key}={layout!r} needs a {_ARRANGEMENT_NDIM[layouts[layout]]}-D "
            f"{array_name} array, but it has shape {tuple(shape)}."
        )
    return [layout]


def _describe_candidates(spectra_shape, conditions_shape, spectra_candidates, conditions_candidates) -> str:
    parts = []
    for name in spectra_candidates:
        pixels, values = count_pixels_and_values(spectra_shape, SPECTRA_LAYOUTS[name])
        parts.append(f"spectra {name}: {pixels} pixels x {values} bands")
    for name in conditions_candidates:
        pixels, values = count_pixels_and_values(conditions_shape, CONDITIONS_LAYOUTS[name])
        parts.append(f"conditions {name}: {pixels} pixels x {values} conditions")
    return "; ".join(parts)
