"""The in-memory spectral dataset that every loader returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SpectralDataset:
    """Spectra with their conditions, in physical reflectance units.

    Attributes:
        spectra: (n_samples, n_bands) float32 reflectance, usually in [0, 1].
        conditions: (n_samples, n_conditions) float32 condition vectors, for example
            cover fractions.
        wavelengths: (n_bands,) float64 band centres in nm, increasing.
        condition_names: one name per condition column, used in outputs and checkpoints.
        sample_names: one identifier per sample (for example the CSV name column), or
            None. A split by name prefix needs them.
        groups: one group label per sample for a grouped split, or None.
        source: a short description of where the data came from, for logs.
        extra: free-form metadata about the whole dataset, copied unchanged by
            `subset` and `select_bands`.
        sample_info: per-sample metadata arrays, each of shape (n_samples,), for
            example the library spectrum indices behind a synthetic mixture. `subset`
            indexes them together with the spectra.
    """

    spectra: np.ndarray
    conditions: np.ndarray
    wavelengths: np.ndarray
    condition_names: list[str]
    sample_names: list[str] | None = None
    groups: list[str] | None = None
    source: str = ""
    extra: dict = field(default_factory=dict)
    sample_info: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n_samples, n_bands = self.spectra.shape
        if self.conditions.shape[0] != n_samples:
            raise ValueError(
                f"{self.source}: {n_samples} spectra but {self.conditions.shape[0]} condition "
                "rows; each spectrum needs exactly one condition vector."
            )
        if self.wavelengths.shape != (n_bands,):
            raise ValueError(
                f"{self.source}: {n_bands} bands but {self.wavelengths.shape[0]} wavelengths."
            )
        if len(self.condition_names) != self.conditions.shape[1]:
            raise ValueError(
                f"{self.source}: {self.conditions.shape[1]} condition columns but names "
                f"{self.condition_names}."
            )
        for label, values in (("sample_names", self.sample_names), ("groups", self.groups)):
            if values is not None and len(values) != n_samples:
                raise ValueError(f"{self.source}: {n_samples} spectra but {len(values)} {label}.")
        for key, values in self.sample_info.items():
            if np.shape(values)[:1] != (n_samples,):
                raise ValueError(
                    f"{self.source}: sample_info[{key!r}] has shape {np.shape(values)}, "
                    f"expected ({n_samples},)."
                )

    def describe(self) -> str:
        """Summarise the source, size, band range and condition names for logs."""
        return (
            f"{self.source}: {self.n_samples} spectra, {self.n_bands} bands "
            f"({self.wavelengths[0]:g}-{self.wavelengths[-1]:g} nm), conditions {self.condition_names}"
        )

    @property
    def n_samples(self) -> int:
        return self.spectra.shape[0]

    @property
    def n_bands(self) -> int:
        return self.spectra.shape[1]

    @property
    def n_conditions(self) -> int:
        return self.conditions.shape[1]

    def subset(self, indices: np.ndarray) -> SpectralDataset:
        """Return a new dataset with the samples at `indices`, in that order."""
        indices = np.asarray(indices, dtype=np.int64)
        return SpectralDataset(
            spectra=self.spectra[indices],
            conditions=self.conditions[indices],
            wavelengths=self.wavelengths.copy(),
            condition_names=list(self.condition_names),
            sample_names=_take(self.sample_names, indices),
            groups=_take(self.groups, indices),
            source=self.source,
            extra=dict(self.extra),
            sample_info={key: np.asarray(v)[indices] for key, v in self.sample_info.items()},
        )

    def select_bands(self, keep: np.ndarray) -> SpectralDataset:
        """Return a new dataset with only the bands where the boolean mask `keep` is true."""
        keep = np.asarray(keep, dtype=bool)
        return SpectralDataset(
            spectra=self.spectra[:, keep],
            conditions=self.conditions,
            wavelengths=self.wavelengths[keep],
            condition_names=list(self.condition_names),
            sample_names=self.sample_names,
            groups=self.groups,
            source=self.source,
            extra=dict(self.extra),
            sample_info=dict(self.sample_info),
        )


def _take(values: list[str] | None, indices: np.ndarray) -> list[str] | None:
    if values is None:
        return None
    return [values[i] for i in indices]
