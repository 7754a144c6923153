"""MLP CVAE baseline: fully connected encoder and decoder on the flat spectrum."""

from __future__ import annotations

import torch
from torch import nn

from cvae.models.base import CVAEOutput, SpectralCVAE, check_positive, reparameterize


def _mlp(sizes: list[int], dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = []
    for width_in, width_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(width_in, width_out), nn.SiLU(), nn.Dropout(dropout)]
    return nn.Sequential(*layers)


class MLPCVAE(SpectralCVAE):
    """Encoder MLP on [spectrum, cond] and decoder MLP on [z, cond].

    There is no memory, so both reconstruction paths are the same decode(z, cond).
    """

    def __init__(
        self,
        n_bands: int,
        n_conditions: int,
        latent_dim: int = 32,
        hidden_dims: tuple[int, ...] = (512, 256),
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        for name, value in [("n_bands", n_bands), ("n_conditions", n_conditions), ("latent_dim", latent_dim)]:
            check_positive(name, value)
        hidden_dims = list(hidden_dims)
        if not hidden_dims or min(hidden_dims) < 1:
            raise ValueError(f"hidden_dims={hidden_dims} is invalid: give one or more positive widths.")
        self.n_bands = n_bands
        self.n_conditions = n_conditions
        self.latent_dim = latent_dim

        self.encoder = _mlp([n_bands + n_conditions, *hidden_dims], dropout)
        self.mu_head = nn.Linear(hidden_dims[-1], latent_dim)
        self.logvar_head = nn.Linear(hidden_dims[-1], latent_dim)
        self.decoder = nn.Sequential(
            _mlp([latent_dim + n_conditions, *reversed(hidden_dims)], dropout),
            nn.Linear(hidden_dims[0], n_bands),
        )

    def encode(self, spectra: torch.Tensor, cond: torch.Tensor):
        """Return mu, logvar (batch, latent_dim) and no memory."""
        hidden = self.encoder(torch.cat([spectra, cond], dim=-1))
        return self.mu_head(hidden), self.logvar_head(hidden), None

    def decode(self, z: torch.Tensor, cond: torch.Tensor, memory=None) -> torch.Tensor:
        """Decode to spectra (batch, n_bands) in [0, 1]; `memory` is ignored."""
        return torch.sigmoid(self.decoder(torch.cat([z, cond], dim=-1)))

    def forward(self, spectra: torch.Tensor, cond: torch.Tensor) -> CVAEOutput:
        mu, logvar, _ = self.encode(spectra, cond)
        z = reparameterize(mu, logvar)
        recon = self.decode(z, cond)
        return CVAEOutput(recon, recon, mu, logvar, z)
