"""Transformer CVAE: standard pre-norm Transformer layers in the hybrid-memory flow."""

from __future__ import annotations

import torch
from torch import nn

from cvae.models.base import HybridMemoryCVAE


class TransformerCVAE(HybridMemoryCVAE):
    """Encoder of `nn.TransformerEncoderLayer`s and decoder of `nn.TransformerDecoderLayer`s
    (pre-norm, GELU, feed-forward width `ffn_expansion * d_model`) with absolute positions."""

    def __init__(
        self,
        n_bands: int,
        n_conditions: int,
        latent_dim: int = 32,
        d_model: int = 128,
        n_heads: int = 4,
        n_layers: int = 4,
        dropout: float = 0.1,
        ffn_expansion: int = 4,
    ) -> None:
        super().__init__(n_bands, n_conditions, latent_dim, d_model, n_heads, n_layers, dropout)
        if ffn_expansion < 1:
            raise ValueError(f"ffn_expansion={ffn_expansion} is invalid: it must be at least 1.")
        layer_options = dict(
            d_model=d_model,
            nhead=n_heads,
            dim_feedforward=ffn_expansion * d_model,
            dropout=dropout,
            activation="gelu",
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(**layer_options),
            n_layers,
            norm=nn.LayerNorm(d_model),
            enable_nested_tensor=False,
        )
        self.decoder = nn.TransformerDecoder(
            nn.TransformerDecoderLayer(**layer_options), n_layers, norm=nn.LayerNorm(d_model)
        )

    def _run_encoder(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.encoder(tokens)

    def _run_decoder(self, queries: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        return self.decoder(queries, memory)
