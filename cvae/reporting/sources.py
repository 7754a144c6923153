"""Load the trials of a sweep from an Optuna storage or from Hydra job directories."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, Iterator

import optuna
import sqlalchemy.exc
import yaml
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import HydraException

from cvae.reporting.errors import ReportError
from cvae.reporting.records import SweepData, TrialRecord
from cvae.sweep.reporting import TRIAL_INFO_KEY

logger = logging.getLogger(__name__)

STUDY_FILE_NAME = "optuna.db"
METRICS_FILE_NAME = "metrics.json"
OVERRIDES_FILE = Path(".hydra") / "overrides.yaml"
JOB_CONFIG_FILE = Path(".hydra") / "config.yaml"
JOB_HYDRA_FILE = Path(".hydra") / "hydra.yaml"
# Hydra 1.3's BasicSweeper saves the composed config, hydra section included, in this
# file of the sweep directory. The cvae_optuna sweeper does not write it.
MULTIRUN_CONFIG_FILE = "multirun.yaml"
DIRECTION_NAMES = ("minimize", "maximize")

# Hydra writes job directories directly under the sweep directory (multirun/<date>/<num>),
# and a custom hydra.sweep.subdir may nest them one or two levels more.
MAX_JOB_DIR_DEPTH = 3
# Large per-job folders that never contain job directories.
SKIPPED_DIR_NAMES = {"wandb", "checkpoints", "__pycache__"}

# Maps the "status" value in metrics.json to an Optuna TrialState name.
STATUS_TO_STATE = {
    "completed": "COMPLETE",
    "complete": "COMPLETE",
    "pruned": "PRUNED",
    "failed": "FAIL",
    "fail": "FAIL",
    "running": "RUNNING",
}


def load_sweep(
    path: str | os.PathLike,
    *,
    storage: str | None = None,
    study_name: str | None = None,
) -> SweepData:
    """Load every trial of a sweep.

    Args:
        path: a multirun sweep directory, an ``optuna.db`` file, or an Optuna
            storage URL.
        storage: an Optuna storage URL or sqlite file that overrides the
            ``optuna.db`` lookup in ``path``; ``path`` then only locates job directories.
        study_name: the study to load; required when the storage contains several.

    Returns:
        The trials of the study when a storage is found, otherwise the trials
        reconstructed from the job directories under ``path``.

    Raises:
        ReportError: when the path, storage, study or any trial is missing.
    """
    path_text = str(path)
    sweep_dir: Path | None = None

    if is_storage_url(path_text):
        if storage is not None:
            raise ReportError(
                f"PATH {path_text} is a storage URL and --storage {storage} is also set; "
                "pass the storage only once."
            )
        storage = path_text
        database = sqlite_file(storage)
        sweep_dir = database.resolve().parent if database is not None else None
    else:
        location = Path(path_text).expanduser()
        if not location.exists():
            raise ReportError(
                f"Path not found: {location}. Pass a multirun sweep directory, an "
                f"{STUDY_FILE_NAME} file, or a storage URL such as "
                "sqlite:///multirun/train/2026-12-04_20-30-00/optuna.db."
            )
        if location.is_file():
            if storage is not None:
                raise ReportError(
                    f"PATH {location} is a file and --storage {storage} is also set; pass "
                    "a sweep directory as PATH to combine it with --storage."
                )
            storage = location
            sweep_dir = location.resolve().parent
        else:
            sweep_dir = location.resolve()

    searched: list[str] = []
    if storage is None:
        assert sweep_dir is not None
        found = find_study_files(sweep_dir)
        searched.append(
            f"{STUDY_FILE_NAME} in {sweep_dir} and up to two directory levels below it"
        )
        if len(found) > 1:
            listing = "\n  ".join(str(file) for file in found)
            raise ReportError(
                f"Found {len(found)} {STUDY_FILE_NAME} files under {sweep_dir}:\n  {listing}\n"
                "Pass the sweep directory that contains the one to report, or --storage URL."
            )
        if found:
            storage = found[0]
            sweep_dir = found[0].parent

    if storage is not None:
        url = to_storage_url(storage)
        return load_study_trials(url, study_name=study_name, sweep_dir=sweep_dir)

    if study_name is not None:
        raise ReportError(
            f"--study-name {study_name} is set but no Optuna storage was found: looked for "
            f"{searched[0]}. Pass --storage URL."
        )
    return load_job_dir_trials(sweep_dir, searched)


def is_storage_url(text: str) -> bool:
    """Return whether ``text`` is a SQLAlchemy URL such as ``sqlite:///optuna.db``."""
    return "://" in text


