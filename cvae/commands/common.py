"""Checkpoint loading, output folders and JSON writing shared by the commands."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import torch
from hydra.core.hydra_config import HydraConfig

from cvae.generation import load_generator


def hydra_output_dir() -> Path:
    """Return the output folder of the running Hydra job (`hydra.run.dir`)."""
    return Path(HydraConfig.get().runtime.output_dir)


def require_checkpoint_path(ckpt_path: str | None) -> Path:
    """Return `ckpt_path` as a Path, raising ValueError when it is unset."""
    if ckpt_path is None or str(ckpt_path).strip() == "":
        raise ValueError(
            "ckpt_path is not set; pass ckpt_path=<train run dir>/checkpoints/best.pt "
            "(or last.pt) from a `python -m cvae.train` run."
        )
    return Path(str(ckpt_path))


def load_trained_model(ckpt_path: str | None, device: torch.device):
    """Load `(model, scaler, payload)` from a training checkpoint; see `load_generator`."""
    path = require_checkpoint_path(ckpt_path)
    return load_generator(str(path), device)


def to_json_value(value: Any) -> Any:
    """Convert numpy and torch values to plain JSON types, and NaN or infinity to None.

    Strict JSON has no NaN, so a metric that could not be computed is written as null.
    """
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return to_json_value(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, Path):
        return str(value)
    return value


def write_json(path: Path, content: dict[str, Any]) -> Path:
    """Write `content` as indented strict JSON (NaN becomes null) and return the path."""
    path.write_text(json.dumps(to_json_value(content), indent=2, allow_nan=False) + "\n")
    return path
