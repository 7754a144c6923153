"""Sweep loop of the cvae_optuna sweeper (usage: docs/sweeps.md).

Search-space parsing and parameter sampling come from the stock `OptunaSweeperImpl` of
hydra-optuna-sweeper 1.3.0; this module replaces its sweep loop. One batch:

1. Under a lock that every sweep process of the study shares, mark stale trials FAIL and
   count the finished (COMPLETE + PRUNED + FAIL) and RUNNING trials in the storage. Then
   ask for at most `n_jobs` new trials, so that all processes together stop at `n_trials`.
2. Sample each trial's parameters, compose its job config and run `trial_check`; a
   rejected trial is stored FAIL without a job.
3. Launch the jobs, each in `<hydra.sweep.dir>/<trial number>`, then store COMPLETE,
   PRUNED (the job raised optuna.TrialPruned) or FAIL (the job raised, or returned NaN,
   inf or a value that is not a float) with its reason.
4. Stop with SweepFailureBudgetExceeded when the failures exceed the budget.
"""

import functools
import logging
import math
import os
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import optuna
from hydra.types import HydraContext, TaskFunction
from hydra.utils import get_method, instantiate
from hydra_plugins.hydra_optuna_sweeper._impl import (
    OptunaSweeperImpl,
    create_params_from_overrides,
)
from omegaconf import DictConfig, ListConfig, OmegaConf
from optuna.distributions import BaseDistribution
from optuna.trial import Trial, TrialState
from sqlalchemy.engine import make_url

from cvae.sweep.reporting import PRUNER_SYSTEM_ATTR, TRIAL_INFO_KEY
from cvae.sweep.storage import get_rdb_storage, redact_url, study_lock, url_has_password
from cvae.sweep.summary import count_states, write_best_trial, write_pareto_front

from ._heartbeat import TrialHeartbeat
from ._outcome import TrialOutcome, classify_job_return, describe_error, shorten

log = logging.getLogger(__name__)

FINISHED_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)
JOB_TYPE = "sweep_trial"
JOBLIB_LAUNCHER_TARGET = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
DEFAULT_STORAGE_FILE = "optuna.db"
BEST_TRIAL_FILE = "best_trial.yaml"
PARETO_FRONT_FILE = "pareto_front.csv"


class SweepFailureBudgetExceeded(RuntimeError):
    """More trials failed than hydra.sweeper.max_failures / max_failure_rate allow."""


class SweepDirectoryConflict(RuntimeError):
    """A new trial's job directory already exists, so it belongs to another study."""


def quote_override_value(value: str) -> str:
    """Quote `value` for a Hydra override, so that '=', ',', spaces and quotes survive.

    Inside a quoted Hydra value a backslash is an escape only before a quote or the closing
    quote, so only such backslash runs are doubled.
    """
    escaped = re.sub(
        r"(\\*)('|$)",
        lambda match: match.group(1) * 2 + ("\\'" if match.group(2) else ""),
        value,
    )
    return f"'{escaped}'"