def sqlite_file(url: str) -> Path | None:
    """Return the database file of a ``sqlite:///`` URL, or None for other URLs."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    file_part = url[len(prefix) :].split("?", 1)[0]
    if not file_part or file_part == ":memory:":
        return None
    return Path(file_part)


def to_storage_url(storage: str | os.PathLike) -> str:
    """Turn a storage URL or a path to an sqlite file into a storage URL."""
    text = str(storage)
    if is_storage_url(text):
        return text
    file = Path(text).expanduser()
    if not file.is_file():
        raise ReportError(
            f"Optuna storage file not found: {file}. Pass an existing {STUDY_FILE_NAME} "
            "or a storage URL such as sqlite:///path/to/optuna.db."
        )
    return f"sqlite:///{file.resolve()}"


def find_study_files(directory: Path) -> list[Path]:
    """List the ``optuna.db`` files in ``directory``, or else in its sub- and sub-subfolders."""
    top = directory / STUDY_FILE_NAME
    if top.is_file():
        return [top]
    nested = sorted(directory.glob(f"*/{STUDY_FILE_NAME}"))
    nested += sorted(directory.glob(f"*/*/{STUDY_FILE_NAME}"))
    return [file for file in nested if file.is_file()]


def load_study_trials(url: str, *, study_name: str | None, sweep_dir: Path | None) -> SweepData:
    """Load the trials of one study from an Optuna storage.

    Raises:
        ReportError: when the storage cannot be opened, has no matching study, or
            the study has no trials.
    """
    database = sqlite_file(url)
    if database is not None and not database.is_file():
        # Opening a missing sqlite file would create an empty database, so stop here.
        raise ReportError(
            f"Optuna storage file not found: {database} (from {url}). Check the path."
        )

    # NOTE: RDBStorage creates Optuna's tables in a database that lacks them, so pointing
    # it at some other sqlite file adds empty tables to that file.
    try:
        storage = optuna.storages.RDBStorage(url)
        summaries = optuna.study.get_all_study_summaries(storage)
    except (sqlalchemy.exc.SQLAlchemyError, RuntimeError, ImportError) as error:
        # SQLAlchemy wraps the driver error and appends the SQL statement, so show only
        # the driver's message.
        cause = getattr(error, "orig", None) or error
        raise ReportError(
            f"Could not open the Optuna storage {url}: {cause}. Check that the URL names an "
            "Optuna storage that this machine can reach."
        ) from error

    names = [summary.study_name for summary in summaries]
    if not names:
        raise ReportError(f"No Optuna study found in the storage {url}.")
    if study_name is None:
        if len(names) > 1:
            raise ReportError(
                f"The storage {url} contains {len(names)} studies ({', '.join(names)}); "
                "pass --study-name NAME."
            )
        study_name = names[0]
    elif study_name not in names:
        raise ReportError(
            f"Study {study_name!r} not found in the storage {url}; it contains: "
            f"{', '.join(names)}."
        )

    study = optuna.load_study(study_name=study_name, storage=storage)
    frozen_trials = study.get_trials(deepcopy=False)
    if not frozen_trials:
        raise ReportError(
            f"Study {study_name!r} in {url} has no trials yet; run the sweep first."
        )

    notes: list[str] = []
    trials = []
    for frozen in frozen_trials:
        job_dir = None
        metrics: dict[str, Any] = {}
        raw_job_dir = frozen.user_attrs.get("job_dir")
        if raw_job_dir:
            job_dir = resolve_job_dir(str(raw_job_dir), sweep_dir)
            metrics, note = read_metrics(job_dir)
            if note:
                notes.append(note)
        trials.append(
            TrialRecord(
                number=frozen.number,
                state=frozen.state.name,
                params=dict(frozen.params),
                values=list(frozen.values) if frozen.values is not None else None,
                metrics=metrics,
                user_attrs=dict(frozen.user_attrs),
                job_dir=job_dir,
                fail_reason=_optional_text(frozen.user_attrs.get("fail_reason")),
                distributions=dict(frozen.distributions),
            )
        )

    directions = [direction.name.lower() for direction in study.directions]
    logger.info("Loaded %d trials of study %r from %s", len(trials), study_name, url)
    data = SweepData(
        trials=sorted(trials, key=lambda trial: trial.number),
        directions=directions,
        source=f"Optuna study `{study_name}` in `{url}`",
        study_name=study_name,
        storage_url=url,
        sweep_dir=sweep_dir,
        notes=notes,
    )
    read_sweep_config(data)
    return data


def resolve_job_dir(raw: str, sweep_dir: Path | None) -> Path:
    """Resolve a recorded job directory, relative paths against the sweep directory.

    When the recorded directory is gone but the sweep directory has a folder of the
    same name, that folder is returned, so a sweep directory that was moved or copied
    after the run still finds its jobs.
    """
    candidate = Path(raw).expanduser()
    if not candidate.is_absolute() and sweep_dir is not None:
        candidate = sweep_dir / candidate
    if not candidate.is_dir() and sweep_dir is not None:
        moved = sweep_dir / candidate.name
        if moved.is_dir():
            logger.debug("Job directory %s not found, using %s", candidate, moved)
            return moved
    return candidate


def read_metrics(job_dir: Path) -> tuple[dict[str, Any], str | None]:
    """Read ``metrics.json`` of a job directory.

    Returns:
        The metrics (empty when the file is missing or unreadable) and a note for the
        report when the file exists but cannot be used.
    """
    file = job_dir / METRICS_FILE_NAME
    if not file.is_file():
        return {}, None
    try:
        metrics = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        return {}, f"Ignored {file}: it is not valid JSON ({error})."
    if not isinstance(metrics, dict):
        return {}, f"Ignored {file}: expected a JSON object, found {type(metrics).__name__}."
    return metrics, None


def find_job_dirs(sweep_dir: Path) -> list[Path]:
    """List the Hydra job directories (those with ``.hydra/overrides.yaml``) under a sweep directory."""
    job_dirs = []
    for current, dir_names, _ in os.walk(sweep_dir):
        current_path = Path(current)
        if (current_path / OVERRIDES_FILE).is_file():
            job_dirs.append(current_path)
            dir_names.clear()
            continue
        depth = len(current_path.relative_to(sweep_dir).parts)
        if depth >= MAX_JOB_DIR_DEPTH:
            dir_names.clear()
            continue
        dir_names[:] = sorted(
            name
            for name in dir_names
            if not name.startswith(".") and name not in SKIPPED_DIR_NAMES
        )
    return job_dirs


def load_job_dir_trials(sweep_dir: Path, searched: list[str]) -> SweepData:
    """Rebuild trials from job directories when there is no Optuna study.

    Each job becomes a trial whose params are its overrides and whose state comes
    from the ``status`` field of its metrics.json.

    Raises:
        ReportError: when no job directory is found.
    """
    job_dirs = find_job_dirs(sweep_dir)
    if not job_dirs:
        looked_for = searched + [
            f"job directories with {OVERRIDES_FILE} up to {MAX_JOB_DIR_DEPTH} levels "
            f"below {sweep_dir}"
        ]
        raise ReportError(
            f"No Optuna study and no trials found in {sweep_dir}. Looked for: "
            f"{'; '.join(looked_for)}. Pass the sweep directory of a "
            "`python -m cvae.train --multirun` run, or --storage URL."
        )

    numbers = _job_numbers(job_dirs)
    notes: list[str] = []
    trials = []
    for number, job_dir in zip(numbers, job_dirs):
        params = read_overrides(job_dir / OVERRIDES_FILE)
        metrics, note = read_metrics(job_dir)
        if note:
            notes.append(note)
        state, fail_reason = _job_state(job_dir, metrics, notes)
        trials.append(
            TrialRecord(
                number=number,
                state=state,
                params=params,
                metrics=metrics,
                job_dir=job_dir,
                fail_reason=fail_reason,
            )
        )

    logger.info("Loaded %d job directories from %s (no Optuna study)", len(trials), sweep_dir)
    data = SweepData(
        trials=sorted(trials, key=lambda trial: trial.number),
        directions=[],
        source=f"{len(trials)} Hydra job directories under `{sweep_dir}` (no Optuna study)",
        sweep_dir=sweep_dir,
        notes=notes,
    )
    read_sweep_config(data)
    return data


def read_sweep_config(data: SweepData) -> None:
    """Fill in ``optimized_metric`` and ``hydra.sweeper.direction`` from the sweep's config.

    Each is read from ``multirun.yaml`` in the sweep directory when the sweeper wrote
    one, else from the first job's ``.hydra/config.yaml`` (optimized_metric) or
    ``.hydra/hydra.yaml`` (hydra.sweeper.direction). Missing keys or files leave the
    fields empty, because the report works without them.
    """
    multirun = [data.sweep_dir / MULTIRUN_CONFIG_FILE] if data.sweep_dir is not None else []
    job_dirs = [trial.job_dir for trial in data.trials if trial.job_dir is not None]

    for file, config in _config_files(multirun, job_dirs, JOB_CONFIG_FILE, data.notes):
        names = _text_list(config.get("optimized_metric"))
        if names:
            data.metric_names, data.metric_names_file = names, file
            break

    for file, config in _config_files(multirun, job_dirs, JOB_HYDRA_FILE, data.notes):
        hydra_section = config.get("hydra")
        if not isinstance(hydra_section, dict):
            continue
        sweeper = hydra_section.get("sweeper")
        if not isinstance(sweeper, dict):
            continue
        directions = _text_list(sweeper.get("direction")) or []
        lowered = [direction.lower() for direction in directions]
        if lowered and all(direction in DIRECTION_NAMES for direction in lowered):
            data.config_directions, data.config_directions_file = lowered, file
            break


def _config_files(
    multirun: list[Path], job_dirs: list[Path], job_file: Path, notes: list[str]
) -> Iterator[tuple[Path, dict]]:
    # Read only the first job's file, because jobs of one sweep share these keys and
    # parsing every job's YAML would be slow for large sweeps.
    first_job_file = next(
        (job_dir / job_file for job_dir in job_dirs if (job_dir / job_file).is_file()), None
    )
    candidates = multirun + ([first_job_file] if first_job_file is not None else [])
    for file in candidates:
        if not file.is_file():
            continue
        try:
            config = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            notes.append(f"Ignored {file}: it is not valid YAML ({error}).")
            continue
        if isinstance(config, dict):
            yield file, config


def _text_list(value: Any) -> list[str] | None:
    # optimized_metric and hydra.sweeper.direction are one string or a list of strings.
    if isinstance(value, str) and "${" not in value:
        return [value]
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return list(value)
    return None


def _job_numbers(job_dirs: list[Path]) -> list[int]:
    # Hydra names job directories by job number. Custom subdirs or several sweeps under
    # one PATH give names that are not unique integers, so number those by listing order.
    names = [job_dir.name for job_dir in job_dirs]
    if all(name.isdigit() for name in names) and len(set(names)) == len(names):
        return [int(name) for name in names]
    return list(range(len(job_dirs)))


def _job_state(
    job_dir: Path, metrics: dict[str, Any], notes: list[str]
) -> tuple[str, str | None]:
    if not (job_dir / METRICS_FILE_NAME).is_file():
        return "FAIL", f"{METRICS_FILE_NAME} is missing: the job crashed or is still running"
    status = metrics.get("status")
    fail_reason = _optional_text(metrics.get("fail_reason"))
    if status is None:
        return "COMPLETE", fail_reason
    state = STATUS_TO_STATE.get(str(status).lower())
    if state is None:
        state = str(status).upper()
        notes.append(
            f"{job_dir / METRICS_FILE_NAME} has status {status!r}, which is none of "
            f"{sorted(STATUS_TO_STATE)}; the report counts it as state {state}."
        )
    return state, fail_reason


def read_overrides(file: Path) -> dict[str, Any]:
    """Parse a Hydra ``overrides.yaml`` into ``{key: typed value}``.

    Keys are the override keys without the ``+``/``++`` prefix (``model@pkg`` keeps
    its package). Deletions (``~key``) and the sweeper's per-trial bookkeeping keys
    under ``optuna_trial.`` (storage, trial id, number) are skipped, because they are
    no parameters. Lists and dicts become JSON text so that they can be compared and
    grouped.

    Raises:
        ReportError: when the file is not a YAML list of valid Hydra overrides.
    """
    try:
        lines = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ReportError(f"Could not read the Hydra overrides {file}: {error}") from error
    if lines is None:
        return {}
    if not isinstance(lines, list):
        raise ReportError(
            f"{file} should be a YAML list of override strings, found {type(lines).__name__}."
        )

    try:
        overrides = OverridesParser.create().parse_overrides([str(line) for line in lines])
    except HydraException as error:
        raise ReportError(f"Invalid Hydra override in {file}: {error}") from error

    params: dict[str, Any] = {}
    for override in overrides:
        if override.is_delete():
            continue
        key = override.key_or_group
        if key == TRIAL_INFO_KEY or key.startswith(f"{TRIAL_INFO_KEY}."):
            continue
        if override.package is not None:
            key = f"{key}@{override.package}"
        value = override.value()
        if isinstance(value, (list, dict)):
            value = json.dumps(value, sort_keys=True)
        elif not isinstance(value, (str, int, float, bool, type(None))):
            # Sweep syntax such as choice(...) does not belong in a job's overrides,
            # but keep it readable instead of failing.
            value = str(value)
        params[key] = value
    return params


def _optional_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)
