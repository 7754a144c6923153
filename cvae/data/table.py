"""Loader for spectra stored one per row in a CSV or Excel (.xlsx) table."""

from __future__ import annotations

import logging
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cvae.data.bands import (
    band_mask,
    check_band_selection,
    parse_range,
    parse_ranges,
    parse_wavelength_label,
    sort_bands,
    to_nanometres,
)
from cvae.data.dataset import SpectralDataset
from cvae.data.errors import DataError
from cvae.data.paths import resolve_input_file
from cvae.data.validation import check_finite

logger = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".csv", ".xlsx")


def load_table(
    path: str | Path,
    condition_columns: Sequence[str],
    *,
    sheet: str | int | None = None,
    name_column: str | None = None,
    group_column: str | None = None,
    wavelength_range: Sequence[float] | None = None,
    exclude_bands: Sequence[Sequence[float]] | None = None,
) -> SpectralDataset:
    """Load spectra from a CSV or .xlsx table with one spectrum per row.

    Wavelength columns are those whose name parses as a number, in nm. When all such
    names are below 30 they are taken as micrometres and converted to nm. `condition_columns` name the condition
    columns, `name_column` the sample names and `group_column` the labels for a grouped
    split. Other columns are ignored. `wavelength_range` ([min_nm, max_nm]) and
    `exclude_bands` ([[a, b], ...]) select bands, both inclusive. Excluded bands are not
    parsed, so they may contain gaps or text.

    Raises DataError naming the file, column and data row (counted from 1 below the
    header) for a missing file, missing columns, text in a numeric column, or missing
    and non-finite values.
    """
    resolved = resolve_input_file(path, "path")
    source = str(resolved) if sheet is None else f"{resolved} (sheet {sheet!r})"
    if isinstance(condition_columns, str):
        condition_columns = [condition_columns]
    condition_columns = [str(column) for column in condition_columns]
    if not condition_columns:
        raise DataError(f"{source}: data.condition_columns is empty; name at least one column.")
    selected_range = None if wavelength_range is None else parse_range(
        wavelength_range, "wavelength_range"
    )
    excluded_ranges = parse_ranges(exclude_bands, "exclude_bands")

    header, body = _read_table(resolved, sheet)
    special_columns = set(condition_columns) | {name_column, group_column} - {None}

    wavelength_columns, wavelengths = _find_wavelength_columns(header, special_columns, source)
    wavelengths = to_nanometres(wavelengths, source)
    _check_columns_present(
        header, wavelength_columns, wavelengths, condition_columns, name_column, group_column, source
    )

    keep = band_mask(wavelengths, selected_range, excluded_ranges)
    check_band_selection(keep, wavelengths, source)
    wavelength_columns = [column for column, kept in zip(wavelength_columns, keep) if kept]
    wavelengths = wavelengths[keep]

    sample_names = None if name_column is None else _text_column(body, name_column)
    describe_row = _row_describer(sample_names)
    spectra = _parse_numeric(body, wavelength_columns, source, describe_row)
    conditions = _parse_numeric(body, condition_columns, source, describe_row)
    check_finite(
        spectra,
        source=source,
        array_name="spectra",
        column_labels=wavelength_columns,
        describe_row=describe_row,
        hint="Fill or drop that row, or remove the band with data.exclude_bands.",
    )
    check_finite(
        conditions,
        source=source,
        array_name="conditions",
        column_labels=condition_columns,
        describe_row=describe_row,
        hint="Fill or drop that row.",
    )

    dataset = SpectralDataset(
        spectra=spectra.astype(np.float32),
        conditions=conditions.astype(np.float32),
        wavelengths=wavelengths,
        condition_names=list(condition_columns),
        sample_names=sample_names,
        groups=None if group_column is None else _text_column(body, group_column),
        source=source,
    )
    dataset = sort_bands(dataset)
    logger.info("Loaded %s.", dataset.describe())
    return dataset


