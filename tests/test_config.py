"""Hydra composition of `conf/train.yaml` and its groups."""

from __future__ import annotations

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from conftest import REPO_ROOT
from cvae.models import validate_model_config

FIELD_AS_CSV = [
    "data=csv",
    "data.path=${oc.env:CVAE_SHARED_DATA,../shared/data}/field_spectra_gv_npv_soil.csv",
    "data.condition_columns=[gv_fraction,npv_fraction,soil_fraction]",
    "data.name_column=Spectra",
    "data.exclude_bands=[[1350,1460],[1790,1960],[2400,2490]]",
]


def compose_train(overrides: list[str]):
    with initialize_config_dir(config_dir=str(REPO_ROOT / "conf"), version_base="1.3"):
        return compose(config_name="train", overrides=overrides)


def test_train_config_defaults():
    cfg = compose_train([])

    assert cfg.model.name == "conformer"
    assert cfg.model.d_model == 256
    assert cfg.model.n_heads == 4
    assert cfg.model.n_layers == 4
    assert cfg.model.dropout == 0.1
    assert cfg.model.ffn_expansion == 4
    assert cfg.model.conv_kernel_size == 17
    assert cfg.model.use_relative_pos is True
    assert cfg.model.latent_dim == 32
    assert cfg.data.format == "library_mixtures"
    assert cfg.logger.name == "wandb"
    assert cfg.logger.mode == "offline"
    assert cfg.optimized_metric == "val/mean_spectrum_rmse"


def test_transformer_defaults():
    cfg = compose_train(["model=transformer"])

    assert cfg.model.d_model == 128
    assert cfg.model.n_heads == 4
    assert cfg.model.n_layers == 4
    assert cfg.model.dropout == 0.1


@pytest.mark.parametrize("model", ["conformer", "transformer", "mlp", "linear_mixing"])
def test_every_model_config_builds(model):
    cfg = compose_train([f"model={model}"])

    validate_model_config(cfg.model)


@pytest.mark.parametrize("data", ["library_mixtures", "field_spectra", "jasper_ridge", "csv", "array"])
def test_every_data_config_composes(data):
    cfg = compose_train([f"data={data}"])

    assert cfg.data.format in ("library_mixtures", "csv", "array")
    assert cfg.data.batch_size > 0


def test_command_line_overrides_model_options():
    cfg = compose_train(["model.d_model=64", "model.use_relative_pos=false", "model.conv_kernel_size=31"])

    assert cfg.model.d_model == 64
    assert cfg.model.use_relative_pos is False
    assert cfg.model.conv_kernel_size == 31


def test_field_csv_overrides_match_preset():
    preset = compose_train(["data=field_spectra"])
    explicit = compose_train(FIELD_AS_CSV)

    preset_data = OmegaConf.to_container(preset.data, resolve=True)
    explicit_data = OmegaConf.to_container(explicit.data, resolve=True)
    assert preset_data == explicit_data


def test_quickstart_experiment_is_small():
    cfg = compose_train(["experiment=quickstart"])

    assert cfg.model.name == "conformer"
    assert cfg.model.d_model == 32
    assert cfg.trainer.max_epochs <= 15
    assert "quickstart" in cfg.logger.tags


def test_smoke_trainer_is_short():
    cfg = compose_train(["trainer=smoke"])

    assert cfg.trainer.max_epochs == 2
    assert cfg.trainer.progress_bar is False


def compose_multirun(overrides: list[str]):
    with initialize_config_dir(config_dir=str(REPO_ROOT / "conf"), version_base="1.3"):
        return compose(config_name="train", overrides=overrides, return_hydra_config=True)


@pytest.mark.parametrize(
    ("experiment", "swept_key", "values"),
    [
        ("ablation_relative_pos", "model.use_relative_pos", "choice(true, false)"),
        ("ablation_kernel_size", "model.conv_kernel_size", "choice(3, 7, 17, 31)"),
        ("ablation_architecture", "model", "choice(conformer_small, transformer_small, mlp_small)"),
    ],
)
def test_ablation_experiment_grid(experiment, swept_key, values):
    cfg = compose_multirun([f"experiment={experiment}"])
    sweeper = cfg.hydra.sweeper

    assert sweeper.params[swept_key] == values
    assert sweeper.params["seed"] == "choice(0, 1, 2)"
    assert sweeper.sampler._target_ == "optuna.samplers.GridSampler"
    n_values = len(values.split(","))
    assert sweeper.n_trials == 3 * n_values
    assert sweeper.study_name == experiment


def test_small_models_have_similar_sizes():
    from cvae.models import build_model

    counts = {}
    for name in ("conformer_small", "transformer_small", "mlp_small"):
        cfg = compose_train([f"model={name}"])
        model = build_model(cfg.model, n_bands=170, n_conditions=3)
        counts[name] = sum(parameter.numel() for parameter in model.parameters())

    assert max(counts.values()) / min(counts.values()) < 1.1, counts


def test_jasper_array_overrides_match_preset():
    shared = "${oc.env:CVAE_SHARED_DATA,../shared/data}"
    preset = compose_train(["data=jasper_ridge"])
    explicit = compose_train(
        [
            "data=array",
            f"data.spectra_path={shared}/jasperRidge2_R198.mat",
            "data.spectra_key=Y",
            f"data.conditions_path={shared}/end4.mat",
            "data.conditions_key=A",
            "data.condition_names=[tree,water,dirt,road]",
            "data.scale_factor=5000",
            "data.channel_key=SlectBands",
            "data.channel_wavelengths=[366.0,2496.0,224]",
        ]
    )

    assert OmegaConf.to_container(preset.data, resolve=True) == OmegaConf.to_container(
        explicit.data, resolve=True
    )
