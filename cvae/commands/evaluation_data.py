"""Choose, load and check the real spectra that `python -m cvae.evaluate` compares against."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from cvae.data import DataError, SpectralDataset, load_dataset, prepare_data
from cvae.data.prepare import PreparedData

logger = logging.getLogger(__name__)

SPLITS = ("train", "val", "test", "all")
# Largest difference in nm between a dataset's band centre and the checkpoint's that
# still counts as the same band; far below any sensor's band spacing.
WAVELENGTH_ATOL_NM = 1e-3


@dataclass
class EvaluationData:
    """The evaluated real spectra and where they came from.

    `dataset` is the chosen split in reflectance units. `prepared` contains all three
    splits of the same data config, or is None for `split=all`. `from_checkpoint` is true
    when the data config is the one stored in the checkpoint.
    """

    dataset: SpectralDataset
    prepared: PreparedData | None
    data_config: dict[str, Any]
    from_checkpoint: bool
    split: str


def choose_data_config(data_cfg: DictConfig | Mapping | None, train_config: Mapping) -> tuple[dict, bool]:
    """Return the data config to evaluate on and whether it is the checkpoint's own.

    A null `data_cfg` selects the resolved data config stored in the checkpoint.
    """
    if data_cfg is None:
        return dict(train_config["data"]), True
    if isinstance(data_cfg, DictConfig):
        data_cfg = OmegaConf.to_container(data_cfg, resolve=True)
    data_config = dict(data_cfg)
    return data_config, data_config == dict(train_config["data"])


def load_evaluation_data(
    data_cfg: DictConfig | Mapping | None, train_config: Mapping, split: str
) -> EvaluationData:
    """Load the `split` of the chosen data config, split as in training.

    The training run's seed is passed to the data preparation, so that a null
    `split_seed` or `mixture_seed` reproduces the training run's splits.
    """
    if split not in SPLITS:
        raise ValueError(f"split={split!r} is invalid; use one of {', '.join(SPLITS)}.")
    data_config, from_checkpoint = choose_data_config(data_cfg, train_config)
    seed = int(train_config["seed"])
    if split == "all":
        return EvaluationData(load_dataset(data_config, seed=seed), None, data_config, from_checkpoint, split)
    prepared = prepare_data(data_config, seed=seed)
    dataset = {"train": prepared.train_raw, "val": prepared.val_raw, "test": prepared.test_raw}[split]
    if dataset.n_samples == 0:
        raise DataError(
            f"{dataset.source}: the {split} split is empty; choose another split or change "
            "data.val_fraction and data.test_fraction."
        )
    return EvaluationData(dataset, prepared, data_config, from_checkpoint, split)


def describe_bands(wavelengths: Sequence[float]) -> str:
    values = np.asarray(wavelengths, dtype=np.float64)
    return f"{values.size} bands, {values[0]:g}-{values[-1]:g} nm"


def check_wavelengths(checkpoint_wavelengths: Sequence[float], dataset: SpectralDataset) -> None:
    """Raise DataError unless the dataset has the checkpoint's bands, in the same order."""
    expected = np.asarray(checkpoint_wavelengths, dtype=np.float64)
    actual = np.asarray(dataset.wavelengths, dtype=np.float64)
    if expected.shape == actual.shape and np.allclose(expected, actual, rtol=0, atol=WAVELENGTH_ATOL_NM):
        return
    detail = ""
    if expected.shape == actual.shape:
        first = int(np.flatnonzero(~np.isclose(expected, actual, rtol=0, atol=WAVELENGTH_ATOL_NM))[0])
        detail = f" Band {first} is {expected[first]:g} nm in the checkpoint but {actual[first]:g} nm in the data."
    raise DataError(
        f"{dataset.source}: the dataset's wavelengths ({describe_bands(actual)}) do not match the "
        f"checkpoint's ({describe_bands(expected)}).{detail} Evaluate on data with the bands the "
        "model was trained on (same wavelength_range and exclude_bands), or train a model on this data."
    )


def check_condition_names(checkpoint_names: Sequence[str], dataset: SpectralDataset) -> None:
    """Raise DataError unless the dataset's condition columns are the checkpoint's, in order."""
    if list(checkpoint_names) == list(dataset.condition_names):
        return
    raise DataError(
        f"{dataset.source}: the dataset's conditions {list(dataset.condition_names)} differ from the "
        f"checkpoint's {list(checkpoint_names)}. The model reads conditions by position; list the "
        "same columns in the same order (data.condition_columns or data.condition_names)."
    )


def estimator_training_data(
    evaluation: EvaluationData, train_config: Mapping, fit_on: str
) -> SpectralDataset:
    """Return the real spectra that the fraction estimator is fitted on.

    `fit_on="checkpoint"` uses the training split of the checkpoint's stored data config,
    the data the model learnt from, regenerated or reloaded with the training seed.
    `fit_on="evaluated"` uses the training split of the evaluated data config.
    """
    if fit_on not in ("checkpoint", "evaluated"):
        raise ValueError(f"fraction_estimator.fit_on={fit_on!r} is invalid; use checkpoint or evaluated.")
    reuse = fit_on == "evaluated" or evaluation.from_checkpoint
    if reuse and evaluation.prepared is not None:
        training = evaluation.prepared.train_raw
    else:
        config = evaluation.data_config if fit_on == "evaluated" else dict(train_config["data"])
        training = prepare_data(config, seed=int(train_config["seed"])).train_raw
    if reuse and evaluation.split in ("train", "all"):
        logger.warning(
            "The fraction estimator is fitted on the training split, which is part of the "
            "evaluated split=%s, so fraction_mae_real understates the error on unseen spectra.",
            evaluation.split,
        )
    return training
