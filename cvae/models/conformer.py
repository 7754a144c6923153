"""Conformer CVAE: Conformer blocks in the encoder and decoder of the hybrid-memory flow."""

from __future__ import annotations

import torch
from torch import nn

from cvae.models.base import HybridMemoryCVAE
from cvae.models.layers import (
    ConvolutionModule,
    HalfStepFeedForward,
    MultiHeadAttention,
    RelativePositionBias,
)


class ConformerBlock(nn.Module):
    """Half-step FFN, self-attention, optional cross-attention, convolution, half-step FFN.

    With `cross_attention=True` the block also attends to a memory sequence after
    self-attention, which makes it a decoder block.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        ffn_expansion: int,
        conv_kernel_size: int,
        dropout: float,
        attention_dropout: float = 0.0,
        cross_attention: bool = False,
    ) -> None:
        super().__init__()
        self.ffn_in = HalfStepFeedForward(d_model, ffn_expansion, dropout)
        self.self_attention_norm = nn.LayerNorm(d_model)
        self.self_attention = MultiHeadAttention(d_model, n_heads, attention_dropout)
        self.cross_attention = None
        if cross_attention:
            self.cross_attention_norm = nn.LayerNorm(d_model)
            self.cross_attention = MultiHeadAttention(d_model, n_heads, attention_dropout)
        self.attention_dropout = nn.Dropout(dropout)
        self.convolution = ConvolutionModule(d_model, conv_kernel_size, dropout)
        self.ffn_out = HalfStepFeedForward(d_model, ffn_expansion, dropout)
        self.final_norm = nn.LayerNorm(d_model)

    def forward(
        self,
        states: torch.Tensor,
        bias: torch.Tensor | None = None,
        memory: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Transform states (batch, L, d_model); bias is (1, n_heads, L, L) or None."""
        states = self.ffn_in(states)

        attended = self.self_attention(self.self_attention_norm(states), bias=bias)
        states = states + self.attention_dropout(attended)

        if self.cross_attention is not None:
            attended = self.cross_attention(self.cross_attention_norm(states), memory=memory)
            states = states + self.attention_dropout(attended)

        states = self.convolution(states)
        states = self.ffn_out(states)
        return self.final_norm(states)


class ConformerCVAE(HybridMemoryCVAE):
    """Conformer encoder and decoder; positions are absolute, plus a learned relative
    bias per head in every self-attention when `use_relative_pos` is true.

    `dropout` applies to every sub-module output; `attention_dropout` to the attention
    weights. The latter defaults to 0 because any dropout on the weights makes
    scaled_dot_product_attention leave its fused kernels for the math path, which in
    torch 2.13 on CPU made a training step about 1.35 times as slow (docs/benchmarks.md).
    """

    def __init__(
        self,
        n_bands: int,
        n_conditions: int,
        latent_dim: int = 32,
        d_model: int = 256,
        n_heads: int = 4,
        n_layers: int = 4,
        dropout: float = 0.1,
        ffn_expansion: int = 4,
        conv_kernel_size: int = 17,
        use_relative_pos: bool = True,
        attention_dropout: float = 0.0,
    ) -> None:
        super().__init__(n_bands, n_conditions, latent_dim, d_model, n_heads, n_layers, dropout)
        if ffn_expansion < 1:
            raise ValueError(f"ffn_expansion={ffn_expansion} is invalid: it must be at least 1.")
        if not 0.0 <= attention_dropout < 1.0:
            raise ValueError(f"attention_dropout={attention_dropout} is invalid: it must lie in [0, 1).")

        def block(cross_attention: bool) -> ConformerBlock:
            return ConformerBlock(
                d_model,
                n_heads,
                ffn_expansion,
                conv_kernel_size,
                dropout,
                attention_dropout,
                cross_attention,
            )

        self.encoder_blocks = nn.ModuleList(block(False) for _ in range(n_layers))
        self.decoder_blocks = nn.ModuleList(block(True) for _ in range(n_layers))
        self.use_relative_pos = use_relative_pos
        # One bias table per stack: the encoder has n_bands + 1 tokens (with CLS).
        self.encoder_bias = RelativePositionBias(n_heads, n_bands + 1) if use_relative_pos else None
        self.decoder_bias = RelativePositionBias(n_heads, n_bands) if use_relative_pos else None

    def _run_encoder(self, tokens: torch.Tensor) -> torch.Tensor:
        bias = self.encoder_bias(tokens.shape[1]) if self.encoder_bias is not None else None
        for block in self.encoder_blocks:
            tokens = block(tokens, bias=bias)
        return tokens

    def _run_decoder(self, queries: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        bias = self.decoder_bias(queries.shape[1]) if self.decoder_bias is not None else None
        for block in self.decoder_blocks:
            queries = block(queries, bias=bias, memory=memory)
        return queries
