"""β-VAE objective with a second reconstruction term for the generation path.

Reconstruction errors are summed over bands and averaged over the batch, in the
scaled [0, 1] units that the model works in. The KL term is summed over latent
dimensions and averaged over the batch. β therefore weighs nats against summed squared (or absolute)
error over all bands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from cvae.models import CVAEOutput

RECONSTRUCTION_LOSSES = ("mse", "l1")
KL_SCHEDULES = ("constant", "linear", "cyclical")


@dataclass
class LossConfig:
    """Loss options; see `conf/train.yaml` for their documented defaults."""

    reconstruction: str = "mse"
    beta: float = 1.0
    latent_path_weight: float = 1.0
    kl_schedule: str = "linear"
    kl_warmup_epochs: float = 5.0
    kl_cycle_epochs: float = 10.0
    kl_cycle_ratio: float = 0.5
    free_bits: float = 0.0

    def __post_init__(self) -> None:
        if self.reconstruction not in RECONSTRUCTION_LOSSES:
            raise ValueError(
                f"loss.reconstruction={self.reconstruction!r} is invalid; use one of "
                f"{RECONSTRUCTION_LOSSES}."
            )
        if self.kl_schedule not in KL_SCHEDULES:
            raise ValueError(
                f"loss.kl_schedule={self.kl_schedule!r} is invalid; use one of {KL_SCHEDULES}."
            )
        for name in ("beta", "latent_path_weight", "free_bits"):
            if getattr(self, name) < 0 or not math.isfinite(getattr(self, name)):
                raise ValueError(f"loss.{name}={getattr(self, name)} is invalid: it must be >= 0.")
        if self.kl_schedule == "linear" and self.kl_warmup_epochs < 0:
            raise ValueError(f"loss.kl_warmup_epochs={self.kl_warmup_epochs} must be >= 0.")
        if self.kl_schedule == "cyclical" and (
            self.kl_cycle_epochs <= 0 or not 0 < self.kl_cycle_ratio <= 1
        ):
            raise ValueError(
                f"cyclical KL annealing needs kl_cycle_epochs > 0 and 0 < kl_cycle_ratio <= 1; "
                f"got {self.kl_cycle_epochs} and {self.kl_cycle_ratio}."
            )


def kl_weight(config: LossConfig, epoch: float) -> float:
    """Return the KL weight at a fractional epoch (0 = start of training).

    `linear` ramps from 0 to β over `kl_warmup_epochs`. `cyclical` (Fu et al., 2019)
    repeats a ramp over the first `kl_cycle_ratio` of every `kl_cycle_epochs`, then
    keeps β for the rest of the cycle.
    """
    if config.kl_schedule == "constant":
        return config.beta
    if config.kl_schedule == "linear":
        if config.kl_warmup_epochs == 0:
            return config.beta
        return config.beta * min(1.0, epoch / config.kl_warmup_epochs)
    phase = (epoch % config.kl_cycle_epochs) / config.kl_cycle_epochs
    return config.beta * min(1.0, phase / config.kl_cycle_ratio)


def reconstruction_error(recon: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    """Sum the per-band error over bands and average it over the batch."""
    if kind == "mse":
        per_band = F.mse_loss(recon, target, reduction="none")
    else:
        per_band = F.l1_loss(recon, target, reduction="none")
    return per_band.sum(dim=-1).mean()


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor, free_bits: float) -> torch.Tensor:
    """KL(q(z|x,c) || N(0, I)) summed over latent dimensions, averaged over the batch.

    With free bits λ > 0 each dimension's batch-mean KL counts as at least λ nats
    (Kingma et al., 2016), so the optimiser gains nothing by pushing it below λ.
    """
    per_dim = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)
    per_dim = per_dim.mean(dim=0)
    if free_bits > 0:
        per_dim = torch.clamp(per_dim, min=free_bits)
    return per_dim.sum()


def elbo_loss(
    output: CVAEOutput, target: torch.Tensor, config: LossConfig, epoch: float
) -> dict[str, torch.Tensor]:
    """Return the total loss and its terms for one batch.

    total = recon(memory path) + latent_path_weight · recon(latent path) + w(epoch) · KL.
    The latent-path term trains `latent_to_memory`, the path `decode(z, cond)` uses to
    generate; without it that path gets no gradient and generates noise.
    """
    recon = reconstruction_error(output.recon, target, config.reconstruction)
    recon_latent = reconstruction_error(output.recon_latent, target, config.reconstruction)
    kl = kl_divergence(output.mu, output.logvar, config.free_bits)
    weight = kl_weight(config, epoch)
    total = recon + config.latent_path_weight * recon_latent + weight * kl
    return {
        "loss": total,
        "recon": recon.detach(),
        "recon_latent": recon_latent.detach(),
        "kl": kl.detach(),
        "kl_weight": torch.tensor(weight),
    }
