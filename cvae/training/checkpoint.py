"""Checkpoints in plain types, written atomically and loaded with weights_only=True.

A checkpoint contains everything generation needs (weights, resolved config, wavelengths,
condition names, scaling) and what resuming needs (optimizer, scheduler, epoch, early
stopping state, RNG state). `torch.load(weights_only=True)` runs no code from the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

CHECKPOINT_FORMAT = 1


def save_checkpoint(payload: dict[str, Any], path: str | os.PathLike) -> Path:
    """Write `payload` to a temporary file in the same folder, then rename it over `path`.

    The rename is atomic on POSIX file systems, so a crash mid-write leaves the previous
    checkpoint intact instead of a truncated file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    torch.save({"format": CHECKPOINT_FORMAT, **payload}, temporary)
    os.replace(temporary, path)
    return path


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict:
    """Load a checkpoint written by `save_checkpoint`, with a clear error for a bad path."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"checkpoint not found: {path.resolve()}; pass ckpt_path=<run dir>/checkpoints/last.pt "
            "or best.pt from a previous run."
        )
    payload = torch.load(path, map_location=map_location, weights_only=True)
    if payload.get("format") != CHECKPOINT_FORMAT:
        raise ValueError(
            f"{path}: checkpoint format {payload.get('format')!r} is not supported "
            f"(expected {CHECKPOINT_FORMAT})."
        )
    return payload
