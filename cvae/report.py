"""Offline report of a sweep or ablation: ``python -m cvae.report PATH``.

Reads an Optuna study (``optuna.db`` in the multirun directory, or ``--storage``)
or, without a study, the Hydra job directories (``.hydra/overrides.yaml`` and
``metrics.json``). Objective names and, without a study, directions come from
``optimized_metric`` and ``hydra.sweeper.direction`` in the sweep's ``multirun.yaml``
or the first job's ``.hydra/config.yaml`` and ``.hydra/hydra.yaml``.
It writes into ``--out`` (default ``<PATH>/report/``):

- ``report.md``: a settings table (per setting the number of trials, mean ± std of
  the objective over seeds, best trial and state counts), parameter importances, the
  best trial's params and the failed trials. Multi-objective studies list the
  Pareto-optimal trials instead of one best trial.
- ``report.csv``: the settings table, one row per setting and objective.
- ``trials.csv``: one row per trial with params, values and the running best.
- PNG plots: optimization history, objective against each varied parameter, and
  Pareto scatter plots for multi-objective studies.

It needs no network and no W&B server. Example::

    python -m cvae.report multirun/train/2026-12-04_20-30-00 --metric test/latent_rmse
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cvae.reporting.errors import ReportError
from cvae.reporting.importance import compute_importances
from cvae.reporting.plots import write_plots
from cvae.reporting.sources import is_storage_url, load_sweep, sqlite_file
from cvae.reporting.summary import (
    DIRECTIONS,
    choose_group_keys,
    resolve_objectives,
    summarize_settings,
    varied_params,
)
from cvae.reporting.writers import (
    ReportContent,
    write_markdown,
    write_settings_csv,
    write_trials_csv,
)

logger = logging.getLogger(__name__)

REPORT_DIR_NAME = "report"
# Exit status for invalid input, as argparse uses for usage errors.
EXIT_INVALID_INPUT = 2


@dataclass
class ReportFiles:
    """The files one report run wrote."""

    out_dir: Path
    markdown: Path
    settings_csv: Path
    trials_csv: Path
    plots: list[Path]


def build_report(
    path: str | os.PathLike,
    *,
    study_name: str | None = None,
    storage: str | None = None,
    out: str | os.PathLike | None = None,
    metric: str | None = None,
    group_by: list[str] | None = None,
    direction: str | None = None,
) -> ReportFiles:
    """Build the report of one sweep and write its files.

    Args:
        path: a multirun sweep directory, an ``optuna.db`` file or a storage URL.
        study_name: the study to report; needed when the storage contains several.
        storage: an Optuna storage URL that replaces the ``optuna.db`` lookup.
        out: the output directory; default ``<path>/report`` (for a storage URL, the
            ``report`` folder next to its sqlite file).
        metric: a metrics.json key to report instead of the study's objective values.
        group_by: the parameters that define a setting; default every parameter that
            varies except ``seed``. An empty list puts all trials in one setting.
        direction: "minimize" or "maximize"; default the study's direction.

    Raises:
        ReportError: for a missing path, storage, study, trial, metric or parameter.
    """
    data = load_sweep(path, storage=storage, study_name=study_name)
    objectives, notes = resolve_objectives(data, metric=metric, direction=direction)
    group_keys, group_reason = choose_group_keys(data.trials, group_by)
    out_dir = Path(out) if out is not None else default_out_dir(path)
    out_dir.mkdir(parents=True, exist_ok=True)

    settings = {
        objective.name: summarize_settings(data.trials, group_keys, objective)
        for objective in objectives
    }
    importances = [compute_importances(data.trials, objective) for objective in objectives]
    plots, plot_notes = write_plots(data.trials, objectives, varied_params(data.trials), out_dir)

    all_notes = data.notes + notes + plot_notes
    for note in all_notes:
        logger.warning(note)
    content = ReportContent(
        data=data,
        objectives=objectives,
        group_keys=group_keys,
        group_reason=group_reason,
        settings=settings,
        importances=importances,
        plots=plots,
        notes=all_notes,
    )

    files = ReportFiles(
        out_dir=out_dir,
        markdown=out_dir / "report.md",
        settings_csv=out_dir / "report.csv",
        trials_csv=out_dir / "trials.csv",
        plots=plots,
    )
    write_settings_csv(content, files.settings_csv)
    write_trials_csv(content, files.trials_csv)
    write_markdown(content, files.markdown)
    logger.info(
        "Wrote %s, %s, %s and %d plots",
        files.markdown,
        files.settings_csv,
        files.trials_csv,
        len(plots),
    )
    return files


def default_out_dir(path: str | os.PathLike) -> Path:
    """Return ``<path>/report``, with the sqlite file's folder standing in for a URL or file.

    Raises:
        ReportError: for a storage URL that names no local file.
    """
    text = str(path)
    if is_storage_url(text):
        database = sqlite_file(text)
        if database is None:
            raise ReportError(
                f"PATH {text} is not an sqlite file URL, so there is no default output "
                "directory; pass --out DIR."
            )
        return database.resolve().parent / REPORT_DIR_NAME
    location = Path(text).expanduser()
    if location.is_file():
        return location.resolve().parent / REPORT_DIR_NAME
    return location / REPORT_DIR_NAME


def parse_group_by(text: str) -> list[str]:
    """Split a comma-separated ``--group-by`` value into keys; an empty value gives no keys."""
    return [key.strip() for key in text.split(",") if key.strip()]


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser of ``python -m cvae.report``."""
    parser = argparse.ArgumentParser(
        prog="python -m cvae.report",
        description=(
            "Write an offline Markdown/CSV/PNG report of a sweep: per setting the mean ± std "
            "of the objective over seeds, parameter importances and the best trial."
        ),
    )
    parser.add_argument(
        "path",
        metavar="PATH",
        help=(
            "multirun sweep directory (with optuna.db, or job directories with "
            ".hydra/overrides.yaml and metrics.json), an optuna.db file, or an Optuna "
            "storage URL such as sqlite:///multirun/train/2026-12-04_20-30-00/optuna.db"
        ),
    )
    parser.add_argument(
        "--study-name",
        metavar="NAME",
        help="study to report; required when the storage contains several",
    )
    parser.add_argument(
        "--storage",
        metavar="URL",
        help="Optuna storage URL or sqlite file to use instead of PATH/optuna.db",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="output directory (default: PATH/report)"
    )
    parser.add_argument(
        "--metric",
        metavar="NAME",
        help=(
            "metrics.json key to report, e.g. test/latent_rmse (default: the study's "
            "objective values; without a study, optimized_metric from the sweep's config)"
        ),
    )
    parser.add_argument(
        "--group-by",
        metavar="KEYS",
        type=parse_group_by,
        help=(
            "comma-separated params that define a setting, e.g. model,model.use_relative_pos "
            "(default: every param that varies except seed; '' puts all trials in one setting)"
        ),
    )
    parser.add_argument(
        "--direction",
        choices=DIRECTIONS,
        help=(
            "whether lower or higher values are better (default: the study's direction, "
            "else hydra.sweeper.direction from the sweep's config, else minimize)"
        ),
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return 0 on success and 2 for invalid input."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        files = build_report(
            args.path,
            study_name=args.study_name,
            storage=args.storage,
            out=args.out,
            metric=args.metric,
            group_by=args.group_by,
            direction=args.direction,
        )
    except ReportError as error:
        logger.error("%s", error)
        return EXIT_INVALID_INPUT
    logger.info("Report: %s", files.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
