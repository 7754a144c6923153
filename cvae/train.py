"""Train one conditional VAE: `python -m cvae.train model=conformer data=csv ...`.

Hydra composes `conf/train.yaml`. The job writes its log, checkpoints, metrics.json,
figures and W&B run into its output directory. It returns the metric named by
`optimized_metric` for the Optuna sweeper.
"""

from __future__ import annotations

import json
import logging
import math
import random
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import optuna
import torch
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from cvae.data import prepare_data
from cvae.generation import figure_conditions, generate_spectra, nearest_real_means
from cvae.loggers import NullTracker, build_tracker
from cvae.losses import LossConfig
from cvae.models import build_model, validate_model_config
from cvae.plots import plot_generated_spectra
from cvae.training.checkpoint import load_checkpoint
from cvae.training.device import select_device
from cvae.training.generation_scoring import (
    GENERATION_METRICS,
    GenerationScorer,
    GenerationScoringConfig,
)
from cvae.training.loop import Trainer, TrainerConfig
from cvae.training.validation import evaluate_split

log = logging.getLogger(__name__)

SPLIT_METRICS = (
    "loss",
    "recon",
    "recon_latent",
    "kl",
    "recon_rmse",
    "latent_rmse",
    "prior_rmse",
    *GENERATION_METRICS,
)
RUN_METRICS = ("n_parameters", "train_samples_per_s", "best_epoch")


def known_metric_names() -> list[str]:
    split_names = [f"{split}/{name}" for split in ("val", "test") for name in SPLIT_METRICS]
    return split_names + list(RUN_METRICS)


def objective_names(cfg: DictConfig) -> list[str]:
    """Return the metric names in `optimized_metric` (a name or a list of names)."""
    value = cfg.optimized_metric
    names = [value] if isinstance(value, str) else list(value)
    unknown = [name for name in names if name not in known_metric_names()]
    if unknown:
        raise ValueError(
            f"optimized_metric names {unknown}, which training does not compute; "
            f"choose from {known_metric_names()}."
        )
    return names


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def write_metrics(output_dir: Path, metrics: dict[str, Any]) -> None:
    """Write metrics.json atomically; reports read it even for failed and pruned jobs."""
    temporary = output_dir / ".metrics.json.tmp"
    temporary.write_text(json.dumps(metrics, indent=2, sort_keys=True, default=float))
    temporary.replace(output_dir / "metrics.json")


def make_trial_reporter(cfg: DictConfig):
    """Return the Optuna trial reporter of a sweep job, or None in a single run."""
    if cfg.get("optuna_trial") is None:
        return None
    from cvae.sweep.reporting import TrialReporter

    return TrialReporter.from_config(cfg)


def tracker_config(cfg: DictConfig, reporter) -> dict[str, Any]:
    """Build the W&B config: the resolved config plus the trial number and sampled
    parameters as flat top-level keys, which W&B tables and parallel-coordinate plots compare."""
    config = OmegaConf.to_container(cfg, resolve=True)
    if reporter is not None and getattr(reporter, "active", False):
        config["trial_number"] = reporter.number
        for key, value in reporter.params.items():
            config[f"param/{key}"] = value
    return config


def save_generation_figure(trainer: Trainer, data, output_dir: Path, n_samples: int, seed: int) -> Path:
    """Generate spectra for the pure corners and the mean condition; save a PNG."""
    train_raw = data.train_raw
    conditions = figure_conditions(train_raw.conditions)
    generated = generate_spectra(
        trainer.model, data.scaler, conditions, n_samples, seed=seed, device=trainer.device
    )
    real_means = nearest_real_means(train_raw.spectra, train_raw.conditions, conditions)
    path = output_dir / "generated_spectra.png"
    figure = plot_generated_spectra(
        np.asarray(data.wavelengths),
        conditions,
        generated,
        data.condition_names,
        real_means=real_means,
        path=path,
        title=f"{trainer.model.__class__.__name__}: decode(z ~ N(0, I), cond)",
    )
    import matplotlib.pyplot as plt

    plt.close(figure)
    return path


