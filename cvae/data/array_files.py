"""Reading named arrays from .npz and MATLAB .mat files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import scipy.io
from scipy.io.matlab import MatReadError, matfile_version

from cvae.data.errors import DataError

SUPPORTED_SUFFIXES = (".npz", ".mat")


def read_array_file(path: Path) -> dict[str, np.ndarray]:
    """Return every array in a .npz or .mat file by key.

    MATLAB v7.3 files are HDF5 and would need h5py, which this package does not
    depend on, so they raise DataError with the conversion to use instead.
    """
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return _read_npz(path)
    if suffix == ".mat":
        return _read_mat(path)
    raise DataError(
        f"{path}: unsupported array file format {path.suffix!r}; use one of "
        f"{', '.join(SUPPORTED_SUFFIXES)}, or data=csv for .csv and .xlsx tables."
    )


def get_array(arrays: dict[str, np.ndarray], key: str, path: Path, config_key: str) -> np.ndarray:
    """Return `arrays[key]` as a numeric array, raising DataError that lists the available keys."""
    if key not in arrays:
        available = ", ".join(f"{name} {np.shape(value)}" for name, value in arrays.items())
        raise DataError(
            f"{path}: key {key!r} (data.{config_key}) not found; the file contains: "
            f"{available or 'no arrays'}. Set data.{config_key} to one of these keys."
        )
    array = np.asarray(arrays[key])
    if array.dtype.kind not in "biuf":
        raise DataError(
            f"{path}: key {key!r} (data.{config_key}) has dtype {array.dtype}, not numbers. "
            "Store it as a numeric matrix (MATLAB cell arrays and structs are not supported)."
        )
    return array


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise DataError(f"{path}: failed to read the file as .npz: {error}") from error


def _read_mat(path: Path) -> dict[str, np.ndarray]:
    try:
        with open(path, "rb") as stream:
            major_version, _ = matfile_version(stream)
    except (MatReadError, ValueError, OSError) as error:
        raise DataError(f"{path}: failed to read the file as MATLAB .mat: {error}") from error
    if major_version == 2:
        raise DataError(
            f"{path}: MATLAB v7.3 (HDF5) files are not supported because reading them needs "
            "h5py. Save the file in MATLAB with save(filename, ..., '-v7') or convert it to .npz."
        )
    try:
        contents = scipy.io.loadmat(path)
    except (MatReadError, ValueError, OSError, NotImplementedError) as error:
        raise DataError(f"{path}: failed to read the file as MATLAB .mat: {error}") from error
    # loadmat adds __header__, __version__ and __globals__ entries, which are not arrays.
    return {key: value for key, value in contents.items() if not key.startswith("__")}
