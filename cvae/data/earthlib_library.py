"""The spectral library shipped in the earthlib package (MIT licence), grouped into cover classes."""

from __future__ import annotations

import functools
import importlib.resources
import logging
from dataclasses import dataclass

import numpy as np

from cvae.data.errors import DataError

logger = logging.getLogger(__name__)

# Cover class -> (LEVEL_2, LEVEL_3 or None for any) in earthlib's spectra.csv metadata.
# In earthlib 1.1.0 these select 2000 PROSAIL-simulated canopies, 104 measured
# non-photosynthetic vegetation spectra (bark, litter, wood, npv) and 4185 measured soils.
COVER_CLASSES = {
    "gv": ("vegetation", None),
    "npv": ("npv", None),
    "soil": ("bare", "soil"),
}


@dataclass(frozen=True)
class SpectralLibrary:
    """Library spectra with their cover class members.

    Attributes:
        spectra: (n_spectra, n_bands) float64 reflectance.
        names: one name per library spectrum.
        wavelengths: (n_bands,) band centres in nm, increasing.
        class_members: cover class name -> row indices into `spectra`.
        source: the library file, for logs and dataset descriptions.
    """

    spectra: np.ndarray
    names: list[str]
    wavelengths: np.ndarray
    class_members: dict[str, np.ndarray]
    source: str


@functools.lru_cache(maxsize=1)
def load_earthlib_library() -> SpectralLibrary:
    """Read earthlib's spectra.sli and spectra.csv and select the cover classes.

    The result is cached because the file does not change while the process runs.
    Raises DataError when earthlib cannot be imported or its files do not match.
    """
    try:
        import earthlib.read
    except ImportError as error:
        raise DataError(
            "data=library_mixtures needs the earthlib package (version 1.1.0) but importing it "
            f"failed: {error}. Install it with `pip install earthlib==1.1.0`, or use data=csv "
            "or data=array with your own spectra."
        ) from error
    import pandas as pd

    data_dir = importlib.resources.files("earthlib") / "data"
    with importlib.resources.as_file(data_dir / "spectra.sli") as library_path:
        try:
            spectra, names, sensor = earthlib.read.envi_library(str(library_path))
        except (FileNotFoundError, OSError, ValueError) as error:
            raise DataError(f"failed to read the earthlib spectral library {library_path}: {error}") from error
        source = str(library_path)
    with importlib.resources.as_file(data_dir / "spectra.csv") as metadata_path:
        metadata = pd.read_csv(metadata_path)

    spectra = np.asarray(spectra, dtype=np.float64)
    if len(metadata) != spectra.shape[0]:
        raise DataError(
            f"earthlib spectra.csv has {len(metadata)} rows but {source} has {spectra.shape[0]} "
            "spectra; the installed earthlib version does not match version 1.1.0."
        )
    # band_centers are float32 micrometres in earthlib 1.1.0. Rounding to 0.001 nm
    # removes float32 noise such as 400.000006.
    wavelengths = np.round(np.asarray(sensor.band_centers, dtype=np.float64) * 1000.0, 3)

    class_members = {}
    for class_name, (level_2, level_3) in COVER_CLASSES.items():
        selected = metadata["LEVEL_2"].to_numpy() == level_2
        if level_3 is not None:
            selected &= metadata["LEVEL_3"].to_numpy() == level_3
        members = np.flatnonzero(selected)
        if members.size == 0:
            raise DataError(
                f"earthlib spectra.csv has no spectra with LEVEL_2={level_2!r}"
                f"{'' if level_3 is None else f' and LEVEL_3={level_3!r}'} for class {class_name!r}; "
                "install earthlib==1.1.0."
            )
        # The metadata rows and library rows are matched by position, so check that
        # the names agree for every spectrum that the mixtures use.
        mismatched = [i for i in members if metadata["NAME"].iat[i] != names[i]]
        if mismatched:
            raise DataError(
                f"earthlib spectra.csv row {mismatched[0]} names {metadata['NAME'].iat[mismatched[0]]!r} "
                f"but the library spectrum there is {names[mismatched[0]]!r}; install earthlib==1.1.0."
            )
        class_members[class_name] = members

    logger.info(
        "Read %s: %d spectra, %d bands (%g-%g nm); class sizes %s.",
        source,
        spectra.shape[0],
        spectra.shape[1],
        wavelengths[0],
        wavelengths[-1],
        {name: int(members.size) for name, members in class_members.items()},
    )
    return SpectralLibrary(
        spectra=spectra,
        names=list(names),
        wavelengths=wavelengths,
        class_members=class_members,
        source=source,
    )
