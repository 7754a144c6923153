"""Read the keys of a `data` config, with errors that name the missing or invalid key."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from omegaconf import DictConfig, OmegaConf

from cvae.data.errors import DataError

logger = logging.getLogger(__name__)

# OmegaConf's marker for a mandatory value that no config or override has set.
_MISSING = "???"


class DataOptions:
    """The keys of one `data` config as plain Python values.

    Interpolations such as `${oc.env:...}` are resolved on construction. The object
    records which keys a loader read, so that `warn_unused` can point out keys that
    have no effect, which are usually typos.
    """

    def __init__(self, data_cfg: DictConfig | Mapping[str, Any]) -> None:
        if isinstance(data_cfg, DictConfig):
            values = OmegaConf.to_container(data_cfg, resolve=True, throw_on_missing=False)
        elif isinstance(data_cfg, Mapping):
            values = dict(data_cfg)
        else:
            raise TypeError(
                f"data config must be a DictConfig or a mapping, got {type(data_cfg).__name__}"
            )
        self._values: dict[str, Any] = values
        self._read: set[str] = set()

    def required(self, key: str) -> Any:
        """Return the value of `key`, raising DataError when it is absent, null or `???`."""
        self._read.add(key)
        value = self._values.get(key)
        if value is None or value == _MISSING:
            format_name = self._values.get("format", "?")
            raise DataError(
                f"data.{key} is required for data format {format_name!r} but is not set. "
                f"Set it in the data config or on the command line, e.g. data.{key}=..."
            )
        return value

    def optional(self, key: str, default: Any = None) -> Any:
        """Return the value of `key`, or `default` when it is absent, null or `???`."""
        self._read.add(key)
        value = self._values.get(key, default)
        if value is None or value == _MISSING:
            return default
        return value

    def warn_unused(self, ignored: set[str]) -> None:
        """Log a warning naming the keys that nothing read, except those in `ignored`."""
        unused = sorted(set(self._values) - self._read - ignored)
        if unused:
            logger.warning(
                "data config keys %s have no effect for data format %r; check them for typos.",
                unused,
                self._values.get("format"),
            )


def as_float(value: Any, key: str) -> float:
    """Convert a config value to float, raising DataError that names the key."""
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise DataError(f"data.{key} must be a number, got {value!r}.") from error


def as_fraction(value: Any, key: str) -> float:
    """Convert a config value to a float in [0, 1], raising DataError that names the key."""
    number = as_float(value, key)
    if not 0.0 <= number <= 1.0:
        raise DataError(f"data.{key} must be between 0 and 1, got {value!r}.")
    return number


def as_int(value: Any, key: str, minimum: int | None = None) -> int:
    """Convert a config value to int, raising DataError that names the key."""
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        number = int(value)
    if number is None:
        raise DataError(f"data.{key} must be an integer, got {value!r}.")
    if minimum is not None and number < minimum:
        raise DataError(f"data.{key} must be at least {minimum}, got {number}.")
    return number


def as_bool(value: Any, key: str) -> bool:
    """Return a boolean config value, raising DataError for anything else (such as "false")."""
    if not isinstance(value, bool):
        raise DataError(f"data.{key} must be true or false, got {value!r}.")
    return value
