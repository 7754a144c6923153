"""Hydra task that replaces `cvae.train` in the sweeper tests.

It reports one value per epoch through TrialReporter and writes `record.json` into its
job directory after every epoch (trial number, sampled params, logger and thread
overrides, epochs done, pid), so tests can check what each job saw.
"""

import json
import math
import os
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from cvae.sweep.reporting import TrialReporter


def write_record(output_dir: Path, record: dict) -> None:
    (output_dir / "record.json").write_text(json.dumps(record, indent=2, sort_keys=True))


@hydra.main(config_path="conf", config_name="config", version_base="1.3")
def main(cfg: DictConfig):
    output_dir = Path(HydraConfig.get().runtime.output_dir)
    reporter = TrialReporter.from_config(cfg)
    record = {
        "active": reporter.active,
        "number": reporter.number,
        "params": reporter.params,
        "num_threads": cfg.trainer.num_threads,
        "logger": OmegaConf.to_container(cfg.logger),
        "pid": os.getpid(),
        "epochs_done": 0,
    }
    write_record(output_dir, record)
    if cfg.mode == "raise":
        raise RuntimeError(f"test app raised on purpose for x={cfg.x}")

    objective = (cfg.x - 1.0) ** 2 + cfg.y
    penalty = cfg.number_penalty * (reporter.number or 0)
    for epoch in range(1, cfg.epochs + 1):
        reporter.report(objective + penalty + 1.0 / epoch, epoch)
        record["epochs_done"] = epoch
        write_record(output_dir, record)
        time.sleep(cfg.sleep_s)
    reporter.set_user_attr("epochs_done", cfg.epochs)

    if cfg.mode == "return_nan":
        return math.nan
    if cfg.mode == "return_inf":
        return math.inf
    if isinstance(cfg.optimized_metric, str):
        return objective
    return [objective, abs(cfg.x)]


if __name__ == "__main__":
    main()
