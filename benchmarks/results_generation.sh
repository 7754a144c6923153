#!/usr/bin/env bash
# Reproduce the field-spectra results in docs/results.md: four models trained on the field
# spectra with a split by campaign (the sample-name prefix), then each best checkpoint
# evaluated on the held-out campaigns of the test split.
# Run from the repository root with the shared data at ../shared/data.
set -euo pipefail
out=${1:-outputs/results_generation}
threads=${CVAE_THREADS:-2}
common=(
  data=field_spectra data.group_by_name_prefix=true data.batch_size=32
  trainer.max_epochs=20 trainer.lr=1e-3 trainer.early_stopping_patience=6
  trainer.progress_bar=false "trainer.num_threads=$threads" logger=none
)

# The *_small models have about 180k parameters each (conf/model/).
python -m cvae.train model=conformer_small "${common[@]}" hydra.run.dir="$out/conformer"
python -m cvae.train model=transformer_small "${common[@]}" hydra.run.dir="$out/transformer"
python -m cvae.train model=mlp_small "${common[@]}" hydra.run.dir="$out/mlp"
python -m cvae.train model=linear_mixing "${common[@]}" hydra.run.dir="$out/linear_mixing"

for model in conformer transformer mlp linear_mixing; do
  python -m cvae.evaluate ckpt_path="$out/$model/checkpoints/best.pt" split=test \
    fraction_estimator.method=ridge hydra.run.dir="$out/$model/evaluate"
done
python benchmarks/metrics_table.py "$out"/*/evaluate/metrics.json
