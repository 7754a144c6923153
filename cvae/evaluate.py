"""Evaluate a trained checkpoint on real spectra.

    python -m cvae.evaluate ckpt_path=outputs/train/<date>/<time>/checkpoints/best.pt
    python -m cvae.evaluate ckpt_path=... data=field_spectra split=val

Hydra composes `conf/evaluate.yaml`. Without `data=...` the job evaluates on the data
config stored in the checkpoint, split as in training (same seeds). With `data=<group>`
it evaluates on that data config instead, which must have the checkpoint's bands and
condition columns. It writes into its output folder (default
outputs/evaluate/<date>/<time>/):

- `metrics.json`: under "metrics", every metric of `cvae.evaluation.evaluate_generation`
  for `n_eval_conditions` conditions drawn from the evaluated split. It also has the
  reconstruction metrics of `cvae.training.validation.evaluate_split` on the whole split:
  `recon_rmse` through the encoder's memory, `latent_rmse` through
  `latent_to_memory(mu, cond)` and `prior_rmse` from z ~ N(0, I). "per_condition" contains
  the per-condition values, and further keys record what was evaluated. NaN is written
  as null.
- `real_vs_generated.png`: per evaluation condition, the generated mean with its 5-95 %
  band and the mean of the real neighbourhood spectra.
- `fraction_fidelity.png`: per condition name, requested against estimated value.

The fraction estimator is fitted on the training split of the checkpoint's own data
config by default (`fraction_estimator.fit_on=checkpoint`), the spectra the model learnt
from; `fit_on=evaluated` fits it on the evaluated data config's training split instead.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import torch
from omegaconf import DictConfig

from cvae.commands.common import hydra_output_dir, load_trained_model, require_checkpoint_path, write_json
from cvae.commands.conditions import conditions_sum_to_one
from cvae.commands.evaluation_data import (
    SPLITS,
    EvaluationData,
    check_condition_names,
    check_wavelengths,
    estimator_training_data,
    load_evaluation_data,
)
from cvae.commands.evaluation_plots import (
    neighbourhood_means,
    save_fraction_fidelity,
    save_real_vs_generated,
)
from cvae.data import SpectralDataset
from cvae.evaluation import (
    FractionEstimator,
    evaluate_generation,
    evaluate_generation_per_condition,
    find_neighbourhoods,
    select_eval_conditions,
)
from cvae.generation import generate_spectra
from cvae.losses import LossConfig
from cvae.training.device import select_device
from cvae.training.validation import evaluate_split

logger = logging.getLogger(__name__)


def validate_options(cfg: DictConfig) -> None:
    """Raise ValueError for invalid options before the checkpoint or data is read."""
    require_checkpoint_path(cfg.ckpt_path)
    if cfg.split not in SPLITS:
        raise ValueError(f"split={cfg.split!r} is invalid; use one of {', '.join(SPLITS)}.")
    for key in ("n_eval_conditions", "n_per_condition", "batch_size", "neighbourhood_k", "manifold_k"):
        value = cfg[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{key}={value!r} is invalid; it must be an integer >= 1.")
    temperature = cfg.temperature
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not (
        math.isfinite(temperature) and temperature >= 0
    ):
        raise ValueError(f"temperature={temperature!r} is invalid; it must be a finite number >= 0.")
    method = cfg.fraction_estimator.method
    if method not in (None, "nnls", "ridge"):
        raise ValueError(
            f"fraction_estimator.method={method!r} is invalid; use nnls, ridge or null to skip "
            "the fraction metrics."
        )
    if cfg.fraction_estimator.fit_on not in ("checkpoint", "evaluated"):
        raise ValueError(
            f"fraction_estimator.fit_on={cfg.fraction_estimator.fit_on!r} is invalid; use "
            "checkpoint or evaluated."
        )


def choose_eval_conditions(dataset: SpectralDataset, n_requested: int, seed: int) -> np.ndarray:
    """Draw up to `n_requested` distinct condition rows of the evaluated split."""
    n_unique = np.unique(dataset.conditions, axis=0).shape[0]
    if n_requested > n_unique:
        logger.warning(
            "n_eval_conditions=%d but the evaluated split has only %d distinct condition rows; "
            "evaluating all %d.",
            n_requested,
            n_unique,
            n_unique,
        )
    return select_eval_conditions(dataset.conditions, min(n_requested, n_unique), seed)


def fit_fraction_estimator(
    cfg: DictConfig, evaluation: EvaluationData, train_config: dict
) -> tuple[FractionEstimator | None, dict[str, Any] | None]:
    """Fit the reference fraction estimator; return it and a description for metrics.json."""
    method = cfg.fraction_estimator.method
    if method is None:
        logger.info("fraction_estimator.method is null; skipping the fraction metrics.")
        return None, None
    training = estimator_training_data(evaluation, train_config, cfg.fraction_estimator.fit_on)
    sum_to_one = conditions_sum_to_one(training.conditions)
    if method == "nnls" and not sum_to_one:
        # Linear unmixing models a spectrum as a mixture of one endmember per condition,
        # which is meaningless for conditions that are not fractions.
        logger.warning(
            "The training conditions %s are not fractions (rows in [0, 1] summing to 1), so "
            "the nnls unmixing estimator does not apply; using ridge regression instead.",
            training.condition_names,
        )
        method = "ridge"
    estimator = FractionEstimator(method, alpha=cfg.fraction_estimator.alpha, sum_to_one=sum_to_one)
    estimator.fit(training.spectra, training.conditions)
    description = {
        "method": method,
        "fit_on": cfg.fraction_estimator.fit_on,
        "n_train_spectra": training.n_samples,
        "sum_to_one": sum_to_one,
        "fitted_alpha": estimator.fitted_alpha,
    }
    return estimator, description


def reconstruction_metrics(
    model, scaler, dataset: SpectralDataset, train_config: dict, device, cfg: DictConfig
) -> dict[str, float]:
    """Run `evaluate_split` on the whole evaluated split with the checkpoint's scaler."""
    scaled = scaler.transform(dataset.spectra.astype(np.float64)).astype(np.float32)
    return evaluate_split(
        model,
        torch.from_numpy(scaled),
        torch.from_numpy(dataset.conditions.astype(np.float32)),
        scaler,
        LossConfig(**train_config["loss"]),
        device,
        batch_size=cfg.batch_size,
        seed=cfg.seed,
    )


