"""Tests of the CSV / Excel loader on the shared field spectra and on small bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cvae.data import DataError, load_table

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FIELD_SPECTRA = SHARED_DATA / "field_spectra_gv_npv_soil.csv"
FRACTIONS = ["gv_fraction", "npv_fraction", "soil_fraction"]
WATER_BANDS = [[1350, 1460], [1790, 1960], [2400, 2490]]


def write_table(path: Path, rows: list[list[object]]) -> Path:
    """Write rows (the first is the header) as a CSV file without any quoting tricks."""
    path.write_text("\n".join(",".join(str(value) for value in row) for row in rows) + "\n")
    return path


def small_rows() -> list[list[object]]:
    return [
        ["name", "gv", "soil", "note", "500", "600", "700"],
        ["A_1", 0.2, 0.8, "x", 0.10, 0.20, 0.30],
        ["A_2", 0.5, 0.5, "y", 0.11, 0.21, 0.31],
        ["B_1", 1.0, 0.0, "z", 0.12, 0.22, 0.32],
    ]


@pytest.fixture
def field_spectra_path() -> Path:
    if not FIELD_SPECTRA.exists():
        pytest.skip(f"shared field spectra not found at {FIELD_SPECTRA}")
    return FIELD_SPECTRA


def test_load_table_field_spectra_with_water_bands_excluded(field_spectra_path):
    dataset = load_table(
        field_spectra_path, FRACTIONS, name_column="Spectra", exclude_bands=WATER_BANDS
    )

    assert dataset.n_samples == 1025
    assert dataset.n_bands == 170
    assert dataset.condition_names == FRACTIONS
    assert dataset.wavelengths[0] == 400.0
    assert dataset.wavelengths[-1] == 2390.0
    for low, high in WATER_BANDS:
        assert not np.any((dataset.wavelengths >= low) & (dataset.wavelengths <= high))
    assert dataset.sample_names[0] == "Resop058"
    np.testing.assert_allclose(dataset.conditions.sum(axis=1), 1.0, atol=6e-4)
    assert dataset.spectra.dtype == np.float32
    assert np.all(np.isfinite(dataset.spectra))


def test_load_table_field_spectra_matches_pandas(field_spectra_path):
    dataset = load_table(field_spectra_path, FRACTIONS, wavelength_range=[1000, 1100])
    frame = pd.read_csv(field_spectra_path)

    assert dataset.wavelengths.tolist() == [1000.0 + 10 * i for i in range(11)]
    expected = frame[[str(w) for w in range(1000, 1101, 10)]].to_numpy(np.float32)
    np.testing.assert_array_equal(dataset.spectra, expected)
    np.testing.assert_array_equal(dataset.conditions, frame[FRACTIONS].to_numpy(np.float32))


def test_load_table_ignores_other_columns_and_sorts_bands(tmp_path):
    rows = small_rows()
    rows[0][4:] = ["700", "500", "600"]
    path = write_table(tmp_path / "unsorted.csv", rows)

    dataset = load_table(path, ["gv", "soil"], name_column="name")

    assert dataset.wavelengths.tolist() == [500.0, 600.0, 700.0]
    np.testing.assert_allclose(dataset.spectra[0], [0.20, 0.30, 0.10])
    assert dataset.sample_names == ["A_1", "A_2", "B_1"]
    assert dataset.n_conditions == 2


def test_load_table_group_column_sets_groups(tmp_path):
    path = write_table(tmp_path / "groups.csv", small_rows())

    dataset = load_table(path, ["gv", "soil"], group_column="note")

    assert dataset.groups == ["x", "y", "z"]


def test_load_table_micrometre_columns_become_nm(tmp_path):
    rows = small_rows()
    rows[0][4:] = ["0.5", "0.6", "0.7"]
    path = write_table(tmp_path / "micrometres.csv", rows)

    dataset = load_table(path, ["gv", "soil"])

    np.testing.assert_allclose(dataset.wavelengths, [500.0, 600.0, 700.0])


def test_load_table_reads_xlsx_sheet(tmp_path):
    rows = small_rows()
    # Integer wavelength headers are stored as numeric cells, as spreadsheets usually do.
    frame = pd.DataFrame(rows[1:], columns=["name", "gv", "soil", "note", 500, 600, 700])
    path = tmp_path / "spectra.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"other": [1]}).to_excel(writer, sheet_name="notes", index=False)
        frame.to_excel(writer, sheet_name="spectra", index=False)

    dataset = load_table(path, ["gv", "soil"], sheet="spectra", name_column="name")

    assert dataset.wavelengths.tolist() == [500.0, 600.0, 700.0]
    np.testing.assert_allclose(dataset.spectra[2], [0.12, 0.22, 0.32], rtol=1e-6)
    assert dataset.sample_names[2] == "B_1"


def test_load_table_missing_sheet_lists_sheets(tmp_path):
    path = tmp_path / "spectra.xlsx"
    pd.DataFrame({"500": [0.1], "gv": [1.0]}).to_excel(path, sheet_name="data", index=False)

    with pytest.raises(DataError) as error:
        load_table(path, ["gv"], sheet="missing")

    message = str(error.value)
    assert "'missing'" in message
    assert "['data']" in message


def test_load_table_missing_file_names_resolved_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    with pytest.raises(DataError) as error:
        load_table("no_such_dir/spectra.csv", ["gv"])

    message = str(error.value)
    assert "file not found" in message
    assert str(tmp_path / "no_such_dir" / "spectra.csv") in message
    assert "current working directory" in message


def test_load_table_no_wavelength_columns(tmp_path):
    path = write_table(tmp_path / "no_bands.csv", [["name", "gv", "red"], ["a", 0.5, 0.1]])

    with pytest.raises(DataError) as error:
        load_table(path, ["gv"])

    message = str(error.value)
    assert str(path) in message
    assert "no wavelength columns" in message
    assert "'red'" in message


def test_load_table_missing_condition_column_lists_columns(tmp_path):
    path = write_table(tmp_path / "missing.csv", small_rows())

    with pytest.raises(DataError) as error:
        load_table(path, ["gv", "npv_fraction"])

    message = str(error.value)
    assert str(path) in message
    assert "'npv_fraction'" in message
    assert "['name', 'gv', 'soil', 'note']" in message
    assert "3 wavelength columns (500-700 nm)" in message


def test_load_table_missing_name_column(tmp_path):
    path = write_table(tmp_path / "missing_name.csv", small_rows())

    with pytest.raises(DataError) as error:
        load_table(path, ["gv"], name_column="Spectra")

    assert "data.name_column 'Spectra'" in str(error.value)


def test_load_table_nan_in_spectra(tmp_path):
    rows = small_rows()
    rows[2][5] = ""
    path = write_table(tmp_path / "nan.csv", rows)

    with pytest.raises(DataError) as error:
        load_table(path, ["gv", "soil"], name_column="name")

    message = str(error.value)
    assert str(path) in message
    assert "data row 2" in message
    assert "'A_2'" in message
    assert "column '600'" in message


def test_load_table_nan_in_excluded_band_is_ignored(tmp_path):
    rows = small_rows()
    rows[2][5] = ""
    path = write_table(tmp_path / "nan_excluded.csv", rows)

    dataset = load_table(path, ["gv", "soil"], exclude_bands=[[590, 610]])

    assert dataset.wavelengths.tolist() == [500.0, 700.0]


def test_load_table_inf_in_conditions(tmp_path):
    rows = small_rows()
    rows[3][2] = "inf"
    path = write_table(tmp_path / "inf.csv", rows)

    with pytest.raises(DataError) as error:
        load_table(path, ["gv", "soil"])

    message = str(error.value)
    assert str(path) in message
    assert "conditions" in message
    assert "data row 3" in message
    assert "column 'soil'" in message
    assert "inf" in message


def test_load_table_text_in_numeric_column_names_value(tmp_path):
    rows = small_rows()
    rows[1][6] = "0.3a"
    path = write_table(tmp_path / "text.csv", rows)

    with pytest.raises(DataError) as error:
        load_table(path, ["gv", "soil"])

    message = str(error.value)
    assert str(path) in message
    assert "column '700'" in message
    assert "data row 1" in message
    assert "'0.3a'" in message
    assert "is not a number" in message


def test_load_table_duplicate_wavelength_column(tmp_path):
    rows = small_rows()
    rows[0][6] = "500"
    path = write_table(tmp_path / "duplicate.csv", rows)

    with pytest.raises(DataError) as error:
        load_table(path, ["gv", "soil"])

    assert "['500']" in str(error.value)


def test_load_table_exclude_bands_removing_all_bands(tmp_path):
    path = write_table(tmp_path / "all_excluded.csv", small_rows())

    with pytest.raises(DataError) as error:
        load_table(path, ["gv"], exclude_bands=[[400, 800]])

    assert "remove all 3 bands" in str(error.value)


def test_load_table_header_only_file(tmp_path):
    path = write_table(tmp_path / "header_only.csv", [small_rows()[0]])

    with pytest.raises(DataError) as error:
        load_table(path, ["gv"])

    assert "no data rows" in str(error.value)


def test_load_table_unsupported_suffix(tmp_path):
    path = tmp_path / "spectra.txt"
    path.write_text("500,gv\n0.1,1\n")

    with pytest.raises(DataError) as error:
        load_table(path, ["gv"])

    assert "'.txt'" in str(error.value)
