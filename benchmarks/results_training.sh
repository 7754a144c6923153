#!/usr/bin/env bash
# Reproduce the training results in docs/results.md (CPU-sized models, 2 cores).
# Run from the repository root with the shared data at ../shared/data.
set -euo pipefail
out=${1:-outputs/results}
field_data=(
  data=csv
  data.path=../shared/data/field_spectra_gv_npv_soil.csv
  "data.condition_columns=[gv_fraction,npv_fraction,soil_fraction]"
  data.name_column=Spectra
  "data.exclude_bands=[[1350,1460],[1790,1960],[2400,2490]]"
  data.batch_size=32
)
small=(model.d_model=32 model.n_heads=4 model.n_layers=2 model.latent_dim=8 model.dropout=0.1)
training=(trainer.max_epochs=30 trainer.lr=1e-3 trainer.early_stopping_patience=8 trainer.progress_bar=false "trainer.num_threads=${CVAE_THREADS:-2}")

python -m cvae.train model=conformer model.conv_kernel_size=9 "${small[@]}" "${field_data[@]}" \
  "${training[@]}" logger.run_name=field-conformer hydra.run.dir="$out/field_conformer"
python -m cvae.train model=transformer "${small[@]}" "${field_data[@]}" \
  "${training[@]}" logger.run_name=field-transformer hydra.run.dir="$out/field_transformer"
python -m cvae.train model=conformer model.conv_kernel_size=9 "${small[@]}" data=jasper_ridge \
  data.max_samples=3000 trainer.max_epochs=15 trainer.lr=1e-3 trainer.early_stopping_patience=5 \
  trainer.progress_bar=false "trainer.num_threads=${CVAE_THREADS:-2}" logger.run_name=jasper-conformer hydra.run.dir="$out/jasper_conformer"
