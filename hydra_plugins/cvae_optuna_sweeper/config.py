"""Structured configs of the cvae_optuna sweeper and its pruners.

The sweeper config extends the stock hydra-optuna-sweeper 1.3.0 `OptunaSweeperConf`, so
every stock key (sampler, direction, storage, study_name, n_trials, n_jobs, params, ...)
keeps its meaning. The comments below describe only what this plugin adds or changes.
"""

from dataclasses import dataclass, field
from typing import Any, List, Optional

from hydra.core.config_store import ConfigStore
from hydra_plugins.hydra_optuna_sweeper.config import OptunaSweeperConf
from omegaconf import MISSING


@dataclass
class PrunerConfig:
    _target_: str = MISSING


@dataclass
class MedianPrunerConfig(PrunerConfig):
    """Prune a trial whose best value so far is worse than the median of earlier trials at
    the same step (optuna.pruners.MedianPruner)."""

    _target_: str = "optuna.pruners.MedianPruner"
    # Trials that finish before pruning starts.
    n_startup_trials: int = 5
    # Steps (epochs) of each trial that are never pruned.
    n_warmup_steps: int = 0
    # Check only every interval_steps steps after the warm-up.
    interval_steps: int = 1
    # Reports needed at a step before it can prune there.
    n_min_trials: int = 1


@dataclass
class HyperbandPrunerConfig(PrunerConfig):
    """Hyperband over successive-halving brackets, with brackets that agree across processes
    (cvae.sweep.pruners.StableHyperbandPruner)."""

    _target_: str = "cvae.sweep.pruners.StableHyperbandPruner"
    # Steps (epochs) every trial runs before it can be pruned.
    min_resource: int = 1
    # Steps of a full trial, or "auto" to take the longest completed trial.
    max_resource: Any = "auto"
    reduction_factor: int = 3
    bootstrap_count: int = 0


@dataclass
class NopPrunerConfig(PrunerConfig):
    """Never prune."""

    _target_: str = "optuna.pruners.NopPruner"


defaults = [{"sampler": "tpe"}, {"pruner": "none"}]


@dataclass
class CvaeOptunaSweeperConf(OptunaSweeperConf):
    _target_: str = "hydra_plugins.cvae_optuna_sweeper.cvae_optuna_sweeper.CvaeOptunaSweeper"
    defaults: List[Any] = field(default_factory=lambda: defaults)

    # Pruner of the study: hydra/sweeper/pruner=median, hyperband or none. Jobs report
    # through cvae.sweep.reporting.TrialReporter; single-objective studies only.
    pruner: Any = MISSING

    # Storage URL; null stores the study in <hydra.sweep.dir>/optuna.db (sqlite).
    storage: Optional[Any] = None

    # Study name; null uses hydra.job.name (e.g. "train"). Rerunning with the same storage
    # and study name resumes the study.
    study_name: Optional[str] = None

    # Total number of finished trials (COMPLETE + PRUNED + FAIL) the study should hold.
    # A rerun only starts the trials that are missing.
    n_trials: int = 20

    # Trials per batch. Batches run in parallel only with hydra/launcher=joblib (or another
    # parallel launcher); with the basic launcher they run one after another.
    n_jobs: int = 1

    # Failure budget, counted over every trial that this invocation launches (not per
    # batch). The sweep stops with an error once FAIL trials exceed max_failures, or exceed
    # max_failure_rate times the trials this invocation set out to run. Each limit applies
    # when it is not null. Trials rejected by trial_check before launch do not count.
    max_failure_rate: Optional[float] = 0.25
    max_failures: Optional[int] = None

    # Dotted path of a callable (composed job config) -> None or a reason string, run before
    # each launch; a reason marks the trial FAIL without starting a job. Example:
    # cvae.sweep.checks.check_model_config.
    trial_check: Optional[str] = None

    # Seconds between heartbeats that this process records for its running trials. Another
    # sweep process marks a trial FAIL after grace_period seconds without one (null grace
    # period: 2 * heartbeat_interval). null disables heartbeats and stale-trial detection.
    heartbeat_interval: Optional[int] = 60
    grace_period: Optional[int] = None

    # CPU threads per trial, passed as ++<num_threads_key>=N. null: with the joblib launcher
    # cores // (jobs running at once), otherwise no override. num_threads_key null: never.
    threads_per_trial: Optional[int] = None
    num_threads_key: Optional[str] = "trainer.num_threads"

    # Config node of the experiment logger; when the job config has it, each job gets
    # ++<logger_key>.group=<study name> and ++<logger_key>.job_type=sweep_trial. null: never.
    logger_key: Optional[str] = "logger"


ConfigStore.instance().store(
    group="hydra/sweeper",
    name="cvae_optuna",
    node=CvaeOptunaSweeperConf,
    provider="cvae_optuna_sweeper",
)
ConfigStore.instance().store(
    group="hydra/sweeper/pruner",
    name="median",
    node=MedianPrunerConfig,
    provider="cvae_optuna_sweeper",
)
ConfigStore.instance().store(
    group="hydra/sweeper/pruner",
    name="hyperband",
    node=HyperbandPrunerConfig,
    provider="cvae_optuna_sweeper",
)
ConfigStore.instance().store(
    group="hydra/sweeper/pruner",
    name="none",
    node=NopPrunerConfig,
    provider="cvae_optuna_sweeper",
)
