"""Optuna pruners whose decisions agree across processes."""

from __future__ import annotations

import zlib

import optuna
from optuna.pruners import HyperbandPruner


class StableHyperbandPruner(HyperbandPruner):
    """HyperbandPruner that assigns each trial to the same bracket in every process.

    Optuna 2.10.1 picks a trial's bracket with Python's `hash()` of a string, which is
    salted per process unless PYTHONHASHSEED is set. In a Hydra sweep the sampler runs in
    the sweep process and the pruner in each job process, so they would disagree on
    brackets. This subclass uses CRC-32 of "<study name>_<trial number>" instead.
    """

    # NOTE: overrides a private method and reads private attributes of optuna 2.10.1's
    # HyperbandPruner; recheck them when upgrading Optuna.
    def _get_bracket_id(
        self, study: optuna.study.Study, trial: optuna.trial.FrozenTrial
    ) -> int:
        if len(self._pruners) == 0:
            return 0
        assert self._n_brackets is not None
        key = f"{study.study_name}_{trial.number}".encode()
        position = zlib.crc32(key) % self._total_trial_allocation_budget
        for bracket_id in range(self._n_brackets):
            position -= self._trial_allocation_budgets[bracket_id]
            if position < 0:
                return bracket_id
        raise AssertionError("bracket budgets do not add up to the total allocation budget")
