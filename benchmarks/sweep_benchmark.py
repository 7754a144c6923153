"""Benchmark one small sweep with and without pruning, with 1 and 2 joblib workers.

    python benchmarks/sweep_benchmark.py [--n-trials 8] [--out outputs/sweep_benchmark]

Every variant runs the same seeded TPE search over a tiny Conformer CVAE on the embedded
library mixtures, so the variants differ only in pruning and parallelism. The script prints
a Markdown table of wall time, best objective and trial states (the figures in
docs/benchmarks.md come from it).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import optuna

SEARCH = [
    "hparams_search=conformer_optuna",
    # Command-line sweeps replace the search space's entries; fixed values leave it.
    "model.d_model=choice(16,32)",
    "model.n_heads=choice(2,4)",
    "model.n_layers=1",
    "model.latent_dim=8",
    "model.ffn_expansion=2",
    "data.n_samples=600",
    "data.batch_size=32",
    "trainer.max_epochs=8",
    "trainer.warmup_epochs=0",
    "trainer.progress_bar=false",
    "logger=none",
    "hydra.sweeper.sampler.seed=7",
    "hydra.sweeper.sampler.n_startup_trials=3",
]

# The search space configures the median pruner, so "no pruning" keeps it but never lets it
# start: n_startup_trials above the number of trials.
NO_PRUNING = "hydra.sweeper.pruner.n_startup_trials=1000"

VARIANTS = {
    "no pruning, 1 worker": [NO_PRUNING],
    "median pruning, 1 worker": [
        "hydra.sweeper.pruner.n_startup_trials=2",
        "hydra.sweeper.pruner.n_warmup_steps=2",
    ],
    "no pruning, 2 joblib workers": [
        NO_PRUNING,
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        "hydra.sweeper.n_jobs=2",
    ],
    "median pruning, 2 joblib workers": [
        "hydra.sweeper.pruner.n_startup_trials=2",
        "hydra.sweeper.pruner.n_warmup_steps=2",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
        "hydra.sweeper.n_jobs=2",
    ],
}


def run_variant(name: str, overrides: list[str], sweep_dir: Path, n_trials: int) -> dict:
    command = [
        sys.executable,
        "-m",
        "cvae.train",
        "--multirun",
        *SEARCH,
        *overrides,
        f"hydra.sweeper.n_trials={n_trials}",
        f"hydra.sweep.dir={sweep_dir}",
    ]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True)
    wall_seconds = time.perf_counter() - started

    study = optuna.load_study(study_name="conformer_cvae", storage=f"sqlite:///{sweep_dir / 'optuna.db'}")
    states = [trial.state.name for trial in study.trials]
    complete = [trial.value for trial in study.trials if trial.state.name == "COMPLETE"]
    return {
        "variant": name,
        "wall_s": wall_seconds,
        "best": min(complete) if complete else float("nan"),
        "complete": states.count("COMPLETE"),
        "pruned": states.count("PRUNED"),
        "fail": states.count("FAIL"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-trials", type=int, default=8, help="trials per sweep")
    parser.add_argument("--out", type=Path, default=Path("outputs/sweep_benchmark"), help="sweep folders")
    args = parser.parse_args()

    rows = []
    for index, (name, overrides) in enumerate(VARIANTS.items()):
        rows.append(run_variant(name, overrides, args.out.resolve() / f"variant{index}", args.n_trials))
        print(f"done: {rows[-1]}", file=sys.stderr)

    print("| variant | wall time (s) | best val/mean_spectrum_rmse | COMPLETE | PRUNED | FAIL |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['variant']} | {row['wall_s']:.0f} | {row['best']:.4f} | "
            f"{row['complete']} | {row['pruned']} | {row['fail']} |"
        )


if __name__ == "__main__":
    main()
