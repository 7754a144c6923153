"""Print a Markdown table of generation metrics from `cvae.evaluate` metrics.json files.

    python benchmarks/metrics_table.py outputs/results_generation/*/evaluate/metrics.json

The model name is the folder two levels above each file.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COLUMNS = [
    ("mean_spectrum_rmse", "mean-spectrum RMSE"),
    ("sam_mean_rad", "SAM (rad)"),
    ("fraction_mae", "fraction MAE"),
    ("energy_distance", "energy distance"),
    ("mmd2_rbf", "MMD²"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("recon_rmse", "recon RMSE (memory)"),
    ("latent_rmse", "recon RMSE (latent)"),
]


def main(paths: list[str]) -> None:
    print("| model | " + " | ".join(title for _, title in COLUMNS) + " |")
    print("|---|" + "---|" * len(COLUMNS))
    for path in paths:
        metrics = json.loads(Path(path).read_text())["metrics"]
        model = Path(path).parent.parent.name
        cells = []
        for key, _ in COLUMNS:
            value = metrics.get(key)
            cells.append("n/a" if value is None else f"{value:.4g}")
        print(f"| {model} | " + " | ".join(cells) + " |")
    first = json.loads(Path(paths[0]).read_text())["metrics"]
    if first.get("fraction_mae_real") is not None:
        print(
            f"\nFraction estimator on the real test spectra (the floor): "
            f"MAE {first['fraction_mae_real']:.4g}."
        )


if __name__ == "__main__":
    main(sys.argv[1:])