def neighbourhood_options(cfg: DictConfig) -> dict[str, Any]:
    return {
        "neighbourhood_k": cfg.neighbourhood_k,
        "neighbourhood_radius": cfg.neighbourhood_radius,
        "manifold_k": cfg.manifold_k,
        "mmd_bandwidth": cfg.mmd_bandwidth,
    }


def evaluate(cfg: DictConfig) -> dict[str, Any]:
    """Evaluate the checkpoint, write metrics.json and the figures; return the metrics."""
    output_dir = hydra_output_dir()
    validate_options(cfg)
    device = select_device(cfg.device)
    model, scaler, payload = load_trained_model(cfg.ckpt_path, device)
    train_config = payload["config"]
    names = list(payload["condition_names"])
    wavelengths = np.asarray(payload["wavelengths"], dtype=np.float64)

    # The evaluated spectra must have the checkpoint's bands and condition columns.
    evaluation = load_evaluation_data(cfg.get("data"), train_config, cfg.split)
    dataset = evaluation.dataset
    check_wavelengths(wavelengths, dataset)
    check_condition_names(names, dataset)
    logger.info(
        "Evaluating %s on %d spectra of the %s split of %s (%s data config).",
        cfg.ckpt_path,
        dataset.n_samples,
        cfg.split,
        dataset.source,
        "the checkpoint's" if evaluation.from_checkpoint else "a new",
    )

    metrics = reconstruction_metrics(model, scaler, dataset, train_config, device, cfg)

    # Generation for conditions drawn from the evaluated split.
    eval_conditions = choose_eval_conditions(dataset, cfg.n_eval_conditions, cfg.seed)
    generated = generate_spectra(
        model,
        scaler,
        eval_conditions.astype(np.float32),
        cfg.n_per_condition,
        temperature=float(cfg.temperature),
        seed=cfg.seed,
        device=device,
    ).astype(np.float64)
    estimator, estimator_description = fit_fraction_estimator(cfg, evaluation, train_config)
    options = neighbourhood_options(cfg)
    metrics.update(
        evaluate_generation(
            dataset.spectra, dataset.conditions, eval_conditions, generated, estimator, **options
        )
    )
    per_condition = evaluate_generation_per_condition(
        dataset.spectra, dataset.conditions, eval_conditions, generated, **options
    )

    # Figures
    title = f"{train_config['model']['name']} on {cfg.split} split: {dataset.source}"
    neighbourhoods = find_neighbourhoods(
        dataset.conditions, eval_conditions, k=cfg.neighbourhood_k, radius=cfg.neighbourhood_radius
    )
    save_real_vs_generated(
        output_dir / "real_vs_generated.png",
        wavelengths,
        eval_conditions,
        generated,
        names,
        neighbourhood_means(dataset.spectra.astype(np.float64), neighbourhoods),
        title,
    )
    per_condition_table: dict[str, Any] = {
        "conditions": eval_conditions,
        **{name: result.values for name, result in per_condition.items()},
    }
    if estimator is not None:
        predicted_generated = np.stack([estimator.predict(group) for group in generated])
        predicted_real = estimator.predict(dataset.spectra)
        save_fraction_fidelity(
            output_dir / "fraction_fidelity.png",
            names,
            eval_conditions,
            predicted_generated,
            dataset.conditions,
            predicted_real,
            f"{title}\nestimator {estimator_description['method']}, fraction MAE generated "
            f"{metrics['fraction_mae']:.3f}, real {metrics['fraction_mae_real']:.3f}",
        )
        per_condition_table["predicted_mean"] = predicted_generated.mean(axis=1)
        per_condition_table["fraction_mae"] = np.abs(
            predicted_generated - eval_conditions[:, None, :]
        ).mean(axis=(1, 2))

    write_json(
        output_dir / "metrics.json",
        {
            "checkpoint": str(Path(str(cfg.ckpt_path)).resolve()),
            "model": train_config["model"]["name"],
            "data": {
                "source": dataset.source,
                "from_checkpoint": evaluation.from_checkpoint,
                "split": cfg.split,
                "n_spectra": dataset.n_samples,
                "n_bands": dataset.n_bands,
                "wavelength_range_nm": [wavelengths[0], wavelengths[-1]],
                "condition_names": names,
            },
            "generation": {
                "n_eval_conditions": eval_conditions.shape[0],
                "n_per_condition": cfg.n_per_condition,
                "temperature": float(cfg.temperature),
                "seed": cfg.seed,
                **options,
            },
            "fraction_estimator": estimator_description,
            "metrics": metrics,
            "per_condition": per_condition_table,
        },
    )
    logger.info(
        "recon_rmse %.4g, latent_rmse %.4g, prior_rmse %.4g, mean_spectrum_rmse %.4g%s. Outputs in %s",
        metrics["recon_rmse"],
        metrics["latent_rmse"],
        metrics["prior_rmse"],
        metrics["mean_spectrum_rmse"],
        f", fraction_mae {metrics['fraction_mae']:.4g}" if estimator is not None else "",
        output_dir,
    )
    return metrics


@hydra.main(version_base="1.3", config_path="../conf", config_name="evaluate")
def main(cfg: DictConfig) -> None:
    evaluate(cfg)


if __name__ == "__main__":
    main()
