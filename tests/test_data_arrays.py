"""Tests of the .npz / .mat array loader on Jasper Ridge and on small bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.io

from cvae.data import DataError, load_array

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
JASPER_SPECTRA = SHARED_DATA / "jasperRidge2_R198.mat"
JASPER_ABUNDANCES = SHARED_DATA / "end4.mat"


@pytest.fixture
def jasper_paths() -> tuple[Path, Path]:
    for path in (JASPER_SPECTRA, JASPER_ABUNDANCES):
        if not path.exists():
            pytest.skip(f"shared Jasper Ridge file not found at {path}")
    return JASPER_SPECTRA, JASPER_ABUNDANCES


def pixel_table(n_pixels: int = 6, n_bands: int = 4, n_conditions: int = 2):
    """Return spectra (n_pixels, n_bands) and conditions (n_pixels, n_conditions) with known values."""
    spectra = 0.01 * np.arange(n_pixels * n_bands, dtype=np.float64).reshape(n_pixels, n_bands)
    conditions = np.linspace(0, 1, n_pixels * n_conditions).reshape(n_pixels, n_conditions)
    return spectra, conditions


def test_load_array_jasper_ridge(jasper_paths):
    spectra_path, abundances_path = jasper_paths

    dataset = load_array(
        spectra_path,
        "Y",
        "A",
        ["tree", "water", "dirt", "road"],
        conditions_path=abundances_path,
        scale_factor=5000,
        channel_key="SlectBands",
        channel_wavelengths=[366.0, 2496.0, 224],
    )

    raw = scipy.io.loadmat(spectra_path)
    abundances = scipy.io.loadmat(abundances_path)["A"]
    assert dataset.n_samples == 10000
    assert dataset.n_bands == 198
    np.testing.assert_allclose(dataset.spectra[17], raw["Y"][:, 17] / 5000.0, rtol=1e-6)
    np.testing.assert_allclose(dataset.conditions[17], abundances[:, 17], rtol=1e-6)
    np.testing.assert_allclose(dataset.conditions.sum(axis=1), 1.0, atol=1e-5)
    step = (2496.0 - 366.0) / 223
    first_channel = int(raw["SlectBands"].ravel()[0])
    assert dataset.wavelengths[0] == pytest.approx(366.0 + (first_channel - 1) * step)
    assert np.all(np.diff(dataset.wavelengths) > 0)
    assert dataset.condition_names == ["tree", "water", "dirt", "road"]


def test_load_array_npz_pixels_by_bands(tmp_path):
    spectra, conditions = pixel_table()
    path = tmp_path / "pixels.npz"
    np.savez(path, X=spectra * 100, c=conditions, wl=np.array([0.5, 0.6, 0.7, 0.8]))

    dataset = load_array(path, "X", "c", ["a", "b"], scale_factor=100, wavelengths_key="wl")

    np.testing.assert_allclose(dataset.spectra, spectra, rtol=1e-6)
    np.testing.assert_allclose(dataset.conditions, conditions, rtol=1e-6)
    np.testing.assert_allclose(dataset.wavelengths, [500, 600, 700, 800])


def test_load_array_bands_by_pixels_auto_layout(tmp_path):
    spectra, conditions = pixel_table()
    path = tmp_path / "transposed.npz"
    np.savez(path, X=spectra.T, c=conditions.T)

    dataset = load_array(path, "X", "c", ["a", "b"], wavelength_range=[400, 700])

    np.testing.assert_allclose(dataset.spectra, spectra, rtol=1e-6)
    np.testing.assert_allclose(dataset.conditions, conditions, rtol=1e-6)
    np.testing.assert_allclose(dataset.wavelengths, [400, 500, 600, 700])


def test_load_array_cube_pairs_pixels_with_mat_order(tmp_path):
    n_rows, n_cols, n_bands = 2, 3, 4
    cube = np.random.default_rng(0).random((n_rows, n_cols, n_bands))
    # Abundances flattened the MATLAB way (column-major), as in unmixing benchmarks.
    flat_conditions = np.stack([np.arange(n_rows * n_cols), np.ones(n_rows * n_cols)])
    row_of_pixel = np.arange(n_rows * n_cols) % n_rows
    col_of_pixel = np.arange(n_rows * n_cols) // n_rows
    path = tmp_path / "cube.mat"
    scipy.io.savemat(path, {"cube": cube, "A": flat_conditions})

    dataset = load_array(path, "cube", "A", ["index", "one"], wavelengths=[1, 2, 3, 4])

    np.testing.assert_allclose(dataset.spectra, cube[row_of_pixel, col_of_pixel], rtol=1e-6)
    np.testing.assert_allclose(dataset.conditions[:, 0], np.arange(n_rows * n_cols))


def test_load_array_bands_first_cube_with_cube_conditions(tmp_path):
    cube = np.random.default_rng(1).random((4, 2, 3))
    abundance_cube = np.random.default_rng(2).random((2, 3, 2))
    path = tmp_path / "cubes.npz"
    np.savez(path, X=cube, A=abundance_cube)

    dataset = load_array(path, "X", "A", ["a", "b"], layout="bands_rows_cols", conditions_layout="rows_cols_conditions")

    np.testing.assert_allclose(dataset.spectra[4], cube[:, 1, 1], rtol=1e-6)
    np.testing.assert_allclose(dataset.conditions[4], abundance_cube[1, 1], rtol=1e-6)


def test_load_array_single_condition_vector(tmp_path):
    spectra, conditions = pixel_table(n_conditions=1)
    path = tmp_path / "vector.npz"
    np.savez(path, X=spectra, c=conditions.ravel())

    dataset = load_array(path, "X", "c", ["moisture"])

    assert dataset.conditions.shape == (6, 1)
    np.testing.assert_allclose(dataset.wavelengths, [0, 1, 2, 3])


def test_load_array_exclude_bands(tmp_path):
    spectra, conditions = pixel_table()
    path = tmp_path / "exclude.npz"
    np.savez(path, X=spectra, c=conditions)

    dataset = load_array(path, "X", "c", ["a", "b"], wavelengths=[500, 600, 700, 800], exclude_bands=[[550, 650]])

    assert dataset.wavelengths.tolist() == [500.0, 700.0, 800.0]
    np.testing.assert_allclose(dataset.spectra[:, 1], spectra[:, 2], rtol=1e-6)


def test_load_array_unknown_key_lists_keys(tmp_path):
    spectra, conditions = pixel_table()
    path = tmp_path / "keys.npz"
    np.savez(path, X=spectra, c=conditions)

    with pytest.raises(DataError) as error:
        load_array(path, "Y", "c", ["a", "b"])

    message = str(error.value)
    assert str(path) in message
    assert "'Y'" in message
    assert "X (6, 4)" in message
    assert "c (6, 2)" in message


def test_load_array_unknown_conditions_key_in_second_file(tmp_path):
    spectra, conditions = pixel_table()
    np.savez(tmp_path / "spectra.npz", X=spectra)
    conditions_path = tmp_path / "abundances.npz"
    np.savez(conditions_path, abundances=conditions)

    with pytest.raises(DataError) as error:
        load_array(tmp_path / "spectra.npz", "X", "A", ["a", "b"], conditions_path=conditions_path)

    message = str(error.value)
    assert str(conditions_path) in message
    assert "data.conditions_key" in message
    assert "abundances (6, 2)" in message


def test_load_array_mismatched_pixel_counts(tmp_path):
    spectra, _ = pixel_table()
    path = tmp_path / "mismatch.npz"
    np.savez(path, X=spectra, c=np.zeros((5, 2)))

    with pytest.raises(DataError) as error:
        load_array(path, "X", "c", ["a", "b"])

    message = str(error.value)
    assert str(path) in message
    assert "same number of pixels" in message
    assert "(6, 4)" in message
    assert "(5, 2)" in message


def test_load_array_explicit_layout_mismatch(tmp_path):
    spectra, conditions = pixel_table()
    path = tmp_path / "explicit.npz"
    np.savez(path, X=spectra, c=conditions)

    with pytest.raises(DataError) as error:
        load_array(path, "X", "c", ["a", "b"], layout="bands_pixels")

    assert "same number of pixels" in str(error.value)


def test_load_array_square_layout_is_ambiguous(tmp_path):
    path = tmp_path / "square.npz"
    np.savez(path, X=np.ones((3, 3)), c=np.ones((3, 3)))

    with pytest.raises(DataError) as error:
        load_array(path, "X", "c")

    message = str(error.value)
    assert "ambiguous" in message
    assert "data.layout" in message


def test_load_array_condition_names_resolve_layout(tmp_path):
    spectra, conditions = pixel_table(n_pixels=6, n_bands=4, n_conditions=4)
    path = tmp_path / "names.npz"
    # Both arrays are 6 x 4, so "6 pixels x 4 values" and "4 pixels x 6 values" both fit
    # until the four condition names rule out six conditions.
    np.savez(path, X=spectra, c=conditions)

    with pytest.raises(DataError) as error:
        load_array(path, "X", "c", None)
    assert "ambiguous" in str(error.value)

    dataset = load_array(path, "X", "c", ["a", "b", "c", "d"])
    np.testing.assert_allclose(dataset.spectra, spectra, rtol=1e-6)
    np.testing.assert_allclose(dataset.conditions, conditions, rtol=1e-6)


def test_load_array_wrong_number_of_condition_names(tmp_path):
    spectra, conditions = pixel_table()
    path = tmp_path / "names.npz"
    np.savez(path, X=spectra, c=conditions)

    with pytest.raises(DataError) as error:
        load_array(path, "X", "c", ["a", "b", "c"])

    assert "same number of pixels" in str(error.value)
    assert "3 conditions from data.condition_names" in str(error.value)


def test_load_array_missing_condition_names(tmp_path):
    spectra, conditions = pixel_table()
    path = tmp_path / "unnamed.npz"
    np.savez(path, X=spectra, c=conditions)

    with pytest.raises(DataError) as error:
        load_array(path, "X", "c")

    assert "data.condition_names is required" in str(error.value)
    assert "2 conditions" in str(error.value)


def test_load_array_nan_names_pixel_and_band(tmp_path):
    spectra, conditions = pixel_table()
    spectra[4, 2] = np.nan
    path = tmp_path / "nan.npz"
    np.savez(path, X=spectra, c=conditions)

    with pytest.raises(DataError) as error:
        load_array(path, "X", "c", ["a", "b"], wavelengths=[500, 600, 700, 800])

    message = str(error.value)
    assert str(path) in message
    assert "pixel 4" in message
    assert "band 2 (700 nm)" in message


def test_load_array_matlab_v73_rejected(tmp_path):
    path = tmp_path / "v73.mat"
    # A MATLAB v7.3 header: 116 bytes of text, 8 bytes subsystem offset, version 0x0200, "IM".
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64".ljust(116, b" ") + b" " * 8 + b"\x00\x02IM"
    path.write_bytes(header + b"\x00" * 512)

    with pytest.raises(DataError) as error:
        load_array(path, "Y", "A", ["a"])

    message = str(error.value)
    assert str(path) in message
    assert "v7.3" in message
    assert "-v7" in message
    assert ".npz" in message


def test_load_array_two_wavelength_sources_rejected(tmp_path):
    spectra, conditions = pixel_table()
    path = tmp_path / "two_sources.npz"
    np.savez(path, X=spectra, c=conditions)

    with pytest.raises(DataError) as error:
        load_array(path, "X", "c", ["a", "b"], wavelengths=[1, 2, 3, 4], wavelength_range=[400, 700])

    assert "data.wavelengths and data.wavelength_range" in str(error.value)


def test_load_array_channel_out_of_range(tmp_path):
    spectra, conditions = pixel_table()
    path = tmp_path / "channels.npz"
    np.savez(path, X=spectra, c=conditions, ch=np.array([1, 2, 3, 300]))

    with pytest.raises(DataError) as error:
        load_array(path, "X", "c", ["a", "b"], channel_key="ch", channel_wavelengths=[366, 2496, 224])

    assert "channel 300" in str(error.value)


def test_load_array_missing_file(tmp_path):
    with pytest.raises(DataError) as error:
        load_array(tmp_path / "absent.mat", "Y", "A", ["a"])

    assert "file not found" in str(error.value)
    assert "data.spectra_path" in str(error.value)
