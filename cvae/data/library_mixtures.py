"""Synthetic linear mixtures of green vegetation, dry vegetation and soil library spectra."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from cvae.data.dataset import SpectralDataset
from cvae.data.earthlib_library import SpectralLibrary, load_earthlib_library
from cvae.data.errors import DataError

logger = logging.getLogger(__name__)

CLASS_NAMES = ("gv", "npv", "soil")
CONDITION_NAMES = ["gv_fraction", "npv_fraction", "soil_fraction"]


def load_library_mixtures(
    n_samples: int = 3000,
    dirichlet_alpha: Sequence[float] = (1.0, 1.0, 1.0),
    pure_fraction: float = 0.1,
    noise_std: float = 0.002,
    seed: int = 0,
    library: SpectralLibrary | None = None,
) -> SpectralDataset:
    """Generate mixtures of earthlib library spectra with known cover fractions.

    Each sample draws one gv, one npv and one soil spectrum uniformly from the library
    classes and mixes them linearly with fractions (gv, npv, soil) from a Dirichlet with
    `dirichlet_alpha`. A share `pure_fraction` of the samples is instead pure, with the
    three classes in turn, so that fractions of exactly 1 occur. Gaussian noise with
    standard deviation `noise_std` (reflectance units) is added and the result clipped
    to [0, 1]. The same arguments give the same dataset.

    `sample_info` stores, per sample, the library row of each drawn spectrum
    (`gv_library_index`, `npv_library_index`, `soil_library_index`, rows of earthlib's
    spectra.sli), usable as a `group_column`, and whether it is pure (`is_pure`).
    """
    n_samples, alpha, pure_fraction, noise_std = _validate(n_samples, dirichlet_alpha, pure_fraction, noise_std)
    library = load_earthlib_library() if library is None else library
    rng = np.random.default_rng(seed)

    n_pure = int(round(n_samples * pure_fraction))
    pure_fractions = np.eye(len(CLASS_NAMES))[np.arange(n_pure) % len(CLASS_NAMES)]
    mixed_fractions = rng.dirichlet(alpha, size=n_samples - n_pure)
    fractions = np.concatenate([pure_fractions, mixed_fractions])[rng.permutation(n_samples)]

    library_indices = {
        name: rng.choice(library.class_members[name], size=n_samples) for name in CLASS_NAMES
    }
    spectra = mix_spectra(library.spectra, fractions, [library_indices[name] for name in CLASS_NAMES])
    if noise_std > 0:
        spectra = spectra + rng.normal(0.0, noise_std, size=spectra.shape)
    spectra = np.clip(spectra, 0.0, 1.0)

    logger.info(
        "Generated %d library mixtures (%d pure) from %s with alpha %s, noise std %g, seed %s.",
        n_samples,
        n_pure,
        library.source,
        alpha.tolist(),
        noise_std,
        seed,
    )
    return SpectralDataset(
        spectra=spectra.astype(np.float32),
        conditions=fractions.astype(np.float32),
        wavelengths=library.wavelengths.copy(),
        condition_names=list(CONDITION_NAMES),
        source=f"earthlib library mixtures (seed {seed})",
        extra={"library": library.source, "noise_std": noise_std, "dirichlet_alpha": alpha.tolist()},
        sample_info={
            **{f"{name}_library_index": library_indices[name] for name in CLASS_NAMES},
            "is_pure": fractions.max(axis=1) == 1.0,
        },
    )


def mix_spectra(
    library_spectra: np.ndarray, fractions: np.ndarray, indices: Sequence[np.ndarray]
) -> np.ndarray:
    """Return the linear mixtures sum_k fractions[:, k] * library_spectra[indices[k]].

    Shapes: library_spectra (n_library, n_bands), fractions (n_samples, n_classes),
    indices one (n_samples,) array per class. The result is (n_samples, n_bands) float64.
    """
    mixtures = np.zeros((fractions.shape[0], library_spectra.shape[1]), dtype=np.float64)
    for k, class_indices in enumerate(indices):
        mixtures += fractions[:, k : k + 1] * library_spectra[class_indices]
    return mixtures


def _validate(n_samples, dirichlet_alpha, pure_fraction, noise_std):
    if isinstance(n_samples, bool) or not float(n_samples).is_integer() or n_samples < 1:
        raise DataError(f"data.n_samples must be a positive integer, got {n_samples!r}.")
    alpha = np.asarray(list(dirichlet_alpha), dtype=np.float64)
    if alpha.shape != (len(CLASS_NAMES),) or not np.all(alpha > 0):
        raise DataError(
            f"data.dirichlet_alpha must be {len(CLASS_NAMES)} positive numbers for "
            f"{CONDITION_NAMES}, got {list(dirichlet_alpha)!r}."
        )
    if not 0.0 <= float(pure_fraction) <= 1.0:
        raise DataError(f"data.pure_fraction must be between 0 and 1, got {pure_fraction!r}.")
    if not float(noise_std) >= 0.0:
        raise DataError(f"data.noise_std must be >= 0 (reflectance units), got {noise_std!r}.")
    return int(n_samples), alpha, float(pure_fraction), float(noise_std)
