"""Per-epoch reporting from a training job to the Optuna trial that the sweeper created.

The task function of a Hydra sweep never receives the `optuna.Trial`, because the job may
run in another process or on another machine. The cvae_optuna sweeper therefore appends these
overrides to every job (values are examples):

    ++optuna_trial.storage='sqlite:////abs/multirun/train/2025-01-01/12-00-00/optuna.db'
    ++optuna_trial.study_name='train'
    ++optuna_trial.trial_id=8
    ++optuna_trial.number=7

and `TrialReporter.from_config(cfg)` reconnects to that storage and rebuilds the trial.
In a single run `cfg.optuna_trial` is null and the reporter does nothing.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

import optuna
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from optuna.trial import TrialState

from cvae.sweep.storage import get_rdb_storage, redact_url

log = logging.getLogger(__name__)

# Trial system attribute that contains the pruner's Hydra config (a `_target_` dict). The
# pruner is not stored with an Optuna study, so the sweeper writes it on every trial and
# the job rebuilds the same pruner from it.
PRUNER_SYSTEM_ATTR = "cvae_pruner"

# Keys of `cfg.optuna_trial`, the node that the sweeper fills in for each job.
TRIAL_INFO_KEY = "optuna_trial"
REQUIRED_TRIAL_INFO = ("storage", "study_name", "trial_id")


class TrialReporter:
    """Connection from a training job to its Optuna trial, or a no-op outside a sweep.

    Build it with `TrialReporter.from_config(cfg)`. `report(value, step)` stores the
    validation objective of one epoch and raises `optuna.TrialPruned` when the study's
    pruner stops the trial. The sweeper then stores the trial as PRUNED.
    """

    def __init__(self, trial: optuna.Trial | None = None) -> None:
        self._trial = trial
        self._params: dict[str, Any] = {}
        self._number: int | None = None
        self._multi_objective = False
        self._warned_multi_objective = False
        if trial is not None:
            frozen = trial.storage.get_trial(trial._trial_id)
            self._params = dict(frozen.params)
            self._number = frozen.number
            self._multi_objective = len(trial.study.directions) > 1

    @classmethod
    def from_config(cls, cfg: DictConfig | Mapping) -> TrialReporter:
        """Return the reporter for `cfg.optuna_trial`, or a no-op one when it is null or absent."""
        if not isinstance(cfg, DictConfig):
            cfg = OmegaConf.create(dict(cfg))
        info = OmegaConf.select(cfg, TRIAL_INFO_KEY, default=None)
        if info is None:
            return cls(None)

        missing = [key for key in REQUIRED_TRIAL_INFO if OmegaConf.select(info, key) is None]
        if missing:
            raise ValueError(
                f"{TRIAL_INFO_KEY} is missing {missing}; the cvae_optuna sweeper sets "
                f"{list(REQUIRED_TRIAL_INFO)} and `number` for each job. Set "
                f"{TRIAL_INFO_KEY}=null to train without a sweep."
            )
        url = str(info.storage)
        study_name = str(info.study_name)
        trial_id = int(info.trial_id)
        expected_number = OmegaConf.select(info, "number")

        storage = get_rdb_storage(url)
        try:
            frozen = storage.get_trial(trial_id)
        except KeyError as error:
            raise ValueError(
                f"Trial id {trial_id} of {TRIAL_INFO_KEY} was not found in Optuna storage "
                f"{redact_url(url)}; check {TRIAL_INFO_KEY}.storage and .trial_id."
            ) from error
        study_id = storage.get_study_id_from_trial_id(trial_id)
        stored_study_name = storage.get_study_name_from_id(study_id)
        if stored_study_name != study_name:
            raise ValueError(
                f"Trial id {trial_id} belongs to study {stored_study_name!r}, not to "
                f"{TRIAL_INFO_KEY}.study_name={study_name!r}, in {redact_url(url)}."
            )
        if expected_number is not None and int(expected_number) != frozen.number:
            raise ValueError(
                f"Trial id {trial_id} has number {frozen.number}, not "
                f"{TRIAL_INFO_KEY}.number={expected_number}, in study {study_name!r}."
            )
        if frozen.state != TrialState.RUNNING:
            raise RuntimeError(
                f"Trial {frozen.number} of study {study_name!r} is {frozen.state.name}, not "
                "RUNNING, so this job cannot report to it. A trial becomes FAIL when its sweep "
                "process stops sending heartbeats; start a new sweep invocation to run more trials."
            )

        pruner = _build_pruner(frozen.system_attrs.get(PRUNER_SYSTEM_ATTR))
        # The job never samples parameters, so a RandomSampler keeps Trial construction cheap.
        study = optuna.load_study(
            study_name=study_name,
            storage=storage,
            sampler=optuna.samplers.RandomSampler(),
            pruner=pruner,
        )
        reporter = cls(optuna.trial.Trial(study, trial_id))
        log.info(
            "Reporting to trial %d of study %r in %s with %s.",
            reporter.number,
            study_name,
            redact_url(url),
            type(pruner).__name__,
        )
        return reporter

    @property
    def active(self) -> bool:
        """True when this job belongs to an Optuna trial."""
        return self._trial is not None

    @property
    def number(self) -> int | None:
        """Trial number within the study (None outside a sweep)."""
        return self._number

    @property
    def params(self) -> dict[str, Any]:
        """Flat {override key: value} of the parameters that the sampler chose for this trial."""
        return dict(self._params)

    def report(self, value: float, step: int) -> None:
        """Store the objective `value` of `step` (e.g. the epoch) and prune if the pruner decides to.

        Raises optuna.TrialPruned when the study's pruner stops this trial. In a
        multi-objective study, Optuna 2.10 supports neither reports nor pruning, so this
        method only logs once that it ignores the values.
        """
        if self._trial is None:
            return
        if self._multi_objective:
            if not self._warned_multi_objective:
                self._warned_multi_objective = True
                log.info(
                    "Trial %d belongs to a multi-objective study; Optuna 2.10 cannot store "
                    "or prune on per-step values there, so reports are ignored.",
                    self.number,
                )
            return
        value = float(value)
        self._trial.report(value, step)
        if self._trial.should_prune():
            value_text = f"{value:.6g}" if math.isfinite(value) else str(value)
            message = f"Trial {self.number} pruned at step {step} (reported value {value_text})."
            log.info(message)
            raise optuna.TrialPruned(message)

    def set_user_attr(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable user attribute on the trial (no-op outside a sweep)."""
        if self._trial is not None:
            self._trial.set_user_attr(key, value)


def _build_pruner(pruner_config: Mapping | None) -> optuna.pruners.BasePruner:
    if pruner_config is None:
        return optuna.pruners.NopPruner()
    return instantiate(dict(pruner_config))
