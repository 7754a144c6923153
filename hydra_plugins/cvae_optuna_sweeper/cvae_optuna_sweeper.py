"""Hydra entry point of the cvae_optuna sweeper; the work happens in `_impl`."""

from typing import Any, List, Optional

from hydra.plugins.sweeper import Sweeper
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig


class CvaeOptunaSweeper(Sweeper):
    """Optuna sweeper with failure budgets, pruning, resume and multi-process studies.

    Hydra imports every public module of a plugin package while it scans for plugins, so
    this module stays light and imports Optuna only when the sweeper is created.
    """

    def __init__(
        self,
        sampler: Any,
        pruner: Any,
        direction: Any,
        storage: Optional[Any],
        study_name: Optional[str],
        n_trials: int,
        n_jobs: int,
        max_failure_rate: Optional[float],
        max_failures: Optional[int],
        search_space: Optional[DictConfig],
        custom_search_space: Optional[str],
        params: Optional[DictConfig],
        trial_check: Optional[str],
        heartbeat_interval: Optional[int],
        grace_period: Optional[int],
        threads_per_trial: Optional[int],
        num_threads_key: Optional[str],
        logger_key: Optional[str],
    ) -> None:
        from ._impl import CvaeOptunaSweeperImpl

        self.sweeper = CvaeOptunaSweeperImpl(
            sampler=sampler,
            pruner=pruner,
            direction=direction,
            storage=storage,
            study_name=study_name,
            n_trials=n_trials,
            n_jobs=n_jobs,
            max_failure_rate=max_failure_rate,
            max_failures=max_failures,
            search_space=search_space,
            custom_search_space=custom_search_space,
            params=params,
            trial_check=trial_check,
            heartbeat_interval=heartbeat_interval,
            grace_period=grace_period,
            threads_per_trial=threads_per_trial,
            num_threads_key=num_threads_key,
            logger_key=logger_key,
        )

    def setup(
        self,
        *,
        hydra_context: HydraContext,
        task_function: TaskFunction,
        config: DictConfig,
    ) -> None:
        self.sweeper.setup(hydra_context=hydra_context, task_function=task_function, config=config)

    def sweep(self, arguments: List[str]) -> None:
        return self.sweeper.sweep(arguments)
