"""Offline sweep and ablation reports built from an Optuna study or Hydra job directories.

`cvae.report` is the command-line entry point. The modules here load trials
(`sources`), choose objectives and aggregate settings (`summary`), rank parameters
(`importance`), draw PNG plots (`plots`) and write Markdown and CSV (`writers`).
"""

from cvae.reporting.errors import ReportError
from cvae.reporting.records import Objective, SweepData, TrialRecord

__all__ = ["Objective", "ReportError", "SweepData", "TrialRecord"]