def absolute_sqlite_url(url: str) -> str:
    """Return `url` with a relative sqlite database path made absolute; other URLs unchanged.

    Raises ValueError for an in-memory sqlite database, which jobs cannot share.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return url
    database = parsed.database
    if not database or database == ":memory:":
        raise ValueError(
            f"hydra.sweeper.storage={url!r} is an in-memory sqlite database, which the jobs "
            "cannot reach. Use a file, e.g. sqlite:////abs/path/optuna.db, or null for "
            "<hydra.sweep.dir>/optuna.db."
        )
    if Path(database).is_absolute():
        return url
    return parsed.set(database=str(Path(database).absolute())).render_as_string(
        hide_password=False
    )


def available_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class CvaeOptunaSweeperImpl(OptunaSweeperImpl):
    def __init__(
        self,
        *,
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
        # The stock class asserts 0 <= max_failure_rate <= 1, which rejects None, so it
        # gets 0.0 and this class checks its own budget.
        super().__init__(
            sampler,
            direction,
            storage,
            study_name,
            n_trials,
            n_jobs,
            0.0,
            search_space,
            custom_search_space,
            params,
        )
        _check_options(
            n_trials=n_trials,
            n_jobs=n_jobs,
            max_failure_rate=max_failure_rate,
            max_failures=max_failures,
            heartbeat_interval=heartbeat_interval,
            grace_period=grace_period,
            threads_per_trial=threads_per_trial,
            storage=storage,
        )
        self.max_failure_rate = max_failure_rate
        self.max_failures = max_failures
        self.pruner = pruner if pruner is not None else optuna.pruners.NopPruner()
        self.trial_check_path = trial_check
        self.trial_check = get_method(trial_check) if trial_check else None
        self.heartbeat_interval = heartbeat_interval
        self.grace_period = grace_period
        self.threads_per_trial = threads_per_trial
        self.num_threads_key = num_threads_key
        self.logger_key = logger_key
        self.pruner_config: Optional[Dict[str, Any]] = None

    def setup(
        self,
        *,
        hydra_context: HydraContext,
        task_function: TaskFunction,
        config: DictConfig,
    ) -> None:
        super().setup(hydra_context=hydra_context, task_function=task_function, config=config)
        pruner_node = OmegaConf.select(config, "hydra.sweeper.pruner")
        if pruner_node is not None:
            self.pruner_config = OmegaConf.to_container(pruner_node, resolve=True)

    # ----------------------------------------------------------------------------------
    # Sweep

    def sweep(self, arguments: List[str]) -> None:
        assert self.config is not None
        assert self.launcher is not None
        assert self.hydra_context is not None

        search_space, fixed_params = self._build_search_space(arguments)
        self._open_study()

        self._failures: List[Tuple[int, str, Optional[BaseException]]] = []
        self._n_planned: Optional[int] = None
        self._heartbeat = (
            TrialHeartbeat(self._storage, self.heartbeat_interval)
            if self.heartbeat_interval is not None
            else None
        )
        try:
            while True:
                study, trials = self._reserve_trials()
                if not trials:
                    break
                self._run_batch(study, trials, search_space, fixed_params)
                self._check_failure_budget()
        finally:
            if self._heartbeat is not None:
                self._heartbeat.close()

        self._write_results()

    def _open_study(self) -> None:
        """Create or load the study in its storage and set the per-invocation attributes."""
        assert self.config is not None
        directions = self._get_directions()
        self._n_objectives = len(directions)
        self._sweep_dir = Path(str(self.config.hydra.sweep.dir)).absolute()
        self._sweep_dir.mkdir(parents=True, exist_ok=True)
        self._url = self._storage_url()
        self._study_name = self.study_name or str(self.config.hydra.job.name)
        if url_has_password(self._url):
            log.warning(
                "The storage URL %s contains a password; every job's .hydra/overrides.yaml and "
                "the launcher log will contain it. Prefer a URL without password plus "
                "~/.pgpass or PGPASSWORD.",
                redact_url(self._url),
            )

        # Creating tables in a new sqlite file is not safe against a second process doing
        # the same, so the storage is opened under the study lock.
        with study_lock(self._url, self._study_name):
            self._storage = get_rdb_storage(self._url, self.heartbeat_interval, self.grace_period)
            study = optuna.create_study(
                study_name=self._study_name,
                storage=self._storage,
                sampler=self.sampler,
                pruner=self.pruner,
                directions=directions,
                load_if_exists=True,
            )
        self._study_id = study._study_id
        self._reseed_sampler(len(study.get_trials(deepcopy=False)))

        log.info(
            "Study %r in %s: directions %s, sampler %s, pruner %s, n_trials %d, n_jobs %d.",
            self._study_name,
            redact_url(self._url),
            directions,
            type(self.sampler).__name__,
            type(self.pruner).__name__,
            self.n_trials,
            self.n_jobs,
        )
        if self._n_objectives > 1 and not isinstance(self.pruner, optuna.pruners.NopPruner):
            log.warning(
                "Optuna 2.10 cannot prune multi-objective studies; %s will never prune.",
                type(self.pruner).__name__,
            )

    def _build_search_space(
        self, arguments: List[str]
    ) -> Tuple[Dict[str, BaseDistribution], Dict[str, Any]]:
        """Parse hydra.sweeper.params and command-line sweeps as the stock sweeper does."""
        self._process_searchspace_config()
        params_conf = self._parse_sweeper_params_config()
        params_conf.extend(arguments)
        distributions, fixed_params = create_params_from_overrides(params_conf)

        search_space: Dict[str, BaseDistribution] = {}
        if self.search_space_distributions:
            search_space = self.search_space_distributions.copy()
        search_space.update(distributions)

        is_grid_sampler = (
            isinstance(self.sampler, functools.partial)
            and self.sampler.func == optuna.samplers.GridSampler
        )
        if is_grid_sampler:
            grid = {
                name: self._to_grid_sampler_choices(distribution)
                for name, distribution in search_space.items()
            }
            self.sampler = self.sampler(grid)
            n_grid_points = math.prod(len(choices) for choices in grid.values())
            if n_grid_points < self.n_trials:
                log.info(
                    "n_trials lowered from %d to the %d points of the grid.",
                    self.n_trials,
                    n_grid_points,
                )
                self.n_trials = n_grid_points

        for name in fixed_params:
            search_space.pop(name, None)
        return search_space, fixed_params

    def _reseed_sampler(self, n_existing_trials: int) -> None:
        """Offset a seeded sampler's seed by the number of trials already in the study.

        A seeded sampler draws the same start-up parameters in every invocation, so a
        resumed study would repeat the first trials of the earlier run. seed + n keeps the
        sweep reproducible without those repeats.
        """
        assert self.config is not None
        sampler_node = OmegaConf.select(self.config, "hydra.sweeper.sampler")
        seed = OmegaConf.select(sampler_node, "seed") if sampler_node is not None else None
        if n_existing_trials == 0 or seed is None:
            return
        sampler_config = OmegaConf.to_container(sampler_node, resolve=True)
        sampler_config["seed"] = int(seed) + n_existing_trials
        self.sampler = instantiate(sampler_config)
        log.info(
            "Sampler seed %d + %d trials already in the study = %d, so this run does not "
            "repeat the parameters of earlier runs.",
            seed,
            n_existing_trials,
            sampler_config["seed"],
        )

    def _storage_url(self) -> str:
        """Return the storage URL that the sweeper and every job use.

        A relative sqlite path becomes absolute, because jobs may run in another working
        directory (hydra.job.chdir=true).
        """
        if self.storage is None:
            return f"sqlite:///{self._sweep_dir / DEFAULT_STORAGE_FILE}"
        return absolute_sqlite_url(str(self.storage))

    def _load_study(self) -> optuna.Study:
        """Return a Study over the shared storage with an empty trial cache.

        Optuna wraps an RDBStorage in a per-Study cache that never rereads the trials this
        Study created, but the jobs write intermediate values and user attributes to
        those trials from other storage objects. A fresh Study per step reads them.
        """
        return optuna.load_study(
            study_name=self._study_name,
            storage=self._storage,
            sampler=self.sampler,
            pruner=self.pruner,
        )

    # ----------------------------------------------------------------------------------
    # Step 1: reserve trials

    def _reserve_trials(self) -> Tuple[Optional[optuna.Study], List[Trial]]:
        with study_lock(self._url, self._study_name):
            if self._heartbeat is not None:
                self._fail_stale_trials()
            trials = self._storage.get_all_trials(self._study_id, deepcopy=False)
            n_finished = sum(trial.state in FINISHED_STATES for trial in trials)
            n_running = sum(trial.state == TrialState.RUNNING for trial in trials)
            n_free = self.n_trials - n_finished - n_running
            if self._n_planned is None:
                self._n_planned = max(n_free, 0)
                log.info(
                    "Study %r contains %s; this run starts up to %d trials to reach "
                    "n_trials=%d finished (COMPLETE + PRUNED + FAIL).",
                    self._study_name,
                    count_states(trials) or "no trials",
                    self._n_planned,
                    self.n_trials,
                )
            if n_free <= 0:
                if n_running:
                    log.info(
                        "No trials left to start: %d finished and %d still running in other "
                        "processes reach n_trials=%d.",
                        n_finished,
                        n_running,
                        self.n_trials,
                    )
                return None, []

            study = self._load_study()
            new_trials = [study.ask() for _ in range(min(self.n_jobs, n_free))]
            trial_ids = [trial._trial_id for trial in new_trials]
            if self._heartbeat is not None:
                self._heartbeat.add(trial_ids)
        return study, new_trials

    def _fail_stale_trials(self) -> None:
        assert self.heartbeat_interval is not None
        grace = self.grace_period or 2 * self.heartbeat_interval
        # NOTE: _get_stale_trial_ids is private in optuna 2.10.1. Its public wrapper
        # fail_stale_trials sets FAIL first, and a FAIL trial takes no user attribute.
        for trial_id in self._storage._get_stale_trial_ids(self._study_id):
            reason = (
                f"stale: no heartbeat from its sweep process for more than {grace} s "
                "(that process stopped or lost its storage connection)"
            )
            try:
                self._storage.set_trial_user_attr(trial_id, "fail_reason", reason)
                self._storage.set_trial_state(trial_id, TrialState.FAIL)
            except RuntimeError:
                # It finished between the query and the update, so it is not stale.
                continue
            number = self._storage.get_trial_number_from_id(trial_id)
            log.warning("Trial %d marked FAIL: %s.", number, reason)

    # ----------------------------------------------------------------------------------
    # Steps 2 and 3: prepare, launch, record

    def _run_batch(
        self,
        study: optuna.Study,
        trials: List[Trial],
        search_space: Dict[str, BaseDistribution],
        fixed_params: Dict[str, Any],
    ) -> None:
        pending = {trial._trial_id: trial.number for trial in trials}
        try:
            for trial in trials:
                self._storage.set_trial_system_attr(
                    trial._trial_id, PRUNER_SYSTEM_ATTR, self.pruner_config
                )
            sampled_overrides = self._configure_trials(trials, search_space, fixed_params)

            jobs: List[Tuple[Trial, List[str]]] = []
            for trial, overrides in zip(trials, sampled_overrides):
                prepared = self._prepare_trial(trial, list(overrides))
                if prepared is None:
                    pending.pop(trial._trial_id)
                else:
                    jobs.append((trial, prepared))
            if not jobs:
                return

            threads = self._threads_overrides(len(jobs))
            job_overrides = [overrides + threads for _, overrides in jobs]
            returns = self.launcher.launch(job_overrides, initial_job_idx=self.job_idx)
            self.job_idx += len(returns)

            for (trial, _), job_return in zip(jobs, returns):
                outcome = classify_job_return(job_return, self._n_objectives)
                self._record(trial, outcome, counts_as_failure=True)
                pending.pop(trial._trial_id)
        except BaseException as error:
            # Store every trial of this batch that has no result yet as FAIL, so that a
            # rerun does not wait for them. Then the error ends the sweep.
            reason = shorten(
                f"the sweep stopped before the trial finished: {describe_error(error)}"
            )
            for trial_id, number in pending.items():
                try:
                    self._finish(trial_id, number, TrialState.FAIL, reason=reason)
                except Exception:
                    log.warning("Could not store trial %d as FAIL.", number, exc_info=True)
            raise
        finally:
            if self._heartbeat is not None:
                self._heartbeat.remove([trial._trial_id for trial in trials])

    def _prepare_trial(self, trial: Trial, overrides: List[str]) -> Optional[List[str]]:
        """Return the trial's full job overrides, or None after storing it FAIL."""
        number = trial.number
        job_dir = self._sweep_dir / str(number)
        overrides = overrides + [
            f"hydra.sweep.subdir={number}",
            f"++{TRIAL_INFO_KEY}.storage={quote_override_value(self._url)}",
            f"++{TRIAL_INFO_KEY}.study_name={quote_override_value(self._study_name)}",
            f"++{TRIAL_INFO_KEY}.trial_id={trial._trial_id}",
            f"++{TRIAL_INFO_KEY}.number={number}",
        ]
        self._storage.set_trial_user_attr(trial._trial_id, "job_dir", str(job_dir))

        assert self.hydra_context is not None
        try:
            job_config = self.hydra_context.config_loader.load_sweep_config(self.config, overrides)
        except Exception as error:
            reason = f"the job config could not be composed with params {trial.params}: {error}"
            outcome = TrialOutcome(TrialState.FAIL, reason=shorten(reason), error=error)
            self._record(trial, outcome, counts_as_failure=True)
            return None

        seed = OmegaConf.select(job_config, "seed", default=None, throw_on_resolution_failure=False)
        if isinstance(seed, (int, float, str, bool)):
            self._storage.set_trial_user_attr(trial._trial_id, "seed", seed)

        if self.trial_check is not None:
            try:
                rejection = self.trial_check(job_config)
            except Exception as error:
                reason = f"trial_check {self.trial_check_path} raised {describe_error(error)}"
                outcome = TrialOutcome(TrialState.FAIL, reason=shorten(reason), error=error)
                self._record(trial, outcome, counts_as_failure=True)
                return None
            if rejection:
                reason = shorten(f"rejected before launch by {self.trial_check_path}: {rejection}")
                outcome = TrialOutcome(TrialState.FAIL, reason=reason)
                self._record(trial, outcome, counts_as_failure=False)
                return None

        if job_dir.exists():
            raise SweepDirectoryConflict(
                f"Job directory {job_dir} of new trial {number} already exists, so "
                f"{self._sweep_dir} contains another study than {self._study_name!r} in "
                f"{redact_url(self._url)}. To resume, pass the storage and study name of the "
                "earlier sweep; to start a new study, use a new hydra.sweep.dir."
            )

        logger_node = OmegaConf.select(job_config, self.logger_key) if self.logger_key else None
        if isinstance(logger_node, DictConfig):
            overrides += [
                f"++{self.logger_key}.group={quote_override_value(self._study_name)}",
                f"++{self.logger_key}.job_type={JOB_TYPE}",
            ]
        return overrides

    def _threads_overrides(self, n_jobs_in_batch: int) -> List[str]:
        """Return ++<num_threads_key>=N so that parallel jobs share the CPU cores."""
        if not self.num_threads_key:
            return []
        threads = self.threads_per_trial
        if threads is None:
            assert self.config is not None
            if OmegaConf.select(self.config, "hydra.launcher._target_") != JOBLIB_LAUNCHER_TARGET:
                return []
            cpus = available_cpus()
            launcher_jobs = OmegaConf.select(self.config, "hydra.launcher.n_jobs") or -1
            # joblib counts negative n_jobs from the CPU count: -1 is all CPUs, -2 all but one.
            workers = launcher_jobs if launcher_jobs > 0 else max(1, cpus + 1 + launcher_jobs)
            threads = max(1, cpus // min(n_jobs_in_batch, workers))
        return [f"++{self.num_threads_key}={threads}"]

    def _record(self, trial: Trial, outcome: TrialOutcome, counts_as_failure: bool) -> None:
        """Store the outcome of one trial, log it and count it against the failure budget."""
        number = trial.number
        if outcome.state == TrialState.COMPLETE:
            log.info("Trial %d COMPLETE: %s, params %s", number, outcome.values, trial.params)
        elif outcome.state == TrialState.PRUNED:
            log.info("Trial %d PRUNED: %s", number, outcome.reason or "the job raised TrialPruned")
        else:
            error = outcome.error
            log.warning(
                "Trial %d FAIL: %s",
                number,
                outcome.reason,
                exc_info=(type(error), error, error.__traceback__) if error is not None else None,
            )
            if counts_as_failure:
                self._failures.append((number, outcome.reason or "unknown reason", error))

        reason = outcome.reason if outcome.state == TrialState.FAIL else None
        self._finish(trial._trial_id, number, outcome.state, values=outcome.values, reason=reason)

    def _finish(
        self,
        trial_id: int,
        number: int,
        state: TrialState,
        values: Optional[Sequence[float]] = None,
        reason: Optional[str] = None,
    ) -> None:
        try:
            if reason is not None:
                self._storage.set_trial_user_attr(trial_id, "fail_reason", reason)
            self._load_study().tell(number, values=values, state=state)
        except RuntimeError:
            current = self._storage.get_trial(trial_id)
            if current.state == state:
                # GridSampler raises after the last grid point because it calls Study.stop
                # outside optimize(); Optuna has stored the trial before that.
                return
            if current.state.is_finished():
                log.warning(
                    "Trial %d was already %s when this process tried to store %s; another sweep "
                    "process marked it stale. Its job's result is lost.",
                    number,
                    current.state.name,
                    state.name,
                )
                return
            raise

    # ----------------------------------------------------------------------------------
    # Step 4: failure budget

    def _check_failure_budget(self) -> None:
        limits = []
        if self.max_failures is not None:
            limits.append((self.max_failures, f"hydra.sweeper.max_failures={self.max_failures}"))
        if self.max_failure_rate is not None:
            planned = self._n_planned or 0
            limits.append(
                (
                    math.floor(self.max_failure_rate * planned),
                    f"hydra.sweeper.max_failure_rate={self.max_failure_rate} of the {planned} "
                    "trials this run set out to start",
                )
            )
        n_failed = len(self._failures)
        for allowed, source in limits:
            if n_failed <= allowed:
                continue
            recent = "; ".join(
                f"trial {number}: {reason}" for number, reason, _ in self._failures[-3:]
            )
            message = (
                f"Stopped the sweep: {n_failed} trials failed in this run, more than the "
                f"{allowed} allowed by {source}. Last failures: {recent}. Fix the cause or raise "
                "hydra.sweeper.max_failures / hydra.sweeper.max_failure_rate; rerunning the same "
                f"command resumes study {self._study_name!r} in {redact_url(self._url)}."
            )
            log.error(message)
            last_error = self._failures[-1][2]
            raise SweepFailureBudgetExceeded(message) from last_error

    # ----------------------------------------------------------------------------------
    # Results

    def _write_results(self) -> None:
        study = self._load_study()
        assert self.config is not None
        metric = OmegaConf.select(self.config, "optimized_metric", default=None)
        trial_counts = count_states(study.get_trials(deepcopy=False))
        log.info("Study %r now contains %s.", self._study_name, trial_counts)
        if self._n_objectives == 1:
            write_best_trial(
                study,
                self._sweep_dir / BEST_TRIAL_FILE,
                redact_url(self._url),
                metric if isinstance(metric, str) else None,
            )
        else:
            names = list(metric) if isinstance(metric, ListConfig) else None
            write_pareto_front(study, self._sweep_dir / PARETO_FRONT_FILE, names)


def _check_options(
    *,
    n_trials: int,
    n_jobs: int,
    max_failure_rate: Optional[float],
    max_failures: Optional[int],
    heartbeat_interval: Optional[int],
    grace_period: Optional[int],
    threads_per_trial: Optional[int],
    storage: Optional[Any],
) -> None:
    """Raise ValueError that names every invalid hydra.sweeper option."""
    problems = []
    if n_trials < 0:
        problems.append(f"n_trials={n_trials} must be >= 0")
    if n_jobs < 1:
        problems.append(f"n_jobs={n_jobs} must be >= 1")
    if max_failure_rate is not None and not 0.0 <= max_failure_rate <= 1.0:
        problems.append(f"max_failure_rate={max_failure_rate} must lie in [0, 1] or be null")
    if max_failures is not None and max_failures < 0:
        problems.append(f"max_failures={max_failures} must be >= 0 or null")
    if heartbeat_interval is not None and heartbeat_interval < 1:
        problems.append(f"heartbeat_interval={heartbeat_interval} must be >= 1 s or null")
    if grace_period is not None and grace_period < 1:
        problems.append(f"grace_period={grace_period} must be >= 1 s or null")
    if threads_per_trial is not None and threads_per_trial < 1:
        problems.append(f"threads_per_trial={threads_per_trial} must be >= 1 or null")
    if storage is not None and not isinstance(storage, str):
        problems.append(f"storage={storage!r} must be a URL string or null")
    if problems:
        raise ValueError(
            "Invalid cvae_optuna sweeper options: "
            + "; ".join(f"hydra.sweeper.{problem}" for problem in problems)
            + "."
        )
