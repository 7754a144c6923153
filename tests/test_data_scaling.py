"""Tests of the per-band min-max scaler."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cvae.data import BandScaler


def training_spectra() -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.uniform(0.05, 0.6, size=(40, 5))


def test_band_scaler_range_with_margin():
    spectra = training_spectra()

    scaled = BandScaler(margin=0.05).fit(spectra).transform(spectra)

    np.testing.assert_allclose(scaled.min(axis=0), 0.05 / 1.1)
    np.testing.assert_allclose(scaled.max(axis=0), 1.05 / 1.1)


def test_band_scaler_round_trip_numpy_and_torch():
    spectra = training_spectra()
    scaler = BandScaler(margin=0.05).fit(spectra)

    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(spectra)), spectra, atol=1e-12)

    tensor = torch.tensor(spectra, dtype=torch.float32)
    scaled_tensor = scaler.transform(tensor)
    assert isinstance(scaled_tensor, torch.Tensor)
    assert scaled_tensor.dtype == torch.float32
    torch.testing.assert_close(scaler.inverse_transform(scaled_tensor), tensor)
    np.testing.assert_allclose(scaled_tensor.numpy(), scaler.transform(spectra), atol=1e-6)


def test_band_scaler_preserves_relative_albedo():
    spectra = training_spectra()
    scaler = BandScaler(margin=0.05).fit(spectra)
    dark = spectra[0]
    bright = dark * 1.3

    scaled_dark = scaler.transform(dark[None])[0]
    scaled_bright = scaler.transform(bright[None])[0]

    assert np.all(scaled_bright > scaled_dark)
    # In every band the scaled difference is the reflectance difference over one shared width.
    width = scaler.upper - scaler.lower
    np.testing.assert_allclose(scaled_bright - scaled_dark, (bright - dark) / width)
    # Min-max scaling each spectrum on its own would map both to the same values.
    assert not np.allclose(scaled_bright, scaled_dark)


def test_band_scaler_constant_band_is_finite():
    spectra = training_spectra()
    spectra[:, 2] = 0.3

    scaler = BandScaler(margin=0.05).fit(spectra)
    scaled = scaler.transform(spectra)

    assert np.all(np.isfinite(scaled))
    np.testing.assert_allclose(scaled[:, 2], 0.5)
    np.testing.assert_allclose(scaler.inverse_transform(scaled)[:, 2], 0.3)


def test_band_scaler_dict_survives_weights_only_load(tmp_path):
    scaler = BandScaler(margin=0.1).fit(training_spectra())
    path = tmp_path / "scaler.pt"
    torch.save({"scaler": scaler.to_dict()}, path)

    state = torch.load(path, weights_only=True)["scaler"]
    restored = BandScaler.from_dict(state)

    assert isinstance(state["lower"], list)
    assert isinstance(state["lower"][0], float)
    np.testing.assert_array_equal(restored.lower, scaler.lower)
    np.testing.assert_array_equal(restored.upper, scaler.upper)
    assert restored.margin == 0.1


def test_band_scaler_band_count_mismatch():
    scaler = BandScaler().fit(training_spectra())

    with pytest.raises(ValueError) as error:
        scaler.transform(np.zeros((2, 4)))

    assert "4 bands" in str(error.value)
    assert "fitted on 5" in str(error.value)


def test_band_scaler_unfitted_raises():
    with pytest.raises(RuntimeError) as error:
        BandScaler().transform(np.zeros((1, 3)))

    assert "not fitted" in str(error.value)


def test_band_scaler_from_dict_missing_keys():
    with pytest.raises(ValueError) as error:
        BandScaler.from_dict({"lower": [0.0]})

    assert "upper" in str(error.value)
