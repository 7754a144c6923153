"""Background heartbeats for the trials that this sweep process has started."""

import logging
import threading
from typing import Iterable, Set

from optuna.storages import RDBStorage

log = logging.getLogger(__name__)


class TrialHeartbeat:
    """Record a heartbeat every `interval_s` seconds for each registered trial.

    The heartbeat tracks the sweep process, not the job: while it lives it waits for its
    jobs (in-process, in joblib workers or on a cluster), so its trials are not stale.
    Another sweep process on the same study marks a trial FAIL when its heartbeat is
    older than the storage's grace period.
    """

    def __init__(self, storage: RDBStorage, interval_s: int) -> None:
        self._storage = storage
        self._interval_s = interval_s
        self._trial_ids: Set[int] = set()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._n_errors = 0
        self._thread = threading.Thread(
            target=self._run, name="optuna-trial-heartbeat", daemon=True
        )
        self._thread.start()

    def add(self, trial_ids: Iterable[int]) -> None:
        """Register trials and record their first heartbeat now.

        Optuna never treats a trial without any heartbeat row as stale, so the first one
        is written before the caller releases the study lock.
        """
        trial_ids = list(trial_ids)
        for trial_id in trial_ids:
            self._storage.record_heartbeat(trial_id)
        with self._lock:
            self._trial_ids.update(trial_ids)

    def remove(self, trial_ids: Iterable[int]) -> None:
        with self._lock:
            self._trial_ids.difference_update(trial_ids)

    def close(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=self._interval_s + 5)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval_s):
            with self._lock:
                trial_ids = sorted(self._trial_ids)
            for trial_id in trial_ids:
                try:
                    self._storage.record_heartbeat(trial_id)
                except Exception:
                    # Keep beating for the other trials. Only the first 3 errors and then
                    # every 100th are logged, so a lost database does not flood the log.
                    self._n_errors += 1
                    if self._n_errors <= 3 or self._n_errors % 100 == 0:
                        log.warning(
                            "Failed to record the heartbeat of trial id %d (error %d so far).",
                            trial_id,
                            self._n_errors,
                            exc_info=True,
                        )
