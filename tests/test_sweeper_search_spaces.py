"""The Optuna search spaces in conf/hparams_search and one real sweep of cvae.train."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest
import yaml
from conftest import REPO_ROOT, TINY_CONFORMER, TINY_DATA, run_module
from hydra import compose, initialize_config_dir
from hydra_plugins.hydra_optuna_sweeper._impl import create_params_from_overrides
from omegaconf import OmegaConf
from optuna.distributions import CategoricalDistribution, IntUniformDistribution, LogUniformDistribution
from optuna.trial import TrialState
from wandb_records import offline_run_dirs, read_run_records, run_record

from cvae.sweep.checks import check_model_config

CONF_DIR = REPO_ROOT / "conf"
SEARCH_SPACES = {"conformer_optuna": "conformer", "transformer_optuna": "transformer"}


def search_space(name: str) -> dict:
    """Parse hydra.sweeper.params of a search space as the sweeper does."""
    content = OmegaConf.load(CONF_DIR / "hparams_search" / f"{name}.yaml")
    params = content.hydra.sweeper.params
    distributions, fixed = create_params_from_overrides([f"{key}={value}" for key, value in params.items()])
    assert fixed == {}
    return distributions


def compose_train(name: str):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose("train", overrides=[f"hparams_search={name}"], return_hydra_config=True)


@pytest.mark.parametrize("name", sorted(SEARCH_SPACES))
def test_search_space_heads_divide_every_d_model(name):
    space = search_space(name)
    d_models = space["model.d_model"].choices
    heads = space["model.n_heads"].choices
    for d_model in d_models:
        for n_heads in heads:
            assert d_model % n_heads == 0, (d_model, n_heads)


def test_search_space_conformer_kernel_sizes_are_odd():
    distribution = search_space("conformer_optuna")["model.conv_kernel_size"]
    assert isinstance(distribution, IntUniformDistribution)
    sizes = list(range(distribution.low, distribution.high + 1, distribution.step))
    assert sizes[0] == 3
    assert sizes[-1] == 31
    assert all(size % 2 == 1 for size in sizes)


@pytest.mark.parametrize("name", sorted(SEARCH_SPACES))
def test_search_space_composes_with_train_config(name):
    cfg = compose_train(name)
    sweeper = cfg.hydra.sweeper

    assert sweeper._target_ == "hydra_plugins.cvae_optuna_sweeper.cvae_optuna_sweeper.CvaeOptunaSweeper"
    assert sweeper.sampler._target_ == "optuna.samplers.TPESampler"
    assert sweeper.sampler.seed == 42
    assert sweeper.pruner._target_ == "optuna.pruners.MedianPruner"
    assert sweeper.direction == "minimize"
    assert sweeper.trial_check == "cvae.sweep.checks.check_model_config"
    assert cfg.model.name == SEARCH_SPACES[name]
    assert cfg.optuna_trial is None
    # Every searched key must exist in the composed config, or the search would add keys
    # that training never reads.
    space = search_space(name)
    for key in space:
        assert OmegaConf.select(cfg, key) is not None, key
    assert isinstance(space["trainer.lr"], LogUniformDistribution)
    assert isinstance(space["loss.beta"], LogUniformDistribution)


@pytest.mark.parametrize("name", sorted(SEARCH_SPACES))
def test_search_space_extremes_pass_model_check(name):
    cfg = compose_train(name)
    space = search_space(name)
    heads = space["model.n_heads"].choices
    d_models = space["model.d_model"].choices
    kernel = space.get("model.conv_kernel_size")
    kernel_sizes = [kernel.low, kernel.high] if kernel is not None else [None]
    for d_model in (min(d_models), max(d_models)):
        for n_heads in heads:
            for kernel_size in kernel_sizes:
                model = OmegaConf.to_container(cfg.model, resolve=True)
                model.update(d_model=d_model, n_heads=n_heads, n_layers=1)
                if kernel_size is not None:
                    model["conv_kernel_size"] = kernel_size
                reason = check_model_config(OmegaConf.create({"model": model}))
                assert reason is None, (model, reason)


def test_check_model_config_rejects_indivisible_heads():
    cfg = compose_train("transformer_optuna")
    model = OmegaConf.to_container(cfg.model, resolve=True)
    model.update(d_model=30, n_heads=4)

    reason = check_model_config(OmegaConf.create({"model": model}))

    assert reason is not None
    assert reason.startswith("invalid model options:")
    assert "d_model=30 must be divisible by n_heads=4" in reason
    assert check_model_config(OmegaConf.create({"seed": 0})) is None


@pytest.mark.slow
def test_sweeper_runs_cvae_train_sweep(tmp_path):
    sweep_dir = tmp_path / "sweep"
    run_module(
        "cvae.train",
        [
            "--multirun",
            "hparams_search=conformer_optuna",
            *TINY_CONFORMER,
            *TINY_DATA,
            "trainer=smoke",
            "logger=wandb",
            f"hydra.sweep.dir={sweep_dir}",
            "hydra.sweeper.n_trials=2",
        ],
        tmp_path,
    )

    study = optuna.load_study(study_name="conformer_cvae", storage=f"sqlite:///{sweep_dir / 'optuna.db'}")
    trials = sorted(study.trials, key=lambda trial: trial.number)
    assert [trial.state for trial in trials] == [TrialState.COMPLETE, TrialState.COMPLETE]
    best = yaml.safe_load((sweep_dir / "best_trial.yaml").read_text())
    assert best["value"] == pytest.approx(min(trial.value for trial in trials))
    assert best["metric"] == "val/mean_spectrum_rmse"
    for trial in trials:
        job_dir = Path(trial.user_attrs["job_dir"])
        assert job_dir == sweep_dir / str(trial.number)
        # trainer=smoke trains 2 epochs, reported as steps 1 and 2.
        assert sorted(trial.intermediate_values) == [1, 2]
        assert (job_dir / "metrics.json").is_file()
        run = run_record(read_run_records(offline_run_dirs(job_dir)[0]))
        assert run["run_group"] == "conformer_cvae"
        assert run["job_type"] == "sweep_trial"
        assert isinstance(study.trials[trial.number].distributions["trainer.lr"], LogUniformDistribution)
        assert isinstance(trial.distributions["model.use_relative_pos"], CategoricalDistribution)
