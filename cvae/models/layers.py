"""Building blocks shared by the Conformer and Transformer CVAEs.

Every tensor of token states has shape (batch, length, d_model).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def sinusoidal_positional_encoding(length: int, d_model: int) -> torch.Tensor:
    """Return the (length, d_model) sinusoidal table of Vaswani et al. (2017).

    Even channels hold sin(pos / 10000^(2i/d_model)), odd channels the cosine. An odd
    d_model drops the last cosine channel.
    """
    position = torch.arange(length, dtype=torch.float32).unsqueeze(1)
    frequency = torch.exp(
        torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model)
    )
    table = torch.zeros(length, d_model)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency)[:, : d_model // 2]
    return table


class RelativePositionBias(nn.Module):
    """Learned attention bias per head that depends only on the offset i - j.

    Query i attending to key j gets `table[h, i - j + max_length - 1]` added to its logit
    for head h, so the table covers offsets -(max_length - 1) … max_length - 1.
    """

    def __init__(self, n_heads: int, max_length: int) -> None:
        super().__init__()
        self.max_length = max_length
        self.table = nn.Parameter(torch.zeros(n_heads, 2 * max_length - 1))

    def forward(self, length: int) -> torch.Tensor:
        """Return the bias as a float attention mask of shape (1, n_heads, length, length).

        The leading singleton axis matters: scaled_dot_product_attention on CPU keeps its
        fast kernel for a (1, H, L, L) mask but falls back to a slow one for (H, L, L).
        """
        if length > self.max_length:
            raise ValueError(
                f"sequence length {length} exceeds the relative-position table size "
                f"{self.max_length}; build the model with n_bands matching the data."
            )
        positions = torch.arange(length, device=self.table.device)
        offsets = positions[:, None] - positions[None, :] + self.max_length - 1
        return self.table[:, offsets].unsqueeze(0)


class MultiHeadAttention(nn.Module):
    """Multi-head attention through `F.scaled_dot_product_attention`.

    Used for self-attention (memory is None) and cross-attention (memory given).
    """

    def __init__(self, d_model: int, n_heads: int, dropout: float) -> None:
        super().__init__()
        if d_model % n_heads != 0:
            raise ValueError(
                f"d_model={d_model} must be divisible by n_heads={n_heads} so that every "
                "head gets the same width; change one of them."
            )
        self.n_heads = n_heads
        self.query = nn.Linear(d_model, d_model)
        self.key_value = nn.Linear(d_model, 2 * d_model)
        self.output = nn.Linear(d_model, d_model)
        self.dropout = dropout

    def _split_heads(self, states: torch.Tensor) -> torch.Tensor:
        batch, length, d_model = states.shape
        head_dim = d_model // self.n_heads
        return states.view(batch, length, self.n_heads, head_dim).transpose(1, 2)

    def forward(
        self,
        states: torch.Tensor,
        memory: torch.Tensor | None = None,
        bias: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Attend from `states` (batch, L, d_model) to `memory` (batch, S, d_model).

        `bias` is a float mask added to the attention logits, shape (1, n_heads, L, S).
        Returns (batch, L, d_model).
        """
        source = states if memory is None else memory
        query = self._split_heads(self.query(states))
        key, value = self.key_value(source).chunk(2, dim=-1)
        key = self._split_heads(key)
        value = self._split_heads(value)

        if bias is not None:
            bias = bias.to(query.dtype)
        attended = F.scaled_dot_product_attention(
            query,
            key,
            value,
            attn_mask=bias,
            dropout_p=self.dropout if self.training else 0.0,
        )
        batch, _, length, _ = attended.shape
        merged = attended.transpose(1, 2).reshape(batch, length, -1)
        return self.output(merged)


class HalfStepFeedForward(nn.Module):
    """Macaron feed-forward module whose residual is scaled by 0.5."""

    def __init__(self, d_model: int, expansion: int, dropout: float) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.LayerNorm(d_model),
            nn.Linear(d_model, expansion * d_model),
            nn.SiLU(),
            nn.Dropout(dropout),
            nn.Linear(expansion * d_model, d_model),
            nn.Dropout(dropout),
        )

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        return states + 0.5 * self.layers(states)


class ConvolutionModule(nn.Module):
    """Conformer convolution module over the band axis, with its own residual.

    LayerNorm, pointwise conv to 2·d_model, GLU, depthwise conv, BatchNorm, SiLU, pointwise
    conv, dropout. The kernel size must be odd so that padding k // 2 keeps the length.
    """

    def __init__(self, d_model: int, kernel_size: int, dropout: float) -> None:
        super().__init__()
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(
                f"conv_kernel_size={kernel_size} is invalid: it must be a positive odd number "
                "so that same-length padding is symmetric (for example 3, 7, 17 or 31)."
            )
        self.norm = nn.LayerNorm(d_model)
        self.pointwise_in = nn.Conv1d(d_model, 2 * d_model, kernel_size=1)
        self.glu = nn.GLU(dim=1)
        self.depthwise = nn.Conv1d(
            d_model, d_model, kernel_size, padding=kernel_size // 2, groups=d_model
        )
        self.batch_norm = nn.BatchNorm1d(d_model)
        self.activation = nn.SiLU()
        self.pointwise_out = nn.Conv1d(d_model, d_model, kernel_size=1)
        self.dropout = nn.Dropout(dropout)

    def forward(self, states: torch.Tensor) -> torch.Tensor:
        # Conv1d works on (batch, channels, length), so the band axis moves last.
        hidden = self.norm(states).transpose(1, 2)
        hidden = self.glu(self.pointwise_in(hidden))
        hidden = self.activation(self.batch_norm(self.depthwise(hidden)))
        hidden = self.dropout(self.pointwise_out(hidden))
        return states + hidden.transpose(1, 2)
