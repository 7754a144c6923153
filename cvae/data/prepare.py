"""Load, split and scale a dataset from its `data` config, ready for training."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from omegaconf import DictConfig

from cvae.data.arrays import load_array
from cvae.data.dataset import SpectralDataset
from cvae.data.errors import DataError
from cvae.data.library_mixtures import load_library_mixtures
from cvae.data.options import DataOptions, as_bool, as_float, as_fraction, as_int
from cvae.data.scaling import BandScaler
from cvae.data.split import check_split_fractions, name_prefix, split_dataset
from cvae.data.table import load_table

logger = logging.getLogger(__name__)

FORMATS = ("library_mixtures", "csv", "array")
# Keys that every data config has; batch_size is read by the training loop.
COMMON_KEYS = {
    "format",
    "val_fraction",
    "test_fraction",
    "split_seed",
    "group_column",
    "group_by_name_prefix",
    "scaling_margin",
    "batch_size",
    "max_samples",
}


@dataclass
class PreparedData:
    """Train, validation and test data, scaled for a model whose decoder ends in a sigmoid.

    The `*_spectra` tensors are float32 (n_samples, n_bands) spectra after `scaler`.
    The `*_conditions` tensors are float32 (n_samples, n_conditions) and not scaled.
    The `*_raw` datasets are the same splits in physical reflectance units, in the
    same sample order. `wavelengths` are the band centres in nm.
    """

    train_spectra: torch.Tensor
    train_conditions: torch.Tensor
    val_spectra: torch.Tensor
    val_conditions: torch.Tensor
    test_spectra: torch.Tensor
    test_conditions: torch.Tensor
    train_raw: SpectralDataset
    val_raw: SpectralDataset
    test_raw: SpectralDataset
    scaler: BandScaler
    wavelengths: list[float]
    condition_names: list[str]

    @property
    def n_bands(self) -> int:
        return len(self.wavelengths)

    @property
    def n_conditions(self) -> int:
        return len(self.condition_names)


def load_dataset(data_cfg: DictConfig | Mapping[str, Any], seed: int = 0) -> SpectralDataset:
    """Load the whole dataset that `data_cfg.format` names, in physical units, without splitting."""
    options = DataOptions(data_cfg)
    dataset = _load(options, seed)
    options.warn_unused(COMMON_KEYS)
    return dataset


def prepare_data(data_cfg: DictConfig | Mapping[str, Any], seed: int) -> PreparedData:
    """Load the dataset from `data_cfg`, split it and scale the spectra.

    `seed` is the run's seed. It is used for the split when `split_seed` is null and
    for the library mixtures when `mixture_seed` is null. The scaler is fitted on the
    training split only. Raises DataError for any invalid input or config value.
    """
    # The cheap config values are checked first, so that a typo fails before a large file is read.
    options = DataOptions(data_cfg)
    val_fraction = as_fraction(options.optional("val_fraction", 0.15), "val_fraction")
    test_fraction = as_fraction(options.optional("test_fraction", 0.15), "test_fraction")
    check_split_fractions(val_fraction, test_fraction)
    split_seed = as_int(options.optional("split_seed", seed), "split_seed")
    group_column = options.optional("group_column")
    by_name_prefix = as_bool(options.optional("group_by_name_prefix", False), "group_by_name_prefix")
    margin = as_float(options.optional("scaling_margin", 0.05), "scaling_margin")
    if margin < 0:
        raise DataError(f"data.scaling_margin must be >= 0, got {margin}.")

    max_samples = options.optional("max_samples")
    if max_samples is not None:
        max_samples = as_int(max_samples, "max_samples", minimum=1)

    dataset = _load(options, seed)
    if max_samples is not None and max_samples < dataset.n_samples:
        # A seeded random subset, drawn before the split, keeps CPU runs short on large
        # scenes such as the 10,000 Jasper Ridge pixels.
        chosen = np.random.default_rng(split_seed).choice(dataset.n_samples, max_samples, replace=False)
        logger.info("Using %d of %d samples (data.max_samples).", max_samples, dataset.n_samples)
        dataset = dataset.subset(np.sort(chosen))
    groups = _groups(dataset, group_column, by_name_prefix)
    options.warn_unused(COMMON_KEYS)

    train_raw, val_raw, test_raw = split_dataset(dataset, val_fraction, test_fraction, split_seed, groups)
    scaler = BandScaler(margin=margin).fit(train_raw.spectra)
    _log_out_of_range(scaler, val_raw, "validation")
    _log_out_of_range(scaler, test_raw, "test")

    return PreparedData(
        train_spectra=_scaled_tensor(scaler, train_raw),
        train_conditions=torch.from_numpy(train_raw.conditions.astype(np.float32)),
        val_spectra=_scaled_tensor(scaler, val_raw),
        val_conditions=torch.from_numpy(val_raw.conditions.astype(np.float32)),
        test_spectra=_scaled_tensor(scaler, test_raw),
        test_conditions=torch.from_numpy(test_raw.conditions.astype(np.float32)),
        train_raw=train_raw,
        val_raw=val_raw,
        test_raw=test_raw,
        scaler=scaler,
        wavelengths=[float(w) for w in dataset.wavelengths],
        condition_names=list(dataset.condition_names),
    )


def _load(options: DataOptions, seed: int) -> SpectralDataset:
    data_format = options.required("format")
    if data_format == "library_mixtures":
        return load_library_mixtures(
            n_samples=as_int(options.optional("n_samples", 3000), "n_samples", minimum=1),
            dirichlet_alpha=options.optional("dirichlet_alpha", [1.0, 1.0, 1.0]),
            pure_fraction=as_fraction(options.optional("pure_fraction", 0.1), "pure_fraction"),
            noise_std=as_float(options.optional("noise_std", 0.002), "noise_std"),
            seed=as_int(options.optional("mixture_seed", seed), "mixture_seed"),
        )
    if data_format == "csv":
        return load_table(
            options.required("path"),
            options.required("condition_columns"),
            sheet=options.optional("sheet"),
            name_column=options.optional("name_column"),
            group_column=options.optional("group_column"),
            wavelength_range=options.optional("wavelength_range"),
            exclude_bands=options.optional("exclude_bands"),
        )
    if data_format == "array":
        return load_array(
            options.required("spectra_path"),
            options.required("spectra_key"),
            options.required("conditions_key"),
            options.optional("condition_names"),
            conditions_path=options.optional("conditions_path"),
            layout=options.optional("layout", "auto"),
            conditions_layout=options.optional("conditions_layout", "auto"),
            pixel_order=options.optional("pixel_order"),
            scale_factor=options.optional("scale_factor", 1.0),
            wavelengths_key=options.optional("wavelengths_key"),
            wavelengths=options.optional("wavelengths"),
            wavelength_range=options.optional("wavelength_range"),
            channel_key=options.optional("channel_key"),
            channel_wavelengths=options.optional("channel_wavelengths"),
            exclude_bands=options.optional("exclude_bands"),
        )
    raise DataError(f"data.format must be one of {list(FORMATS)}, got {data_format!r}.")


def _groups(dataset: SpectralDataset, group_column: str | None, by_name_prefix: bool) -> list[str] | None:
    """Return the group label of every sample for a grouped split, or None for a plain split."""
    if group_column is not None and by_name_prefix:
        raise DataError(
            "data.group_column and data.group_by_name_prefix are both set; choose one way to group samples."
        )
    if by_name_prefix:
        if dataset.sample_names is None:
            raise DataError(
                f"{dataset.source}: data.group_by_name_prefix needs sample names, but this dataset has "
                "none. Set data.name_column (csv) or use data.group_column."
            )
        return [name_prefix(name) for name in dataset.sample_names]
    if group_column is None:
        return None
    if dataset.groups is not None:
        return dataset.groups
    if group_column in dataset.sample_info:
        return [str(value) for value in dataset.sample_info[group_column]]
    raise DataError(
        f"{dataset.source}: data.group_column {group_column!r} not found; for this data format the "
        f"available per-sample columns are {sorted(dataset.sample_info)}."
    )


def _scaled_tensor(scaler: BandScaler, dataset: SpectralDataset) -> torch.Tensor:
    scaled = scaler.transform(dataset.spectra.astype(np.float64))
    return torch.from_numpy(scaled.astype(np.float32))


def _log_out_of_range(scaler: BandScaler, dataset: SpectralDataset, name: str) -> None:
    """Log the share of scaled values outside [0, 1], which a sigmoid output cannot reach."""
    if dataset.n_samples == 0:
        return
    scaled = scaler.transform(dataset.spectra.astype(np.float64))
    outside = float(np.mean((scaled < 0.0) | (scaled > 1.0)))
    if outside > 0:
        logger.info(
            "%.3f%% of the scaled %s values are outside [0, 1] (beyond the training range plus margin).",
            100.0 * outside,
            name,
        )
