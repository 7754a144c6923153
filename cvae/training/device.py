"""Device choice and mixed precision."""

from __future__ import annotations

import contextlib
import logging

import torch

log = logging.getLogger(__name__)


def select_device(requested: str = "auto") -> torch.device:
    """Return the requested device, or with "auto" the first of CUDA, MPS and CPU."""
    if requested == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    device = torch.device(requested)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={requested!r} was requested but CUDA is not available; use device=auto or cpu."
        )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"device={requested!r} was requested but MPS is not available; use device=auto or cpu."
        )
    return device


def autocast_context(device: torch.device, precision: str):
    """Return the autocast context for `precision` ("auto", "bf16" or "fp32").

    "auto" uses bf16 autocast on CUDA and full precision elsewhere, because CPU bf16
    matmuls are slower than fp32 on most CPUs.
    """
    if precision not in ("auto", "bf16", "fp32"):
        raise ValueError(f"trainer.precision={precision!r} is invalid; use auto, bf16 or fp32.")
    # NOTE: the CUDA bf16 path has not run in this repository's tests, which are CPU-only.
    use_bf16 = precision == "bf16" or (precision == "auto" and device.type == "cuda")
    if not use_bf16:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16)
