"""Linear mixing baseline: least-squares endmembers plus a low-rank Gaussian residual.

spectrum = cond @ endmembers + residual_mean + z @ residual_basis, z ~ N(0, I).
Endmembers come from least squares on the training split; the residual basis contains the
top `latent_dim` principal directions of the training residuals, scaled by their
standard deviations. This is probabilistic PCA on the residuals of linear unmixing, so
it samples and is evaluated through the same `decode(z, cond)` as the CVAEs.
"""

from __future__ import annotations

import torch

from cvae.models.base import CVAEOutput, SpectralCVAE, check_positive


class LinearMixingModel(SpectralCVAE):
    """Closed-form baseline; `fit_closed_form` replaces gradient training."""

    def __init__(self, n_bands: int, n_conditions: int, latent_dim: int = 8) -> None:
        super().__init__()
        for name, value in [("n_bands", n_bands), ("n_conditions", n_conditions), ("latent_dim", latent_dim)]:
            check_positive(name, value)
        self.n_bands = n_bands
        self.n_conditions = n_conditions
        self.latent_dim = latent_dim
        self.register_buffer("endmembers", torch.zeros(n_conditions, n_bands))
        self.register_buffer("residual_mean", torch.zeros(n_bands))
        self.register_buffer("residual_basis", torch.zeros(latent_dim, n_bands))

    @torch.no_grad()
    def fit_closed_form(self, spectra: torch.Tensor, cond: torch.Tensor) -> None:
        """Fit endmembers and the residual basis on scaled training spectra (n, n_bands)."""
        spectra = spectra.double()
        cond = cond.double()
        endmembers = torch.linalg.lstsq(cond, spectra).solution
        residuals = spectra - cond @ endmembers
        mean = residuals.mean(dim=0)
        _, singular_values, right_vectors = torch.linalg.svd(residuals - mean, full_matrices=False)
        n_components = min(self.latent_dim, singular_values.shape[0])
        # Standard deviation along each principal direction of the residuals.
        scales = singular_values[:n_components] / max(1, spectra.shape[0] - 1) ** 0.5
        basis = torch.zeros(self.latent_dim, self.n_bands, dtype=torch.float64)
        basis[:n_components] = scales[:, None] * right_vectors[:n_components]

        self.endmembers.copy_(endmembers.float())
        self.residual_mean.copy_(mean.float())
        self.residual_basis.copy_(basis.float())

    def encode(self, spectra: torch.Tensor, cond: torch.Tensor):
        """Project the residual onto the basis: mu (batch, latent_dim), a small fixed logvar."""
        residual = spectra - cond @ self.endmembers - self.residual_mean
        gram = self.residual_basis @ self.residual_basis.T
        regulariser = 1e-8 * torch.eye(self.latent_dim, device=spectra.device)
        mu = torch.linalg.solve(gram + regulariser, self.residual_basis @ residual.T).T
        logvar = torch.full_like(mu, -10.0)
        return mu, logvar, None

    def decode(self, z: torch.Tensor, cond: torch.Tensor, memory=None) -> torch.Tensor:
        """Return (batch, n_bands) clipped to [0, 1] like the sigmoid outputs of the CVAEs."""
        spectra = cond @ self.endmembers + self.residual_mean + z @ self.residual_basis
        return spectra.clamp(0.0, 1.0)

    def forward(self, spectra: torch.Tensor, cond: torch.Tensor) -> CVAEOutput:
        mu, logvar, _ = self.encode(spectra, cond)
        recon = self.decode(mu, cond)
        return CVAEOutput(recon, recon, mu, logvar, mu)
