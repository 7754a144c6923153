"""Generate reflectance spectra from a trained checkpoint.

    python -m cvae.sample ckpt_path=outputs/train/<date>/<time>/checkpoints/best.pt \\
        conditions=[[0.4,0.35,0.25],[0.2,0.1,0.7]] n_per_condition=10

Hydra composes `conf/sample.yaml`. The job decodes z ~ N(0, temperature² I) for every
requested condition and writes into its output folder (default
outputs/sample/<date>/<time>/):

- `samples.csv`: one row per generated spectrum. The columns are `sample_id` (0, 1, ...
  in the order of samples.npy), `condition_index` (row of the requested conditions),
  one column per condition named as in training, then one column per band. A band
  column is named by its wavelength in nm in the shortest exact decimal form ("400",
  "412.5"), which the csv data loader reads back. Values are reflectance (0-1).
- `samples.npy`: float32 (n_conditions, n_per_condition, n_bands) reflectance.
- `wavelengths.npy`: float64 (n_bands,) band centres in nm.
- `conditions.npy`: float64 (n_conditions, n_conditions_per_row) conditions after the
  checks, as the model received them.
- `samples.png`: per condition, the mean generated spectrum and its 5-95 % band.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
from omegaconf import DictConfig

from cvae.commands.common import hydra_output_dir, load_trained_model
from cvae.commands.conditions import (
    check_conditions,
    conditions_are_fractions,
    default_conditions,
    parse_conditions,
    validate_check_options,
)
from cvae.data import prepare_data
from cvae.generation import figure_conditions, generate_spectra
from cvae.plots import plot_generated_spectra
from cvae.training.device import select_device

logger = logging.getLogger(__name__)

# Digits that restore a float32 exactly from text.
CSV_FLOAT_FORMAT = "%.9g"


def wavelength_column(wavelength_nm: float) -> str:
    """Name a band column by its wavelength in nm, shortest exact form: 400.0 -> "400"."""
    return np.format_float_positional(float(wavelength_nm), trim="-")


def samples_table(
    samples: np.ndarray,
    conditions: np.ndarray,
    condition_names: list[str],
    wavelengths: np.ndarray,
) -> pd.DataFrame:
    """Flatten (n_conditions, n_per_condition, n_bands) samples to one row per spectrum."""
    n_conditions, n_per_condition, n_bands = samples.shape
    condition_index = np.repeat(np.arange(n_conditions), n_per_condition)
    columns: dict[str, np.ndarray] = {
        "sample_id": np.arange(n_conditions * n_per_condition),
        "condition_index": condition_index,
    }
    for column, name in enumerate(condition_names):
        columns[name] = conditions[condition_index, column]
    band_columns = [wavelength_column(value) for value in wavelengths]
    table = pd.DataFrame(columns)
    spectra = pd.DataFrame(samples.reshape(-1, n_bands), columns=band_columns)
    return pd.concat([table, spectra], axis=1)


def training_conditions_for_figure(payload: dict) -> np.ndarray:
    """Reload the checkpoint's training split and pick conditions as training figures do.

    Used only when `conditions` is null and the conditions are not fractions, because
    then no fixed default exists; reloading repeats the training data preparation.
    """
    train_config = payload["config"]
    logger.info(
        "conditions is null and the conditions %s are not fractions; reloading the training "
        "data to choose the rows with the largest value of each condition and the mean.",
        payload["condition_names"],
    )
    data = prepare_data(train_config["data"], seed=train_config["seed"])
    return figure_conditions(data.train_raw.conditions).astype(np.float64)


def resolve_conditions(cfg: DictConfig, payload: dict) -> np.ndarray:
    """Return the checked (n_conditions, n_condition_columns) rows to generate for."""
    names = list(payload["condition_names"])
    fractions = conditions_are_fractions(names, cfg.conditions_are_fractions)
    if cfg.conditions is None:
        if fractions:
            conditions = default_conditions(len(names))
        else:
            conditions = training_conditions_for_figure(payload)
        logger.info("conditions is null; generating for %s.", np.round(conditions, 4).tolist())
        return conditions

    parsed = parse_conditions(cfg.conditions, names)
    return check_conditions(
        parsed,
        names,
        fractions=fractions,
        mode=cfg.condition_check,
        sum_tolerance=cfg.sum_tolerance,
    )


def validate_options(cfg: DictConfig) -> None:
    """Raise ValueError for invalid options before the checkpoint is read."""
    n_per_condition = cfg.n_per_condition
    if isinstance(n_per_condition, bool) or not isinstance(n_per_condition, int) or n_per_condition < 1:
        raise ValueError(f"n_per_condition={n_per_condition!r} is invalid; it must be an integer >= 1.")
    temperature = cfg.temperature
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
        raise ValueError(f"temperature={temperature!r} is invalid; it must be a number >= 0.")
    if not (math.isfinite(temperature) and temperature >= 0):
        raise ValueError(f"temperature={temperature!r} is invalid; it must be a finite number >= 0.")
    validate_check_options(cfg.condition_check, cfg.sum_tolerance)


def write_outputs(
    output_dir: Path,
    samples: np.ndarray,
    conditions: np.ndarray,
    condition_names: list[str],
    wavelengths: np.ndarray,
    title: str,
) -> None:
    samples_table(samples, conditions, condition_names, wavelengths).to_csv(
        output_dir / "samples.csv", index=False, float_format=CSV_FLOAT_FORMAT
    )
    np.save(output_dir / "samples.npy", samples)
    np.save(output_dir / "wavelengths.npy", wavelengths)
    np.save(output_dir / "conditions.npy", conditions)

    figure = plot_generated_spectra(
        wavelengths,
        conditions,
        samples,
        condition_names,
        path=output_dir / "samples.png",
        title=title,
    )
    import matplotlib.pyplot as plt

    plt.close(figure)


def sample(cfg: DictConfig) -> Path:
    """Generate spectra for the requested conditions and write them; return the output folder."""
    output_dir = hydra_output_dir()
    validate_options(cfg)
    device = select_device(cfg.device)
    model, scaler, payload = load_trained_model(cfg.ckpt_path, device)
    names = list(payload["condition_names"])
    wavelengths = np.asarray(payload["wavelengths"], dtype=np.float64)

    conditions = resolve_conditions(cfg, payload)
    samples = generate_spectra(
        model,
        scaler,
        conditions.astype(np.float32),
        cfg.n_per_condition,
        temperature=float(cfg.temperature),
        seed=cfg.seed,
        device=device,
    ).astype(np.float32)

    title = (
        f"{payload['config']['model']['name']}: {cfg.n_per_condition} samples per condition, "
        f"temperature {cfg.temperature:g}, seed {cfg.seed}"
    )
    write_outputs(output_dir, samples, conditions, names, wavelengths, title)
    logger.info(
        "Generated %d x %d spectra of %d bands (%.0f-%.0f nm) from %s; reflectance range "
        "%.4g to %.4g. Outputs in %s",
        samples.shape[0],
        samples.shape[1],
        samples.shape[2],
        wavelengths[0],
        wavelengths[-1],
        cfg.ckpt_path,
        float(samples.min()),
        float(samples.max()),
        output_dir,
    )
    return output_dir


@hydra.main(version_base="1.3", config_path="../conf", config_name="sample")
def main(cfg: DictConfig) -> None:
    sample(cfg)


if __name__ == "__main__":
    main()
