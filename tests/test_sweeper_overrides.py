"""Per-job overrides and job-result classification of the cvae_optuna sweeper."""

from __future__ import annotations

import math

import optuna
import pytest
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.utils import JobReturn, JobStatus
from hydra_plugins.cvae_optuna_sweeper._impl import absolute_sqlite_url, quote_override_value
from hydra_plugins.cvae_optuna_sweeper._outcome import classify_job_return
from optuna.trial import TrialState

from cvae.sweep.storage import redact_url

OVERRIDE_VALUES = [
    "plain",
    "sqlite:////tmp/a b/optuna.db",
    "postgresql://cvae@db.example.org:5432/optuna?sslmode=require&x=1,2",
    "it's",
    "back\\slash",
    "ends with backslash\\",
    "quote after backslash\\'",
    "''",
]


@pytest.mark.parametrize("value", OVERRIDE_VALUES)
def test_quote_override_value_round_trips(value):
    override = OverridesParser.create().parse_override(f"++optuna_trial.storage={quote_override_value(value)}")
    assert override.value() == value


def test_absolute_sqlite_url_resolves_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    assert absolute_sqlite_url("sqlite:///studies/optuna.db") == f"sqlite:///{tmp_path}/studies/optuna.db"
    assert absolute_sqlite_url("sqlite:////abs/optuna.db") == "sqlite:////abs/optuna.db"
    assert absolute_sqlite_url("postgresql://cvae:secret@host/db") == "postgresql://cvae:secret@host/db"
    with pytest.raises(ValueError, match="in-memory sqlite database"):
        absolute_sqlite_url("sqlite:///:memory:")
    with pytest.raises(ValueError, match="in-memory sqlite database"):
        absolute_sqlite_url("sqlite://")


def test_redact_url_hides_password():
    assert redact_url("postgresql://cvae:secret@host:5432/db") == "postgresql://cvae:***@host:5432/db"
    assert redact_url("sqlite:////tmp/optuna.db") == "sqlite:////tmp/optuna.db"


def job_return(value=None, error=None) -> JobReturn:
    result = JobReturn(overrides=["x=1"])
    result.status = JobStatus.FAILED if error is not None else JobStatus.COMPLETED
    result.return_value = error if error is not None else value
    return result


@pytest.mark.parametrize(
    ("result", "n_objectives", "state", "values", "reason"),
    [
        (job_return(0.5), 1, TrialState.COMPLETE, [0.5], None),
        (job_return([0.5, 3]), 2, TrialState.COMPLETE, [0.5, 3.0], None),
        (job_return(math.nan), 1, TrialState.FAIL, None, "the objective is not finite: returned [nan]"),
        (job_return([0.5, -math.inf]), 2, TrialState.FAIL, None, "the objective is not finite"),
        (job_return(None), 1, TrialState.FAIL, None, "the job returned None, expected a float"),
        (job_return("low"), 1, TrialState.FAIL, None, "the job returned 'low', expected a float"),
        (job_return([0.5]), 2, TrialState.FAIL, None, "the job returned 1 values [0.5], but the study has 2"),
        (job_return(error=ValueError("bad lr")), 1, TrialState.FAIL, None, "the job raised ValueError: bad lr"),
        (job_return(error=KeyboardInterrupt()), 1, TrialState.FAIL, None, "the job raised KeyboardInterrupt"),
        (job_return(error=optuna.TrialPruned("at step 3")), 1, TrialState.PRUNED, None, "at step 3"),
    ],
)
def test_classify_job_return_cases(result, n_objectives, state, values, reason):
    outcome = classify_job_return(result, n_objectives)

    assert outcome.state == state
    assert outcome.values == values
    if reason is None:
        assert outcome.reason is None
    else:
        assert outcome.reason.startswith(reason)
