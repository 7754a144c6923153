"""Per-band min-max scaling of reflectance spectra to the decoder's sigmoid range."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch

logger = logging.getLogger(__name__)

ArrayOrTensor = np.ndarray | torch.Tensor


class BandScaler:
    """Affine map of each band from [lower, upper] to [0, 1].

    `fit` sets lower and upper to the band's min and max over the training spectra,
    widened by `margin` times the band's range on each side. The margin leaves room
    for generated values slightly beyond the training range, which a sigmoid output
    could otherwise never reach. Each band is scaled on its own and all spectra share
    the same map, so a spectrum that is brighter than another in a band stays brighter
    (per-spectrum scaling would erase albedo differences).

    A band whose range is below `min_range` (reflectance units), such as a constant
    band, is treated as having range `min_range` around its mean value, so the
    division stays finite.
    """

    def __init__(self, margin: float = 0.05, min_range: float = 1e-6) -> None:
        if not margin >= 0:
            raise ValueError(f"scaling margin must be >= 0, got {margin!r}.")
        if not min_range > 0:
            raise ValueError(f"min_range must be > 0, got {min_range!r}.")
        self.margin = float(margin)
        self.min_range = float(min_range)
        self.lower: np.ndarray | None = None
        self.upper: np.ndarray | None = None

    @property
    def n_bands(self) -> int:
        self._check_fitted()
        return self.lower.size

    def fit(self, spectra: ArrayOrTensor) -> BandScaler:
        """Set the per-band bounds from `spectra` (n_samples, n_bands) and return self."""
        values = _to_numpy(spectra)
        if values.ndim != 2 or values.shape[0] == 0:
            raise ValueError(f"fit needs a non-empty (n_samples, n_bands) array, got shape {values.shape}.")
        band_min = values.min(axis=0)
        band_max = values.max(axis=0)
        band_range = band_max - band_min
        narrow = band_range < self.min_range
        if narrow.any():
            logger.warning(
                "%d band(s) have a range below %g in the training spectra (first at band index %d); "
                "scaling them with range %g.",
                int(narrow.sum()),
                self.min_range,
                int(np.flatnonzero(narrow)[0]),
                self.min_range,
            )
        centre = (band_min + band_max) / 2.0
        half_width = np.maximum(band_range, self.min_range) * (0.5 + self.margin)
        self.lower = centre - half_width
        self.upper = centre + half_width
        return self

    def transform(self, spectra: ArrayOrTensor) -> ArrayOrTensor:
        """Map spectra (..., n_bands) in reflectance to the scaled range, keeping type and dtype."""
        lower, width = self._bounds_like(spectra)
        return (spectra - lower) / width

    def inverse_transform(self, scaled: ArrayOrTensor) -> ArrayOrTensor:
        """Map scaled spectra (..., n_bands) back to reflectance, keeping type and dtype."""
        lower, width = self._bounds_like(scaled)
        return scaled * width + lower

    def to_dict(self) -> dict[str, Any]:
        """Return the fitted state as plain lists and floats, loadable with `weights_only=True`."""
        self._check_fitted()
        return {
            "lower": self.lower.tolist(),
            "upper": self.upper.tolist(),
            "margin": self.margin,
            "min_range": self.min_range,
        }

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> BandScaler:
        """Rebuild a fitted scaler from the output of `to_dict`."""
        missing = {"lower", "upper", "margin", "min_range"} - set(state)
        if missing:
            raise ValueError(f"scaler state is missing keys {sorted(missing)}; expected the output of to_dict().")
        lower = np.asarray(state["lower"], dtype=np.float64)
        upper = np.asarray(state["upper"], dtype=np.float64)
        if lower.ndim != 1 or lower.shape != upper.shape or not np.all(upper > lower):
            raise ValueError(
                f"scaler state is invalid: lower {lower.shape} and upper {upper.shape} must be "
                "equal-length lists with upper > lower in every band."
            )
        scaler = cls(margin=float(state["margin"]), min_range=float(state["min_range"]))
        scaler.lower = lower
        scaler.upper = upper
        return scaler

    def _check_fitted(self) -> None:
        if self.lower is None or self.upper is None:
            raise RuntimeError("BandScaler is not fitted; call fit() or from_dict() first.")

    def _bounds_like(self, values: ArrayOrTensor):
        self._check_fitted()
        if values.shape[-1] != self.lower.size:
            raise ValueError(
                f"spectra have {values.shape[-1]} bands but the scaler was fitted on {self.lower.size}."
            )
        width = self.upper - self.lower
        if isinstance(values, torch.Tensor):
            dtype = values.dtype if values.is_floating_point() else torch.float32
            return (
                torch.as_tensor(self.lower, dtype=dtype, device=values.device),
                torch.as_tensor(width, dtype=dtype, device=values.device),
            )
        dtype = values.dtype if np.issubdtype(values.dtype, np.floating) else np.float64
        return self.lower.astype(dtype), width.astype(dtype)


def _to_numpy(values: ArrayOrTensor) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy().astype(np.float64)
    return np.asarray(values, dtype=np.float64)
