"""Per-split metrics in reflectance units for both decoding paths."""

from __future__ import annotations

import numpy as np
import torch

from cvae.losses import LossConfig, kl_divergence, reconstruction_error


@torch.no_grad()
def evaluate_split(
    model,
    spectra: torch.Tensor,
    conditions: torch.Tensor,
    scaler,
    loss_config: LossConfig,
    device: torch.device,
    batch_size: int = 256,
    seed: int = 0,
) -> dict[str, float]:
    """Return loss terms (scaled units) and RMSEs (reflectance units) on one split.

    - `recon_rmse`: decoder attending to the encoder's memory, z = mu.
    - `latent_rmse`: decoder attending to `latent_to_memory(mu, cond)`.
    - `prior_rmse`: `decode(z ~ N(0, I), cond)` against the real spectrum of that
      condition, the error a user sees when generating (includes sample spread).
    """
    model.eval()
    generator = torch.Generator(device="cpu").manual_seed(seed)
    recon_parts, latent_parts, prior_parts = [], [], []
    loss_sums = {"recon": 0.0, "recon_latent": 0.0, "kl": 0.0}

    for start in range(0, spectra.shape[0], batch_size):
        x = spectra[start : start + batch_size].to(device)
        cond = conditions[start : start + batch_size].to(device)
        mu, logvar, memory = model.encode(x, cond)
        recon = model.decode(mu, cond, memory=memory).float()
        recon_latent = model.decode(mu, cond).float()
        z_prior = torch.randn(mu.shape, generator=generator).to(device)
        prior = model.decode(z_prior, cond).float()

        count = x.shape[0]
        loss_sums["recon"] += reconstruction_error(recon, x, loss_config.reconstruction).item() * count
        loss_sums["recon_latent"] += (
            reconstruction_error(recon_latent, x, loss_config.reconstruction).item() * count
        )
        loss_sums["kl"] += kl_divergence(mu.float(), logvar.float(), 0.0).item() * count
        recon_parts.append(recon.cpu().numpy())
        latent_parts.append(recon_latent.cpu().numpy())
        prior_parts.append(prior.cpu().numpy())

    n_samples = spectra.shape[0]
    real = scaler.inverse_transform(spectra.cpu().numpy())

    def rmse(parts: list[np.ndarray]) -> float:
        generated = scaler.inverse_transform(np.concatenate(parts))
        return float(np.sqrt(np.mean((generated - real) ** 2)))

    metrics = {name: total / n_samples for name, total in loss_sums.items()}
    metrics["loss"] = (
        metrics["recon"]
        + loss_config.latent_path_weight * metrics["recon_latent"]
        + loss_config.beta * metrics["kl"]
    )
    metrics["recon_rmse"] = rmse(recon_parts)
    metrics["latent_rmse"] = rmse(latent_parts)
    metrics["prior_rmse"] = rmse(prior_parts)
    return metrics
