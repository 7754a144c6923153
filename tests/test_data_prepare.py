"""Tests of prepare_data and of the data configs composed with Hydra."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from cvae.data import BandScaler, DataError, PreparedData, TensorBatches, name_prefix, prepare_data

REPO_ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = REPO_ROOT / "conf"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
COMMON_KEYS = {
    "format": None,
    "val_fraction": 0.15,
    "test_fraction": 0.15,
    "split_seed": 0,
    "group_column": None,
    "group_by_name_prefix": False,
    "scaling_margin": 0.05,
    "batch_size": 64,
}


def write_csv(path: Path, n_rows: int = 40, sites: int = 4) -> Path:
    rng = np.random.default_rng(0)
    lines = ["Spectra,gv,soil,site,500,600,700"]
    for i in range(n_rows):
        gv = rng.uniform()
        bands = 0.1 + 0.5 * rng.uniform(size=3)
        lines.append(f"P{chr(65 + i % sites)}{i}_x,{gv},{1 - gv},s{i % sites}," + ",".join(f"{b}" for b in bands))
    path.write_text("\n".join(lines) + "\n")
    return path


def csv_config(path: Path, **overrides) -> dict:
    config = {
        "format": "csv",
        "path": str(path),
        "condition_columns": ["gv", "soil"],
        "name_column": "Spectra",
        "val_fraction": 0.25,
        "test_fraction": 0.25,
        "split_seed": 0,
        "group_column": None,
        "group_by_name_prefix": False,
        "scaling_margin": 0.05,
        "batch_size": 8,
    }
    config.update(overrides)
    return config


def compose_data(name: str, overrides: list[str] | None = None):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose(overrides=[f"+data={name}", *(overrides or [])])


def check_prepared(prepared: PreparedData) -> None:
    """Assert the invariants that the training loop relies on."""
    n_bands = len(prepared.wavelengths)
    for spectra, conditions, raw in (
        (prepared.train_spectra, prepared.train_conditions, prepared.train_raw),
        (prepared.val_spectra, prepared.val_conditions, prepared.val_raw),
        (prepared.test_spectra, prepared.test_conditions, prepared.test_raw),
    ):
        assert spectra.dtype == torch.float32
        assert conditions.dtype == torch.float32
        assert spectra.shape == (raw.n_samples, n_bands)
        assert conditions.shape == (raw.n_samples, len(prepared.condition_names))
        np.testing.assert_allclose(
            prepared.scaler.inverse_transform(spectra.double()).numpy(), raw.spectra, atol=1e-5
        )
        np.testing.assert_array_equal(conditions.numpy(), raw.conditions)
    assert float(prepared.train_spectra.min()) >= 0.0
    assert float(prepared.train_spectra.max()) <= 1.0
    assert all(isinstance(w, float) for w in prepared.wavelengths)


def test_prepare_data_csv_splits_and_scales(tmp_path):
    path = write_csv(tmp_path / "spectra.csv")

    prepared = prepare_data(csv_config(path), seed=0)

    check_prepared(prepared)
    assert (prepared.train_raw.n_samples, prepared.val_raw.n_samples, prepared.test_raw.n_samples) == (20, 10, 10)
    assert prepared.condition_names == ["gv", "soil"]
    assert prepared.wavelengths == [500.0, 600.0, 700.0]
    # The scaler comes from the training split alone.
    expected = BandScaler(margin=0.05).fit(prepared.train_raw.spectra)
    np.testing.assert_allclose(prepared.scaler.lower, expected.lower)
    np.testing.assert_allclose(prepared.scaler.upper, expected.upper)


def test_prepare_data_batches_over_training_split(tmp_path):
    prepared = prepare_data(csv_config(write_csv(tmp_path / "spectra.csv")), seed=0)

    batches = TensorBatches(prepared.train_spectra, prepared.train_conditions, 8, shuffle=True, seed=0)

    assert len(batches) == 3
    assert sum(x.shape[0] for x, _ in batches) == prepared.train_raw.n_samples


def test_prepare_data_null_split_seed_uses_run_seed(tmp_path):
    path = write_csv(tmp_path / "spectra.csv")

    from_run_seed = prepare_data(csv_config(path, split_seed=None), seed=3)
    from_split_seed = prepare_data(csv_config(path, split_seed=3), seed=99)

    assert from_run_seed.val_raw.sample_names == from_split_seed.val_raw.sample_names


def test_prepare_data_group_by_name_prefix(tmp_path):
    path = write_csv(tmp_path / "spectra.csv", n_rows=40, sites=5)

    prepared = prepare_data(csv_config(path, group_by_name_prefix=True), seed=0)

    prefixes = [{name[:2] for name in raw.sample_names} for raw in (prepared.train_raw, prepared.val_raw, prepared.test_raw)]
    assert not prefixes[0] & prefixes[1]
    assert not prefixes[0] & prefixes[2]
    assert not prefixes[1] & prefixes[2]
    assert all(prefixes)


def test_prepare_data_group_column(tmp_path):
    path = write_csv(tmp_path / "spectra.csv", n_rows=40, sites=4)

    prepared = prepare_data(csv_config(path, group_column="site"), seed=0)

    sites = [set(raw.groups) for raw in (prepared.train_raw, prepared.val_raw, prepared.test_raw)]
    assert not sites[0] & sites[1]
    assert not sites[1] & sites[2]
    assert set().union(*sites) == {"s0", "s1", "s2", "s3"}


def test_prepare_data_group_column_and_prefix_conflict(tmp_path):
    config = csv_config(write_csv(tmp_path / "spectra.csv"), group_column="site", group_by_name_prefix=True)

    with pytest.raises(DataError) as error:
        prepare_data(config, seed=0)

    assert "choose one" in str(error.value)


def test_prepare_data_too_few_rows(tmp_path):
    path = write_csv(tmp_path / "tiny.csv", n_rows=2)

    with pytest.raises(DataError) as error:
        prepare_data(csv_config(path), seed=0)

    message = str(error.value)
    assert str(path) in message
    assert "2 sample(s)" in message
    assert "at least 3" in message


def test_prepare_data_unknown_format():
    with pytest.raises(DataError) as error:
        prepare_data({"format": "parquet"}, seed=0)

    assert "'parquet'" in str(error.value)
    assert "library_mixtures" in str(error.value)


def test_prepare_data_missing_mandatory_path():
    config = compose_data("csv", ["data.condition_columns=[gv]"])

    with pytest.raises(DataError) as error:
        prepare_data(config.data, seed=0)

    assert "data.path is required" in str(error.value)


def test_prepare_data_library_group_column(tmp_path):
    config = OmegaConf.to_container(compose_data("library_mixtures", ["data.n_samples=300"]).data)
    config["group_column"] = "npv_library_index"

    prepared = prepare_data(config, seed=0)

    used = [set(raw.sample_info["npv_library_index"].tolist()) for raw in (prepared.train_raw, prepared.val_raw, prepared.test_raw)]
    assert not used[0] & used[1]
    assert not used[0] & used[2]
    assert not used[1] & used[2]


def test_prepare_data_unknown_group_column_lists_columns():
    config = OmegaConf.to_container(compose_data("library_mixtures", ["data.n_samples=50"]).data)
    config["group_column"] = "site"

    with pytest.raises(DataError) as error:
        prepare_data(config, seed=0)

    assert "'site'" in str(error.value)
    assert "soil_library_index" in str(error.value)


@pytest.mark.parametrize("name", ["library_mixtures", "csv", "array", "field_spectra", "jasper_ridge"])
def test_data_config_has_common_keys(name):
    data = compose_data(name).data

    for key, default in COMMON_KEYS.items():
        assert key in data
        if default is not None:
            assert data[key] == default


def test_data_config_library_mixtures_prepares():
    config = compose_data("library_mixtures", ["data.n_samples=400"])

    prepared = prepare_data(config.data, seed=0)

    check_prepared(prepared)
    assert prepared.train_raw.n_samples + prepared.val_raw.n_samples + prepared.test_raw.n_samples == 400
    assert prepared.condition_names == ["gv_fraction", "npv_fraction", "soil_fraction"]
    assert prepared.wavelengths[0] == 400.0


def test_data_config_field_spectra_prepares(monkeypatch):
    if not (SHARED_DATA / "field_spectra_gv_npv_soil.csv").exists():
        pytest.skip(f"shared field spectra not found in {SHARED_DATA}")
    monkeypatch.setenv("CVAE_SHARED_DATA", str(SHARED_DATA))
    config = compose_data("field_spectra")

    prepared = prepare_data(config.data, seed=0)

    check_prepared(prepared)
    assert len(prepared.wavelengths) == 170
    assert prepared.train_raw.n_samples + prepared.val_raw.n_samples + prepared.test_raw.n_samples == 1025
    assert prepared.train_raw.sample_names is not None


def test_field_spectra_config_default_path(monkeypatch):
    if not (SHARED_DATA / "field_spectra_gv_npv_soil.csv").exists():
        pytest.skip(f"shared field spectra not found in {SHARED_DATA}")
    monkeypatch.delenv("CVAE_SHARED_DATA", raising=False)
    monkeypatch.chdir(REPO_ROOT)
    config = compose_data("field_spectra", ["data.group_by_name_prefix=true"])

    prepared = prepare_data(config.data, seed=0)

    campaigns = [
        {name_prefix(name) for name in raw.sample_names}
        for raw in (prepared.train_raw, prepared.val_raw, prepared.test_raw)
    ]
    assert config.data.path == "../shared/data/field_spectra_gv_npv_soil.csv"
    assert not campaigns[0] & campaigns[1]
    assert not campaigns[0] & campaigns[2]
    assert not campaigns[1] & campaigns[2]
    assert len(set().union(*campaigns)) == 14


def test_data_config_jasper_ridge_prepares(monkeypatch):
    for file_name in ("jasperRidge2_R198.mat", "end4.mat"):
        if not (SHARED_DATA / file_name).exists():
            pytest.skip(f"shared Jasper Ridge file {file_name} not found in {SHARED_DATA}")
    monkeypatch.setenv("CVAE_SHARED_DATA", str(SHARED_DATA))
    config = compose_data("jasper_ridge")

    prepared = prepare_data(config.data, seed=0)

    check_prepared(prepared)
    assert prepared.condition_names == ["tree", "water", "dirt", "road"]
    assert len(prepared.wavelengths) == 198
    assert 380.0 < prepared.wavelengths[0] < 410.0
    assert 2430.0 < prepared.wavelengths[-1] < 2500.0
    assert prepared.train_raw.n_samples == 7000


def test_prepare_data_warns_about_unused_key(tmp_path, caplog):
    config = csv_config(write_csv(tmp_path / "spectra.csv"), exclud_bands=[[500, 550]])

    with caplog.at_level("WARNING", logger="cvae.data.options"):
        prepared = prepare_data(config, seed=0)

    assert "exclud_bands" in caplog.text
    assert prepared.wavelengths == [500.0, 600.0, 700.0]


def test_prepare_data_rejects_text_boolean(tmp_path):
    config = csv_config(write_csv(tmp_path / "spectra.csv"), group_by_name_prefix="false")

    with pytest.raises(DataError) as error:
        prepare_data(config, seed=0)

    assert "data.group_by_name_prefix must be true or false" in str(error.value)
