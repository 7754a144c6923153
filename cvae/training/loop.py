"""The training loop: epochs of AdamW steps, validation, early stopping, checkpoints."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from tqdm.auto import tqdm

from cvae.data import TensorBatches
from cvae.losses import LossConfig, elbo_loss
from cvae.training.checkpoint import save_checkpoint
from cvae.training.device import autocast_context
from cvae.training.generation_scoring import GENERATION_METRICS
from cvae.training.schedule import warmup_cosine_schedule
from cvae.training.validation import evaluate_split

log = logging.getLogger(__name__)


@dataclass
class TrainerConfig:
    """Options of the `trainer` config group (see `conf/trainer/default.yaml`)."""

    max_epochs: int = 100
    lr: float = 3e-4
    weight_decay: float = 0.01
    warmup_epochs: float = 2.0
    min_lr_ratio: float = 0.01
    grad_clip_norm: float = 1.0
    early_stopping_patience: int = 15
    monitor: str = "val/mean_spectrum_rmse"
    precision: str = "auto"
    num_threads: int | None = None
    log_every_n_steps: int = 10
    progress_bar: bool = True
    eval_batch_size: int = 256

    def __post_init__(self) -> None:
        if self.max_epochs < 1:
            raise ValueError(f"trainer.max_epochs={self.max_epochs} must be at least 1.")
        if not self.lr > 0:
            raise ValueError(f"trainer.lr={self.lr} must be positive.")
        if self.grad_clip_norm is not None and self.grad_clip_norm <= 0:
            raise ValueError(
                f"trainer.grad_clip_norm={self.grad_clip_norm} must be positive, or null to disable."
            )
        if not self.monitor.startswith("val/"):
            raise ValueError(
                f"trainer.monitor={self.monitor!r} must name a validation metric such as "
                "val/latent_rmse, because early stopping and the best checkpoint use it."
            )


@dataclass
class TrainingState:
    """Progress that a resumed run restores from the last checkpoint."""

    epoch: int = 0
    global_step: int = 0
    best_metric: float = math.inf
    best_epoch: int = -1
    epochs_without_improvement: int = 0
    history: list[dict[str, float]] = field(default_factory=list)


class Trainer:
    """Train one model on one prepared dataset and keep its best and last checkpoints.

    `checkpoint_extras` (config, wavelengths, condition names, scaling) goes into every
    checkpoint so that generation needs nothing but the file.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        data,
        trainer_config: TrainerConfig,
        loss_config: LossConfig,
        device: torch.device,
        checkpoint_dir: Path,
        checkpoint_extras: dict[str, Any],
        tracker,
        batch_size: int,
        reporter=None,
        seed: int = 0,
        generation_scorer=None,
    ) -> None:
        self.model = model.to(device)
        self.data = data
        self.batch_size = batch_size
        self.config = trainer_config
        self.loss_config = loss_config
        self.device = device
        self.checkpoint_dir = Path(checkpoint_dir)
        self.checkpoint_extras = checkpoint_extras
        self.tracker = tracker
        self.reporter = reporter
        self.seed = seed
        self.generation_scorer = generation_scorer
        generation_monitor = trainer_config.monitor.removeprefix("val/") in GENERATION_METRICS
        if generation_monitor and generation_scorer is None:
            raise ValueError(
                f"trainer.monitor={trainer_config.monitor!r} is a generation metric, which needs a "
                "generation_scorer; pass one or monitor a reconstruction metric such as val/latent_rmse."
            )
        self.state = TrainingState()

        self.batches_per_epoch = math.ceil(data.train_spectra.shape[0] / batch_size)
        # Closed-form models (linear mixing) have no trainable parameters and no optimizer.
        self.closed_form = hasattr(self.model, "fit_closed_form")
        self.optimizer = None
        self.scheduler = None
        if not self.closed_form:
            self.optimizer = torch.optim.AdamW(
                self.model.parameters(),
                lr=trainer_config.lr,
                weight_decay=trainer_config.weight_decay,
            )
            self.scheduler = warmup_cosine_schedule(
                self.optimizer,
                warmup_steps=int(trainer_config.warmup_epochs * self.batches_per_epoch),
                total_steps=trainer_config.max_epochs * self.batches_per_epoch,
                min_lr_ratio=trainer_config.min_lr_ratio,
            )
        self.train_seconds = 0.0
        self.train_samples = 0

    # Resuming ------------------------------------------------------------------------

    def load_state(self, payload: dict) -> None:
        """Restore weights, optimizer, scheduler and progress from a checkpoint payload."""
        self.model.load_state_dict(payload["model_state"])
        if self.optimizer is not None:
            self.optimizer.load_state_dict(payload["optimizer_state"])
            self.scheduler.load_state_dict(payload["scheduler_state"])
        saved = payload["training_state"]
        self.state = TrainingState(
            epoch=saved["epoch"],
            global_step=saved["global_step"],
            best_metric=saved["best_metric"],
            best_epoch=saved["best_epoch"],
            epochs_without_improvement=saved["epochs_without_improvement"],
            history=list(saved["history"]),
        )
        torch.set_rng_state(payload["torch_rng_state"])
        log.info(
            "Resumed at epoch %d (step %d); best %s = %.6g at epoch %d.",
            self.state.epoch,
            self.state.global_step,
            self.config.monitor,
            self.state.best_metric,
            self.state.best_epoch,
        )

    def _checkpoint_payload(self) -> dict:
        return {
            **self.checkpoint_extras,
            "model_state": self.model.state_dict(),
            "optimizer_state": self.optimizer.state_dict() if self.optimizer else {},
            "scheduler_state": self.scheduler.state_dict() if self.scheduler else {},
            "training_state": {
                "epoch": self.state.epoch,
                "global_step": self.state.global_step,
                "best_metric": self.state.best_metric,
                "best_epoch": self.state.best_epoch,
                "epochs_without_improvement": self.state.epochs_without_improvement,
                "history": self.state.history,
            },
            "torch_rng_state": torch.get_rng_state(),
        }

    # One epoch -------------------------------------------------------------------------

    def _train_epoch(self, epoch: int) -> dict[str, float]:
        self.model.train()
        # Seeding by epoch gives a resumed run the same batch order as an unbroken one.
        batches = TensorBatches(
            self.data.train_spectra,
            self.data.train_conditions,
            self.batch_size,
            shuffle=True,
            seed=self.seed * 100_003 + epoch,
        )
        totals: dict[str, float] = {}
        progress = tqdm(
            batches,
            total=len(batches),
            desc=f"epoch {epoch + 1}/{self.config.max_epochs}",
            leave=False,
            # None lets tqdm hide the bar when stderr is not a terminal (logs, CI).
            disable=None if self.config.progress_bar else True,
        )
        started = time.perf_counter()

        for batch_index, (x, cond) in enumerate(progress):
            x = x.to(self.device, non_blocking=True)
            cond = cond.to(self.device, non_blocking=True)
            fractional_epoch = epoch + batch_index / len(batches)

            # Forward and loss
            with autocast_context(self.device, self.config.precision):
                output = self.model(x, cond)
            terms = elbo_loss(output.float(), x, self.loss_config, fractional_epoch)
            loss = terms["loss"]
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"training loss became {loss.item()} at epoch {epoch + 1}, step "
                    f"{self.state.global_step}; lower trainer.lr (now {self.config.lr}) or "
                    f"loss.beta (now {self.loss_config.beta})."
                )

            # Backward and step
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if self.config.grad_clip_norm is not None:
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.grad_clip_norm)
            self.optimizer.step()
            self.scheduler.step()
            self.state.global_step += 1
            self.train_samples += x.shape[0]

            # Logging
            values = {name: float(value.detach()) for name, value in terms.items()}
            for name, value in values.items():
                totals[name] = totals.get(name, 0.0) + value * x.shape[0]
            progress.set_postfix(loss=f"{values['loss']:.4g}")
            if self.state.global_step % self.config.log_every_n_steps == 0:
                step_metrics = {f"train/{name}": value for name, value in values.items()}
                step_metrics["train/lr"] = self.scheduler.get_last_lr()[0]
                step_metrics["epoch"] = fractional_epoch
                self.tracker.log(step_metrics, step=self.state.global_step)

        self.train_seconds += time.perf_counter() - started
        n_seen = self.data.train_spectra.shape[0]
        return {f"train/{name}_epoch": total / n_seen for name, total in totals.items()}

    def validate(self) -> dict[str, float]:
        metrics = evaluate_split(
            self.model,
            self.data.val_spectra,
            self.data.val_conditions,
            self.data.scaler,
            self.loss_config,
            self.device,
            batch_size=self.config.eval_batch_size,
            seed=self.seed,
        )
        if self.generation_scorer is not None:
            metrics.update(self.generation_scorer(self.model, self.data.scaler, self.device))
        return {f"val/{name}": value for name, value in metrics.items()}

    # The whole run ---------------------------------------------------------------------

    def _fit_closed_form(self) -> dict[str, float]:
        started = time.perf_counter()
        self.model.fit_closed_form(
            self.data.train_spectra.to(self.device), self.data.train_conditions.to(self.device)
        )
        self.train_seconds += time.perf_counter() - started
        self.train_samples += self.data.train_spectra.shape[0]
        log.info("Fitted %s in closed form; no gradient steps.", type(self.model).__name__)
        return {}

    def fit(self) -> TrainingState:
        """Train until max_epochs or early stopping; returns the final training state.

        A closed-form model is fitted once and validated as a single epoch.
        """
        monitor = self.config.monitor
        max_epochs = 1 if self.closed_form else self.config.max_epochs
        while self.state.epoch < max_epochs:
            epoch = self.state.epoch
            if self.closed_form:
                train_metrics = self._fit_closed_form()
            else:
                train_metrics = self._train_epoch(epoch)
            val_metrics = self.validate()
            if monitor not in val_metrics:
                raise KeyError(
                    f"trainer.monitor={monitor!r} is not a validation metric; "
                    f"choose one of {sorted(val_metrics)}."
                )
            value = val_metrics[monitor]
            self.state.epoch = epoch + 1

            # Early stopping bookkeeping and checkpoints
            improved = math.isfinite(value) and value < self.state.best_metric
            if improved:
                self.state.best_metric = value
                self.state.best_epoch = epoch + 1
                self.state.epochs_without_improvement = 0
            else:
                self.state.epochs_without_improvement += 1
            epoch_metrics = {**train_metrics, **val_metrics, "epoch": epoch + 1}
            self.state.history.append(epoch_metrics)
            payload = self._checkpoint_payload()
            save_checkpoint(payload, self.checkpoint_dir / "last.pt")
            if improved:
                save_checkpoint(payload, self.checkpoint_dir / "best.pt")

            self.tracker.log(epoch_metrics, step=self.state.global_step)
            log.info(
                "epoch %d/%d  train loss %.4g  val recon_rmse %.4g  latent_rmse %.4g  "
                "mean_spectrum_rmse %.4g  kl %.3g%s",
                epoch + 1,
                max_epochs,
                train_metrics.get("train/loss_epoch", math.nan),
                val_metrics["val/recon_rmse"],
                val_metrics["val/latent_rmse"],
                val_metrics.get("val/mean_spectrum_rmse", math.nan),
                val_metrics["val/kl"],
                "  (best)" if improved else "",
            )

            # Pruning: the reporter raises optuna.TrialPruned when the pruner decides to stop.
            if self.reporter is not None:
                self.reporter.report(value, epoch + 1)

            if self.state.epochs_without_improvement >= self.config.early_stopping_patience:
                log.info(
                    "Early stopping: %s did not improve for %d epochs (best %.6g at epoch %d).",
                    monitor,
                    self.state.epochs_without_improvement,
                    self.state.best_metric,
                    self.state.best_epoch,
                )
                break
        return self.state

    @property
    def train_samples_per_second(self) -> float:
        return self.train_samples / self.train_seconds if self.train_seconds > 0 else math.nan
