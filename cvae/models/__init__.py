"""Model registry: `model.name` in the config selects a class, the other keys are its
keyword arguments."""

from __future__ import annotations

from collections.abc import Mapping

from cvae.models.base import CVAEOutput, SpectralCVAE, to_signed_range
from cvae.models.conformer import ConformerCVAE
from cvae.models.linear_mixing import LinearMixingModel
from cvae.models.mlp import MLPCVAE
from cvae.models.transformer import TransformerCVAE

MODELS: dict[str, type[SpectralCVAE]] = {
    "conformer": ConformerCVAE,
    "transformer": TransformerCVAE,
    "mlp": MLPCVAE,
    "linear_mixing": LinearMixingModel,
}


def _split_name(model_cfg: Mapping) -> tuple[type[SpectralCVAE], dict]:
    options = dict(model_cfg)
    name = options.pop("name", None)
    if name not in MODELS:
        raise ValueError(
            f"model.name={name!r} is not a known model; choose one of {sorted(MODELS)} "
            "(for example `model=conformer`)."
        )
    return MODELS[name], options


def build_model(model_cfg: Mapping, n_bands: int, n_conditions: int) -> SpectralCVAE:
    """Build the model named by `model_cfg["name"]` for the given data shape."""
    model_class, options = _split_name(model_cfg)
    try:
        return model_class(n_bands=n_bands, n_conditions=n_conditions, **options)
    except TypeError as error:
        raise ValueError(f"invalid options for model {model_cfg.get('name')!r}: {error}") from error


def validate_model_config(model_cfg: Mapping) -> None:
    """Raise ValueError for invalid model options before any data is loaded.

    Builds a throw-away instance for 2 bands and 1 condition, so every check that the
    constructor makes (divisibility, odd kernel size, ranges) runs in seconds.
    """
    build_model(model_cfg, n_bands=2, n_conditions=1)


__all__ = [
    "MODELS",
    "CVAEOutput",
    "SpectralCVAE",
    "ConformerCVAE",
    "TransformerCVAE",
    "MLPCVAE",
    "LinearMixingModel",
    "build_model",
    "validate_model_config",
    "to_signed_range",
]
