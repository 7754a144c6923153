"""Turn a Hydra JobReturn into the Optuna trial state, values and failure reason."""

import math
from dataclasses import dataclass
from typing import List, Optional

import optuna
from hydra.core.utils import JobReturn, JobStatus
from optuna.trial import TrialState

# Longest `fail_reason` stored on a trial; the full traceback goes to the sweep log.
MAX_REASON_CHARS = 2000


@dataclass
class TrialOutcome:
    state: TrialState
    values: Optional[List[float]] = None
    reason: Optional[str] = None
    # The exception that the job raised, for the log's traceback.
    error: Optional[BaseException] = None


def describe_error(error: BaseException) -> str:
    """Return "TypeName: message", or only the type name when the message is empty."""
    message = str(error)
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


def shorten(reason: str) -> str:
    if len(reason) <= MAX_REASON_CHARS:
        return reason
    return reason[: MAX_REASON_CHARS - 15] + " ... [truncated]"


def classify_job_return(job_return: JobReturn, n_objectives: int) -> TrialOutcome:
    """Map a finished job to COMPLETE (finite values), PRUNED or FAIL (with a reason)."""
    if job_return.status != JobStatus.COMPLETED:
        # JobReturn.return_value re-raises the job's exception and writes to stderr, so the
        # stored exception is read directly (a dataclass field in hydra-core 1.3.8).
        error = job_return._return_value
        if isinstance(error, optuna.TrialPruned):
            return TrialOutcome(TrialState.PRUNED, reason=str(error) or None)
        if isinstance(error, BaseException):
            reason = f"the job raised {describe_error(error)}"
            return TrialOutcome(TrialState.FAIL, reason=shorten(reason), error=error)
        return TrialOutcome(
            TrialState.FAIL, reason=f"the job ended with status {job_return.status.name}"
        )

    returned = job_return.return_value
    raw_values = [returned] if n_objectives == 1 else returned
    try:
        values = [float(value) for value in raw_values]
    except (TypeError, ValueError):
        expected = "a float" if n_objectives == 1 else f"a list of {n_objectives} floats"
        reason = f"the job returned {returned!r}, expected {expected}"
        return TrialOutcome(TrialState.FAIL, reason=shorten(reason))
    if len(values) != n_objectives:
        reason = (
            f"the job returned {len(values)} values {values}, but the study has "
            f"{n_objectives} objectives (hydra.sweeper.direction)"
        )
        return TrialOutcome(TrialState.FAIL, reason=reason)
    not_finite = [value for value in values if not math.isfinite(value)]
    if not_finite:
        reason = f"the objective is not finite: returned {values}"
        return TrialOutcome(TrialState.FAIL, reason=reason)
    return TrialOutcome(TrialState.COMPLETE, values=values)
