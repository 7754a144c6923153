"""Mini-batches drawn from in-memory tensors."""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch


class TensorBatches:
    """Iterable of `(spectra, conditions)` mini-batches over in-memory tensors.

    Each iteration is one epoch. With `shuffle`, every epoch uses a new random order
    drawn from a generator seeded once with `seed`, so the sequence of epochs is
    reproducible but no two epochs need share an order. Indexing whole tensors avoids
    the per-item overhead of a `torch.utils.data.Dataset`.
    """

    def __init__(
        self,
        spectra: torch.Tensor,
        conditions: torch.Tensor,
        batch_size: int,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if spectra.shape[0] != conditions.shape[0]:
            raise ValueError(
                f"spectra have {spectra.shape[0]} rows but conditions have {conditions.shape[0]}."
            )
        if isinstance(batch_size, bool) or int(batch_size) != batch_size or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
        n_samples = spectra.shape[0]
        if drop_last and 0 < n_samples < batch_size:
            raise ValueError(
                f"{n_samples} samples are fewer than batch_size {batch_size} with drop_last=True, "
                "so no batch would be produced; lower batch_size or set drop_last=False."
            )
        self.spectra = spectra
        self.conditions = conditions
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._generator = torch.Generator().manual_seed(int(seed))

    @property
    def n_samples(self) -> int:
        return self.spectra.shape[0]

    def __len__(self) -> int:
        if self.drop_last:
            return self.n_samples // self.batch_size
        return math.ceil(self.n_samples / self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        if self.shuffle:
            order = torch.randperm(self.n_samples, generator=self._generator).to(self.spectra.device)
        else:
            order = None
        for batch in range(len(self)):
            start = batch * self.batch_size
            stop = min(start + self.batch_size, self.n_samples)
            if order is None:
                yield self.spectra[start:stop], self.conditions[start:stop]
            else:
                index = order[start:stop]
                yield self.spectra[index], self.conditions[index.to(self.conditions.device)]
