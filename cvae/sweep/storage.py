"""Optuna RDB storage access shared by the sweeper and the trial reporter.

Both sides of a sweep need three things from here. The first is one storage object per URL
and process, so that jobs run inside the sweep process do not open a connection pool per
trial. The second is the URL without its password, for logs. The third is a lock that
serialises "count the finished trials, then ask for new ones" across sweep processes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from optuna.storages import RDBStorage
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# Seconds an sqlite connection waits for another process's write lock before it fails
# with "database is locked". The Python sqlite3 default of 5 s is too short when several
# jobs and sweep processes write to one file.
SQLITE_TIMEOUT_S = 60

# Seconds a MySQL sweep process waits for the study lock before it fails.
MYSQL_LOCK_TIMEOUT_S = 600

_storages: dict[tuple[int, str, int | None, int | None], RDBStorage] = {}
_storages_lock = threading.Lock()
_warned_unlocked_backends: set[str] = set()


def backend_name(url: str) -> str:
    """Return the SQLAlchemy backend of a storage URL, e.g. "sqlite" or "postgresql"."""
    try:
        return make_url(url).get_backend_name()
    except ArgumentError as error:
        raise ValueError(
            f"Optuna storage URL {redact_url(url)!r} is invalid: {error}. Use an SQLAlchemy "
            "URL such as sqlite:////abs/path/optuna.db or postgresql://user@host/db."
        ) from error


def redact_url(url: str) -> str:
    """Return the URL with its password replaced by ***, for logs and error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparsable storage URL>"


def url_has_password(url: str) -> bool:
    try:
        return make_url(url).password is not None
    except ArgumentError:
        return False


def get_rdb_storage(
    url: str,
    heartbeat_interval: int | None = None,
    grace_period: int | None = None,
) -> RDBStorage:
    """Return this process's RDBStorage for `url`, creating it on first use.

    The cache key includes the process id so that a forked child never reuses its parent's
    connection pool.
    """
    name = backend_name(url)
    if name not in ("sqlite", "postgresql", "mysql"):
        log.warning(
            "Optuna storage backend %r is untested with the cvae_optuna sweeper; "
            "sqlite and postgresql are the supported ones.",
            name,
        )
    key = (os.getpid(), url, heartbeat_interval, grace_period)
    with _storages_lock:
        storage = _storages.get(key)
        if storage is None:
            engine_kwargs = {}
            if name == "sqlite":
                engine_kwargs = {"connect_args": {"timeout": SQLITE_TIMEOUT_S}}
            storage = RDBStorage(
                url,
                engine_kwargs=engine_kwargs,
                heartbeat_interval=heartbeat_interval,
                grace_period=grace_period,
            )
            _storages[key] = storage
        return storage


def _lock_key(study_name: str) -> int:
    """Map a study name to the signed 64-bit key that PostgreSQL advisory locks take."""
    digest = hashlib.sha256(f"cvae_optuna_sweeper:{study_name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def study_lock(url: str, study_name: str) -> Iterator[None]:
    """Hold a lock that every sweep process of `study_name` on `url` shares.

    sqlite files: an flock on `<database file>.lock` next to the database (one machine).
    PostgreSQL: a session advisory lock, released when its connection closes, so a killed
    process never leaves it held. MySQL: GET_LOCK. Other backends: no lock, with a warning,
    so concurrent sweep processes may overshoot n_trials by up to one batch each.
    """
    name = backend_name(url)
    if name == "sqlite":
        database = make_url(url).database
        if not database or database == ":memory:":
            # An in-memory database belongs to one process, so no other process can race.
            yield
            return
        lock_path = Path(database).with_name(Path(database).name + ".lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with open(lock_path, "a+b") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)
        return

    if name in ("postgresql", "mysql"):
        # NOTE: the PostgreSQL and MySQL branches have not run in this repository's tests,
        # which have only sqlite.
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                if name == "postgresql":
                    key = _lock_key(study_name)
                    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                    try:
                        yield
                    finally:
                        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                else:
                    lock_name = f"cvae_optuna:{study_name}"[:64]
                    acquired = connection.execute(
                        text("SELECT GET_LOCK(:name, :timeout)"),
                        {"name": lock_name, "timeout": MYSQL_LOCK_TIMEOUT_S},
                    ).scalar()
                    if acquired != 1:
                        raise TimeoutError(
                            f"Timed out after {MYSQL_LOCK_TIMEOUT_S} s waiting for the MySQL "
                            f"lock {lock_name!r} of study {study_name!r}; another sweep process "
                            "has it. Check for hung sweep processes on this study."
                        )
                    try:
                        yield
                    finally:
                        connection.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": lock_name})
        finally:
            engine.dispose()
        return

    if name not in _warned_unlocked_backends:
        _warned_unlocked_backends.add(name)
        log.warning(
            "No cross-process lock for Optuna storage backend %r: concurrent sweep processes "
            "on study %r may start a few trials more than n_trials.",
            name,
            study_name,
        )
    yield
