"""Checks that reject a sampled trial before its job starts (`hydra.sweeper.trial_check`).

A check takes the trial's fully composed job config. It returns None when the trial may
run, or else a reason string. The sweeper then stores the trial as FAIL, with the reason in
its `fail_reason` user attribute, and launches no job for it.
"""

from __future__ import annotations

from omegaconf import DictConfig, OmegaConf


def check_model_config(cfg: DictConfig) -> str | None:
    """Reject model options that the model constructor raises ValueError on.

    Builds a throw-away model for 2 bands through `cvae.models.validate_model_config`, so
    the divisibility of d_model by n_heads, odd conv_kernel_size and value ranges are
    checked by the same code that training runs. Configs without a `model` node pass.
    """
    model_cfg = OmegaConf.select(cfg, "model")
    if model_cfg is None:
        return None
    # Imported here because torch takes seconds to import and a sweep without this check
    # should not pay for it.
    from cvae.models import validate_model_config

    options = OmegaConf.to_container(model_cfg, resolve=True)
    try:
        validate_model_config(options)
    except ValueError as error:
        return f"invalid model options: {error}"
    return None
