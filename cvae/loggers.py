"""Experiment trackers: Weights & Biases (offline by default) and a no-op tracker.

Both offer `log(metrics, step)`, `log_image(key, path)`, `update_summary(values)`,
`mark_pruned()` and `finish(exit_code)`.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

WANDB_MODES = ("offline", "online", "disabled")


class NullTracker:
    """Tracker for `logger=none`: records nothing."""

    run_dir = None

    def log(self, metrics: dict[str, Any], step: int | None = None) -> None:
        pass

    def log_image(self, key: str, path: Path) -> None:
        pass

    def update_summary(self, values: dict[str, Any]) -> None:
        pass

    def mark_pruned(self) -> None:
        pass

    def finish(self, exit_code: int = 0) -> None:
        pass


class WandbTracker:
    """One W&B run per job, stored under the job's Hydra output directory.

    The mode goes into `WANDB_MODE` before `wandb.init`, because in wandb 0.31 passing
    `mode="offline"` alone still opens an analytics connection. W&B's cache and config
    folders also move under the output directory so that nothing lands in the home folder.
    """

    def __init__(
        self,
        output_dir: Path,
        config: dict[str, Any],
        project: str,
        mode: str = "offline",
        name: str | None = None,
        group: str | None = None,
        job_type: str | None = None,
        tags: list[str] | None = None,
        entity: str | None = None,
    ) -> None:
        if mode not in WANDB_MODES:
            raise ValueError(f"logger.mode={mode!r} is invalid; use one of {WANDB_MODES}.")
        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        os.environ["WANDB_MODE"] = mode
        os.environ["WANDB_DIR"] = str(output_dir)
        os.environ.setdefault("WANDB_CACHE_DIR", str(output_dir / ".wandb_cache"))
        os.environ.setdefault("WANDB_CONFIG_DIR", str(output_dir / ".wandb_config"))
        os.environ.setdefault("WANDB_DATA_DIR", str(output_dir / ".wandb_data"))
        os.environ.setdefault("WANDB_SILENT", "true")

        import wandb

        self._wandb = wandb
        self.run = wandb.init(
            project=project,
            entity=entity,
            dir=str(output_dir),
            name=name,
            group=group,
            job_type=job_type,
            tags=list(tags or []),
            config=config,
            mode=mode,
            reinit="finish_previous",
        )
        self.run_dir = Path(self.run.dir).parent if mode != "disabled" else None
        log.info("W&B run %s (%s mode) in %s", self.run.id, mode, self.run_dir)

    def log(self, metrics: dict[str, Any], step: int | None = None) -> None:
        self.run.log(metrics, step=step)

    def log_image(self, key: str, path: Path) -> None:
        self.run.log({key: self._wandb.Image(str(path))})

    def update_summary(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            self.run.summary[key] = value

    def mark_pruned(self) -> None:
        """Tag the run and set `summary.pruned` so pruned trials are easy to filter out."""
        self.run.tags = tuple(self.run.tags or ()) + ("pruned",)
        self.run.summary["pruned"] = True

    def finish(self, exit_code: int = 0) -> None:
        self.run.finish(exit_code=exit_code)


def build_tracker(logger_cfg, output_dir: Path, config: dict[str, Any]):
    """Return the tracker that `logger_cfg.name` selects ("wandb" or "none")."""
    if logger_cfg is None or logger_cfg.get("name", "none") == "none":
        return NullTracker()
    if logger_cfg.name != "wandb":
        raise ValueError(f"logger.name={logger_cfg.name!r} is unknown; use logger=wandb or logger=none.")
    return WandbTracker(
        output_dir=output_dir,
        config=config,
        project=logger_cfg.project,
        mode=logger_cfg.mode,
        name=logger_cfg.get("run_name"),
        group=logger_cfg.get("group"),
        job_type=logger_cfg.get("job_type"),
        tags=list(logger_cfg.get("tags") or []),
        entity=logger_cfg.get("entity"),
    )
