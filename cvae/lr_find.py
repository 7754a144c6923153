"""Learning-rate range test for the training config: `python -m cvae.lr_find model=conformer ...`.

Hydra composes `conf/lr_find.yaml`, which includes `conf/train.yaml`, so the model,
data, trainer, loss and experiment options are the same as for `python -m cvae.train`.
The job builds a fresh model and takes `num_steps` AdamW steps of one training batch
each, with the LR rising exponentially from `min_lr` to `max_lr`. It ignores
`trainer.lr` and the warm-up and cosine schedule. `trainer.weight_decay`,
`grad_clip_norm` and `precision` apply as in training. The KL weight is held at `loss.beta`, the value after
KL warm-up, so that the objective does not change during the sweep.

It writes into its output folder (default outputs/lr_find/<date>/<time>/):

- `lr_find.json`: the suggested LR, the rule that chose it, both candidate LRs, the
  override to train with (`trainer.lr=...`) and every recorded step.
- `lr_find.png`: batch loss and smoothed loss against LR on a log axis, suggestion marked.

The suggestion is the peak LR for `trainer.lr`; see `cvae.commands.lr_range.suggest_lr`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from typing import Any

import hydra
import torch
from omegaconf import DictConfig

from cvae.commands.common import hydra_output_dir, write_json
from cvae.commands.lr_range import (
    SUGGESTION_METHODS,
    RangeTestResult,
    plot_range_test,
    run_range_test,
    suggest_lr,
    validate_range_options,
)
from cvae.data import TensorBatches, prepare_data
from cvae.losses import LossConfig, elbo_loss
from cvae.models import build_model, validate_model_config
from cvae.train import seed_everything
from cvae.training.device import autocast_context, select_device
from cvae.training.loop import TrainerConfig

logger = logging.getLogger(__name__)


def endless_batches(
    spectra: torch.Tensor, conditions: torch.Tensor, batch_size: int, seed: int
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield shuffled training batches epoch after epoch, seeded per epoch as training does."""
    epoch = 0
    while True:
        yield from TensorBatches(spectra, conditions, batch_size, shuffle=True, seed=seed * 100_003 + epoch)
        epoch += 1


def validate_options(cfg: DictConfig) -> None:
    """Raise ValueError for invalid range-test options before any data is loaded."""
    validate_range_options(cfg.min_lr, cfg.max_lr, cfg.num_steps, cfg.smoothing, cfg.divergence_factor)
    skip_start = cfg.skip_start
    if isinstance(skip_start, bool) or not isinstance(skip_start, int) or not 0 <= skip_start < cfg.num_steps:
        raise ValueError(
            f"skip_start={skip_start!r} is invalid; it must be an integer in [0, num_steps={cfg.num_steps})."
        )
    if cfg.suggestion not in SUGGESTION_METHODS:
        raise ValueError(
            f"suggestion={cfg.suggestion!r} is invalid; use one of {', '.join(SUGGESTION_METHODS)}."
        )


def range_test(cfg: DictConfig) -> RangeTestResult:
    """Build the model and data of the training config and run the LR range test."""
    validate_model_config(cfg.model)
    # A constant KL weight keeps the objective fixed while the LR changes.
    loss_config = dataclasses.replace(LossConfig(**cfg.loss), kl_schedule="constant")
    trainer_config = TrainerConfig(**cfg.trainer)
    device = select_device(cfg.device)
    if trainer_config.num_threads:
        torch.set_num_threads(trainer_config.num_threads)
    if cfg.ckpt_path:
        logger.warning("ckpt_path=%s is ignored: the range test starts from a fresh model.", cfg.ckpt_path)
    seed_everything(cfg.seed)

    data = prepare_data(cfg.data, seed=cfg.seed)
    model = build_model(cfg.model, n_bands=len(data.wavelengths), n_conditions=len(data.condition_names))
    model.to(device).train()
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=cfg.min_lr, weight_decay=trainer_config.weight_decay
    )
    batches = endless_batches(data.train_spectra, data.train_conditions, cfg.data.batch_size, cfg.seed)
    logger.info(
        "LR range test of %s: %d steps from %.3g to %.3g on %d training spectra, batch size %d, on %s.",
        cfg.model.name,
        cfg.num_steps,
        cfg.min_lr,
        cfg.max_lr,
        data.train_spectra.shape[0],
        cfg.data.batch_size,
        device,
    )

    def train_step(lr: float) -> float:
        x, cond = next(batches)
        x = x.to(device)
        cond = cond.to(device)
        for group in optimizer.param_groups:
            group["lr"] = lr
        with autocast_context(device, trainer_config.precision):
            output = model(x, cond)
        loss = elbo_loss(output.float(), x, loss_config, epoch=0.0)["loss"]
        if not torch.isfinite(loss):
            return float(loss.item())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if trainer_config.grad_clip_norm is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), trainer_config.grad_clip_norm)
        optimizer.step()
        return float(loss.item())

    return run_range_test(
        train_step,
        cfg.min_lr,
        cfg.max_lr,
        cfg.num_steps,
        smoothing=cfg.smoothing,
        divergence_factor=cfg.divergence_factor,
    )


def lr_find(cfg: DictConfig) -> dict[str, Any]:
    """Run the range test, write lr_find.json and lr_find.png; return the JSON content."""
    output_dir = hydra_output_dir()
    validate_options(cfg)
    result = range_test(cfg)
    suggestion = suggest_lr(result, cfg.suggestion, skip_start=cfg.skip_start)
    override = f"trainer.lr={suggestion['suggested_lr']:.3g}"

    plot_range_test(
        result,
        suggestion,
        output_dir / "lr_find.png",
        title=f"LR range test, {cfg.model.name}, batch size {cfg.data.batch_size}",
    )
    content = {
        **suggestion,
        "override": override,
        "min_lr": cfg.min_lr,
        "max_lr": cfg.max_lr,
        "num_steps": cfg.num_steps,
        "steps_recorded": len(result.lrs),
        "stop_reason": result.stop_reason,
        "diverged": result.diverged,
        "smoothing": cfg.smoothing,
        "divergence_factor": cfg.divergence_factor,
        "skip_start": cfg.skip_start,
        "model": cfg.model.name,
        "batch_size": cfg.data.batch_size,
        "history": {"lr": result.lrs, "loss": result.losses, "smoothed_loss": result.smoothed},
    }
    write_json(output_dir / "lr_find.json", content)
    logger.info(
        "Suggested learning rate %.3g (%s rule; %d of %d steps recorded, stop reason %s). "
        "Train with the override %s. Outputs in %s",
        suggestion["suggested_lr"],
        suggestion["method"],
        len(result.lrs),
        cfg.num_steps,
        result.stop_reason,
        override,
        output_dir,
    )
    return content


@hydra.main(version_base="1.3", config_path="../conf", config_name="lr_find")
def main(cfg: DictConfig) -> None:
    lr_find(cfg)


if __name__ == "__main__":
    main()