def train(cfg: DictConfig) -> float | list[float]:
    """Train, test the best checkpoint and return the objective(s)."""
    output_dir = Path(HydraConfig.get().runtime.output_dir)

    # Validate every option before loading data, so bad values fail in seconds.
    names = objective_names(cfg)
    validate_model_config(cfg.model)
    loss_config = LossConfig(**cfg.loss)
    trainer_config = TrainerConfig(**cfg.trainer)
    scoring_config = GenerationScoringConfig(**cfg.evaluation)
    if trainer_config.monitor not in known_metric_names():
        raise ValueError(
            f"trainer.monitor={trainer_config.monitor!r} is not a validation metric; choose "
            f"one of {[name for name in known_metric_names() if name.startswith('val/')]}."
        )
    device = select_device(cfg.device)
    if trainer_config.num_threads:
        torch.set_num_threads(trainer_config.num_threads)
    seed_everything(cfg.seed)

    try:
        data = prepare_data(cfg.data, seed=cfg.seed)
    except Exception as error:
        # A failed run still leaves metrics.json, so reports and sweeps see why it failed.
        write_metrics(output_dir, {"status": "failed", "error": f"{type(error).__name__}: {error}"})
        raise
    model = build_model(cfg.model, n_bands=len(data.wavelengths), n_conditions=len(data.condition_names))
    n_parameters = sum(parameter.numel() for parameter in model.parameters())
    log.info(
        "%s with %d parameters on %s; %d train / %d val / %d test spectra of %d bands.",
        cfg.model.name,
        n_parameters,
        device,
        data.train_spectra.shape[0],
        data.val_spectra.shape[0],
        data.test_spectra.shape[0],
        len(data.wavelengths),
    )

    reporter = make_trial_reporter(cfg)
    tracker = NullTracker()
    summary: dict[str, Any] = {"status": "running", "n_parameters": n_parameters}
    try:
        tracker = build_tracker(cfg.logger, output_dir, tracker_config(cfg, reporter))
        checkpoint_extras = {
            "config": OmegaConf.to_container(cfg, resolve=True),
            "wavelengths": [float(value) for value in data.wavelengths],
            "condition_names": list(data.condition_names),
            "scaler": data.scaler.to_dict(),
        }
        val_scorer = GenerationScorer(data.val_raw, data.train_raw, scoring_config, seed=cfg.seed)
        trainer = Trainer(
            model,
            data,
            trainer_config,
            loss_config,
            device,
            output_dir / "checkpoints",
            checkpoint_extras,
            tracker,
            batch_size=cfg.data.batch_size,
            reporter=reporter,
            seed=cfg.seed,
            generation_scorer=val_scorer,
        )
        if cfg.ckpt_path:
            trainer.load_state(load_checkpoint(cfg.ckpt_path, map_location=device))

        state = trainer.fit()

        # Test the best checkpoint, then plot what it generates.
        best = load_checkpoint(output_dir / "checkpoints" / "best.pt", map_location=device)
        trainer.model.load_state_dict(best["model_state"])
        best_val = next(entry for entry in state.history if entry["epoch"] == state.best_epoch)
        test_metrics = evaluate_split(
            trainer.model,
            data.test_spectra,
            data.test_conditions,
            data.scaler,
            loss_config,
            device,
            batch_size=trainer_config.eval_batch_size,
            seed=cfg.seed,
        )
        test_scorer = GenerationScorer(data.test_raw, data.train_raw, scoring_config, seed=cfg.seed)
        test_metrics.update(test_scorer(trainer.model, data.scaler, device))
        summary.update({key: value for key, value in best_val.items() if key.startswith("val/")})
        summary.update({f"test/{key}": value for key, value in test_metrics.items()})
        summary.update(
            {
                "best_epoch": state.best_epoch,
                "epochs_trained": state.epoch,
                "train_samples_per_s": trainer.train_samples_per_second,
                "status": "completed",
            }
        )
        figure_path = save_generation_figure(trainer, data, output_dir, cfg.n_figure_samples, cfg.seed)
        tracker.log_image("generated_spectra", figure_path)
        tracker.update_summary(summary)
        write_metrics(output_dir, summary)
        log.info(
            "Finished: best %s = %.6g at epoch %d; test recon_rmse %.4g, latent_rmse %.4g, "
            "mean_spectrum_rmse %.4g. Outputs in %s",
            trainer_config.monitor,
            state.best_metric,
            state.best_epoch,
            summary["test/recon_rmse"],
            summary["test/latent_rmse"],
            summary["test/mean_spectrum_rmse"],
            output_dir,
        )
        tracker.finish(exit_code=0)
    except optuna.TrialPruned:
        summary["status"] = "pruned"
        write_metrics(output_dir, summary)
        tracker.mark_pruned()
        tracker.update_summary(summary)
        tracker.finish(exit_code=0)
        raise
    except BaseException as error:
        summary.update({"status": "failed", "error": f"{type(error).__name__}: {error}"})
        write_metrics(output_dir, summary)
        tracker.update_summary(summary)
        tracker.finish(exit_code=1)
        raise

    objectives = [float(summary[name]) for name in names]
    for name, value in zip(names, objectives):
        if not math.isfinite(value):
            log.warning("Objective %s is %s.", name, value)
    return objectives[0] if len(objectives) == 1 else objectives


@hydra.main(version_base="1.3", config_path="../conf", config_name="train")
def main(cfg: DictConfig) -> float | list[float]:
    return train(cfg)


if __name__ == "__main__":
    main()
