#!/usr/bin/env bash
# Reproduce the generation-metric table in docs/results.md: four models trained on the field
# spectra with a split by campaign (the sample-name prefix), then each best checkpoint
# evaluated on the held-out campaigns of the test split.
# Run from the repository root with the shared data at ../shared/data.
set -euo pipefail
out=${1:-outputs/results_generation}
threads=${CVAE_THREADS:-2}
common=(
  data=field_spectra data.group_by_name_prefix=true data.batch_size=32
  trainer.max_epochs=30 trainer.lr=1e-3 trainer.early_stopping_patience=8
  trainer.progress_bar=false "trainer.num_threads=$threads" logger=none
)
small=(model.d_model=32 model.n_heads=4 model.n_layers=2 model.latent_dim=8)

python -m cvae.train model=conformer "${small[@]}" model.conv_kernel_size=9 "${common[@]}" \
  hydra.run.dir="$out/conformer"
python -m cvae.train model=transformer "${small[@]}" "${common[@]}" hydra.run.dir="$out/transformer"
python -m cvae.train model=mlp model.latent_dim=8 "${common[@]}" hydra.run.dir="$out/mlp"
python -m cvae.train model=linear_mixing "${common[@]}" hydra.run.dir="$out/linear_mixing"

for model in conformer transformer mlp linear_mixing; do
  python -m cvae.evaluate ckpt_path="$out/$model/checkpoints/best.pt" split=test \
    fraction_estimator.method=ridge hydra.run.dir="$out/$model/evaluate"
done
python benchmarks/metrics_table.py "$out"/*/evaluate/metrics.json
