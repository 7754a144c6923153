"""Data loading, splitting, scaling and batching for spectra with their conditions.

`prepare_data(cfg.data, seed)` is the entry point for training. The loaders return a
`SpectralDataset` in physical reflectance units and raise `DataError` for invalid input.
"""

from cvae.data.arrays import load_array
from cvae.data.batches import TensorBatches
from cvae.data.dataset import SpectralDataset
from cvae.data.errors import DataError
from cvae.data.library_mixtures import load_library_mixtures, mix_spectra
from cvae.data.prepare import PreparedData, load_dataset, prepare_data
from cvae.data.scaling import BandScaler
from cvae.data.split import name_prefix, split_dataset
from cvae.data.table import load_table

__all__ = [
    "BandScaler",
    "DataError",
    "PreparedData",
    "SpectralDataset",
    "TensorBatches",
    "load_array",
    "load_dataset",
    "load_library_mixtures",
    "load_table",
    "mix_spectra",
    "name_prefix",
    "prepare_data",
    "split_dataset",
]
