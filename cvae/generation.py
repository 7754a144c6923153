"""Generate spectra in reflectance units from a model or a checkpoint."""

from __future__ import annotations

import numpy as np
import torch

from cvae.data import BandScaler
from cvae.models import SpectralCVAE, build_model
from cvae.training.checkpoint import load_checkpoint


def generate_spectra(
    model: SpectralCVAE,
    scaler: BandScaler,
    conditions: np.ndarray,
    n_per_condition: int,
    temperature: float = 1.0,
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> np.ndarray:
    """Decode z ~ N(0, temperature² I) for every condition row.

    Returns (n_conditions_eval, n_per_condition, n_bands) reflectance in physical units.
    """
    model.eval()
    generator = torch.Generator(device="cpu").manual_seed(seed)
    cond = torch.as_tensor(np.asarray(conditions), dtype=torch.float32)
    repeated = cond.repeat_interleave(n_per_condition, dim=0)
    z = torch.randn(repeated.shape[0], model.latent_dim, generator=generator) * temperature
    with torch.no_grad():
        scaled = model.decode(z.to(device), repeated.to(device)).float().cpu().numpy()
    spectra = scaler.inverse_transform(scaled)
    return spectra.reshape(cond.shape[0], n_per_condition, -1)


def load_generator(ckpt_path: str, device: str | torch.device = "cpu"):
    """Rebuild the model and scaler from a checkpoint alone.

    Returns (model, scaler, payload) where payload contains wavelengths, condition names and
    the resolved training config.
    """
    payload = load_checkpoint(ckpt_path, map_location=device)
    model = build_model(
        payload["config"]["model"],
        n_bands=len(payload["wavelengths"]),
        n_conditions=len(payload["condition_names"]),
    )
    model.load_state_dict(payload["model_state"])
    model.to(device).eval()
    scaler = BandScaler.from_dict(payload["scaler"])
    return model, scaler, payload


def conditions_are_fractions(conditions: np.ndarray) -> bool:
    """Return whether every condition row lies in [0, 1] and sums to 1 within 0.01."""
    conditions = np.asarray(conditions, dtype=np.float64)
    return bool(
        conditions.min() >= -1e-6
        and conditions.max() <= 1 + 1e-6
        and np.allclose(conditions.sum(axis=1), 1.0, atol=1e-2)
    )


def figure_conditions(conditions: np.ndarray) -> np.ndarray:
    """Choose conditions worth plotting: the pure corners and the mean when the
    conditions are fractions (rows in [0, 1] that sum to 1), otherwise the rows with
    the largest value of each condition plus the mean."""
    conditions = np.asarray(conditions, dtype=np.float64)
    mean = conditions.mean(axis=0, keepdims=True)
    if conditions_are_fractions(conditions):
        corners = np.eye(conditions.shape[1])
    else:
        corners = conditions[np.argmax(conditions, axis=0)]
    return np.concatenate([corners, mean]).astype(np.float32)


def nearest_real_means(
    real_spectra: np.ndarray, real_conditions: np.ndarray, conditions: np.ndarray, k: int = 5
) -> np.ndarray:
    """Return the mean of the k real spectra whose conditions are nearest (Euclidean) to each row."""
    distances = np.linalg.norm(real_conditions[None, :, :] - conditions[:, None, :], axis=-1)
    nearest = np.argsort(distances, axis=1)[:, : min(k, real_spectra.shape[0])]
    return real_spectra[nearest].mean(axis=1)
