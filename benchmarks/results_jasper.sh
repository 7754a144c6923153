#!/usr/bin/env bash
# Reproduce the Jasper Ridge result in docs/results.md: a CPU-sized Conformer CVAE on a seeded
# 1,500-pixel subset of the scene, conditioned on the tree/water/dirt/road abundances.
# Run from the repository root with the shared data at ../shared/data.
set -euo pipefail
out=${1:-outputs/results_jasper}
python -m cvae.train model=conformer_small data=jasper_ridge data.max_samples=1500 \
  trainer.max_epochs=12 trainer.lr=1e-3 trainer.early_stopping_patience=5 trainer.progress_bar=false \
  "trainer.num_threads=${CVAE_THREADS:-2}" logger.run_name=jasper-conformer hydra.run.dir="$out/conformer"