def _read_table(path: Path, sheet: str | int | None) -> tuple[list[str], pd.DataFrame]:
    """Read the whole table as text and return the header labels and the data rows.

    Reading without pandas' header handling keeps duplicate column names visible
    (pandas would rename a second "400" to "400.1", which parses as a wavelength).
    """
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            raw = pd.read_csv(path, header=None, dtype=str)
        elif suffix == ".xlsx":
            raw = _read_excel_sheet(path, sheet)
        else:
            raise DataError(
                f"{path}: unsupported table format {path.suffix!r}; use one of "
                f"{', '.join(SUPPORTED_SUFFIXES)}, or data=array for .npz and .mat files."
            )
    except pd.errors.EmptyDataError as error:
        raise DataError(f"{path}: the file is empty; expected a header row and data rows.") from error
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: failed to parse the file as {suffix}: {error}") from error

    if raw.shape[0] < 2:
        raise DataError(f"{path}: the file has a header row but no data rows.")

    header = ["" if pd.isna(label) else str(label).strip() for label in raw.iloc[0]]
    counts = Counter(label for label in header if label)
    duplicates = sorted(label for label, count in counts.items() if count > 1)
    if duplicates:
        raise DataError(
            f"{path}: column names {duplicates} occur more than once; rename or remove the copies."
        )

    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = header
    return header, body


def _read_excel_sheet(path: Path, sheet: str | int | None) -> pd.DataFrame:
    try:
        workbook = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise DataError(f"{path}: failed to open the file as an Excel workbook: {error}") from error
    with workbook:
        if sheet is not None and sheet not in workbook.sheet_names:
            if not (isinstance(sheet, int) and 0 <= sheet < len(workbook.sheet_names)):
                raise DataError(
                    f"{path}: sheet {sheet!r} not found; the workbook has sheets "
                    f"{workbook.sheet_names}. Set data.sheet to one of them."
                )
        return workbook.parse(sheet_name=0 if sheet is None else sheet, header=None, dtype=str)


def _find_wavelength_columns(
    header: list[str], special_columns: set[str], source: str
) -> tuple[list[str], np.ndarray]:
    columns = []
    wavelengths = []
    for label in header:
        if label in special_columns:
            continue
        wavelength = parse_wavelength_label(label)
        if wavelength is not None:
            columns.append(label)
            wavelengths.append(wavelength)
    if not columns:
        raise DataError(
            f"{source}: no wavelength columns found. Wavelength columns must be named by a "
            f"number in nm, such as 400 or 2490; the columns are {header}."
        )
    return columns, np.asarray(wavelengths, dtype=np.float64)


def _check_columns_present(
    header: list[str],
    wavelength_columns: list[str],
    wavelengths: np.ndarray,
    condition_columns: list[str],
    name_column: str | None,
    group_column: str | None,
    source: str,
) -> None:
    required_columns = [("condition column", column) for column in condition_columns]
    required_columns += [("data.name_column", name_column), ("data.group_column", group_column)]
    missing = [
        (role, column) for role, column in required_columns if column is not None and column not in header
    ]
    if not missing:
        return
    other_columns = [label for label in header if label not in set(wavelength_columns)]
    described = ", ".join(f"{role} {column!r}" for role, column in missing)
    raise DataError(
        f"{source}: missing {described}. Available columns: {other_columns} and "
        f"{len(wavelength_columns)} wavelength columns ({wavelengths.min():g}-"
        f"{wavelengths.max():g} nm). Column names are case- and space-sensitive."
    )


def _text_column(body: pd.DataFrame, column: str) -> list[str]:
    return ["" if pd.isna(value) else str(value).strip() for value in body[column]]


def _row_describer(sample_names: list[str] | None):
    def describe_row(row: int) -> str:
        text = f"data row {row + 1}"
        if sample_names is not None and sample_names[row]:
            text += f" (sample {sample_names[row]!r})"
        return text

    return describe_row


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _parse_numeric(body: pd.DataFrame, columns: list[str], source: str, describe_row) -> np.ndarray:
    """Return the columns as a float64 array, raising DataError at the first text value.

    Empty cells and NA markers become NaN here; `check_finite` reports them afterwards.
    """
    text = body[columns]
    numbers = text.apply(lambda column: pd.to_numeric(column.map(_strip), errors="coerce"))
    is_text = numbers.isna().to_numpy() & text.notna().to_numpy()
    if is_text.any():
        row, column = np.argwhere(is_text)[0]
        raise DataError(
            f"{source}: column {columns[column]!r}, {describe_row(int(row))}: value "
            f"{text.iat[row, column]!r} is not a number. Wavelength and condition columns must "
            f"contain only numbers; {int(is_text.sum())} such value(s) in total."
        )
    return numbers.to_numpy(dtype=np.float64)
