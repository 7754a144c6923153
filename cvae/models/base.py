"""The conditional-VAE interface and the hybrid-memory flow shared by token models.

All models work on spectra scaled to [0, 1] per band (see `cvae.data.BandScaler`);
conditions are raw vectors such as cover fractions.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from cvae.models.layers import sinusoidal_positional_encoding


@dataclass
class CVAEOutput:
    """Result of one forward pass; spectra are (batch, n_bands), latents (batch, latent_dim).

    `recon` decodes from the encoder's memory and `recon_latent` from
    `latent_to_memory(z, cond)`, the path that generation uses.
    """

    recon: torch.Tensor
    recon_latent: torch.Tensor
    mu: torch.Tensor
    logvar: torch.Tensor
    z: torch.Tensor

    def float(self) -> "CVAEOutput":
        """Return a copy in float32, for losses computed outside autocast."""
        tensors = (self.recon, self.recon_latent, self.mu, self.logvar, self.z)
        return CVAEOutput(*(tensor.float() for tensor in tensors))


def to_signed_range(spectra: torch.Tensor) -> torch.Tensor:
    """Map decoder outputs from [0, 1] to [-1, 1] for callers that work in that range."""
    return 2.0 * spectra - 1.0


def reparameterize(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Draw z = mu + sigma * eps with eps ~ N(0, I), differentiable in mu and logvar."""
    return mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)


class SpectralCVAE(nn.Module):
    """Base class: subclasses implement `encode`, `decode` and `forward`."""

    n_bands: int
    n_conditions: int
    latent_dim: int

    def encode(self, spectra: torch.Tensor, cond: torch.Tensor):
        raise NotImplementedError

    def decode(self, z: torch.Tensor, cond: torch.Tensor, memory=None) -> torch.Tensor:
        raise NotImplementedError

    @torch.no_grad()
    def sample(
        self,
        cond: torch.Tensor,
        temperature: float = 1.0,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Generate one spectrum per condition row by decoding z ~ N(0, temperature² I).

        Returns (batch, n_bands) in the scaled [0, 1] units.
        """
        z = torch.randn(
            cond.shape[0], self.latent_dim, generator=generator, device=cond.device
        )
        return self.decode(temperature * z, cond)


def check_positive(name: str, value: int) -> None:
    if value < 1:
        raise ValueError(f"{name}={value} is invalid: it must be at least 1.")


class HybridMemoryCVAE(SpectralCVAE):
    """Token-per-band CVAE whose decoder cross-attends to a memory sequence.

    Encoder: each band value becomes a token (`Linear(1, d_model)`), a projection of the
    condition is added to every token, then sinusoidal positions, and a learned CLS token
    is prepended. The CLS state feeds the mu/logvar heads, and the band-token states plus
    positions are the reconstruction memory. For generation, `latent_to_memory(z, cond)`
    builds the memory instead. Subclasses provide the layer stacks through
    `_run_encoder(tokens)` and `_run_decoder(queries, memory)`.
    """

    def __init__(
        self,
        n_bands: int,
        n_conditions: int,
        latent_dim: int,
        d_model: int,
        n_heads: int,
        n_layers: int,
        dropout: float,
    ) -> None:
        super().__init__()
        for name, value in [
            ("n_bands", n_bands),
            ("n_conditions", n_conditions),
            ("latent_dim", latent_dim),
            ("d_model", d_model),
            ("n_heads", n_heads),
            ("n_layers", n_layers),
        ]:
            check_positive(name, value)
        if d_model % n_heads != 0:
            raise ValueError(
                f"d_model={d_model} must be divisible by n_heads={n_heads} so that every "
                "head gets the same width; change one of them."
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout={dropout} is invalid: it must lie in [0, 1).")

        self.n_bands = n_bands
        self.n_conditions = n_conditions
        self.latent_dim = latent_dim
        self.d_model = d_model

        self.value_embedding = nn.Linear(1, d_model)
        self.condition_embedding = nn.Linear(n_conditions, d_model)
        self.cls_token = nn.Parameter(torch.randn(1, 1, d_model) * 0.02)
        self.register_buffer(
            "positional_encoding",
            sinusoidal_positional_encoding(n_bands, d_model),
            persistent=False,
        )
        self.mu_head = nn.Linear(d_model, latent_dim)
        self.logvar_head = nn.Linear(d_model, latent_dim)

        self.latent_projection = nn.Linear(latent_dim + n_conditions, n_bands * d_model)
        self.query_template = nn.Parameter(torch.randn(1, n_bands, d_model) * 0.02)
        self.output_head = nn.Linear(d_model, 1)

    def _run_encoder(self, tokens: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _run_decoder(self, queries: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def encode(
        self, spectra: torch.Tensor, cond: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Encode spectra (batch, n_bands) and cond (batch, n_conditions).

        Returns mu and logvar (batch, latent_dim) and the memory (batch, n_bands, d_model):
        the band-token states with the positional encoding added again.
        """
        tokens = self.value_embedding(spectra.unsqueeze(-1))
        tokens = tokens + self.condition_embedding(cond).unsqueeze(1)
        tokens = tokens + self.positional_encoding
        cls = self.cls_token.expand(spectra.shape[0], -1, -1)
        states = self._run_encoder(torch.cat([cls, tokens], dim=1))

        summary = states[:, 0]
        memory = states[:, 1:] + self.positional_encoding
        return self.mu_head(summary), self.logvar_head(summary), memory

    def latent_to_memory(self, z: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        """Project [z, cond] to a (batch, n_bands, d_model) memory plus positions."""
        flat = self.latent_projection(torch.cat([z, cond], dim=-1))
        memory = flat.view(z.shape[0], self.n_bands, self.d_model)
        return memory + self.positional_encoding

    def decode(
        self,
        z: torch.Tensor,
        cond: torch.Tensor,
        memory: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Decode to spectra (batch, n_bands) in [0, 1].

        Without `memory` the decoder attends to `latent_to_memory(z, cond)`, which is how
        new spectra are generated.
        """
        if memory is None:
            memory = self.latent_to_memory(z, cond)
        queries = (self.query_template + self.positional_encoding).expand(
            memory.shape[0], -1, -1
        )
        states = self._run_decoder(queries, memory)
        return torch.sigmoid(self.output_head(states)).squeeze(-1)

    def forward(self, spectra: torch.Tensor, cond: torch.Tensor) -> CVAEOutput:
        """Reconstruct spectra (batch, n_bands) through both memory paths."""
        mu, logvar, memory = self.encode(spectra, cond)
        z = reparameterize(mu, logvar)
        recon = self.decode(z, cond, memory=memory)
        recon_latent = self.decode(z, cond)
        return CVAEOutput(recon, recon_latent, mu, logvar, z)
