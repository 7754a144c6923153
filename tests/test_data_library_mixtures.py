"""Tests of the synthetic mixtures built from the earthlib spectral library."""

from __future__ import annotations

import numpy as np
import pytest

from cvae.data import DataError, load_library_mixtures, mix_spectra
from cvae.data.earthlib_library import load_earthlib_library

INDEX_KEYS = ["gv_library_index", "npv_library_index", "soil_library_index"]


def test_library_mixtures_same_seed_same_data():
    first = load_library_mixtures(n_samples=200, seed=3)
    second = load_library_mixtures(n_samples=200, seed=3)
    other = load_library_mixtures(n_samples=200, seed=4)

    np.testing.assert_array_equal(first.spectra, second.spectra)
    np.testing.assert_array_equal(first.conditions, second.conditions)
    for key in INDEX_KEYS:
        np.testing.assert_array_equal(first.sample_info[key], second.sample_info[key])
    assert not np.array_equal(first.spectra, other.spectra)


def test_library_mixtures_exact_linear_mixtures_without_noise():
    library = load_earthlib_library()
    dataset = load_library_mixtures(n_samples=300, noise_std=0.0, seed=0)

    expected = np.zeros((300, library.spectra.shape[1]))
    for k, key in enumerate(INDEX_KEYS):
        expected += dataset.conditions[:, k : k + 1].astype(np.float64) * library.spectra[dataset.sample_info[key]]
    np.testing.assert_allclose(dataset.spectra, expected, rtol=1e-5, atol=1e-6)


def test_library_mixtures_indices_belong_to_their_class():
    library = load_earthlib_library()
    dataset = load_library_mixtures(n_samples=300, seed=1)

    for class_name, key in zip(["gv", "npv", "soil"], INDEX_KEYS):
        assert np.all(np.isin(dataset.sample_info[key], library.class_members[class_name]))
    assert library.class_members["gv"].size == 2000
    assert library.class_members["npv"].size == 104
    assert library.class_members["soil"].size == 4185


def test_library_mixtures_fractions_and_pure_samples():
    dataset = load_library_mixtures(n_samples=300, pure_fraction=0.1, seed=2)

    assert dataset.condition_names == ["gv_fraction", "npv_fraction", "soil_fraction"]
    np.testing.assert_allclose(dataset.conditions.sum(axis=1), 1.0, atol=1e-6)
    assert np.all(dataset.conditions >= 0)
    pure = dataset.conditions.max(axis=1) == 1.0
    assert pure.sum() == 30
    np.testing.assert_array_equal(pure, dataset.sample_info["is_pure"])
    assert np.bincount(dataset.conditions[pure].argmax(axis=1), minlength=3).tolist() == [10, 10, 10]


def test_library_mixtures_noise_level_and_clipping():
    clean = load_library_mixtures(n_samples=500, noise_std=0.0, seed=5)
    noisy = load_library_mixtures(n_samples=500, noise_std=0.01, seed=5)

    residual = noisy.spectra.astype(np.float64) - clean.spectra
    assert residual.std() == pytest.approx(0.01, rel=0.05)
    assert noisy.spectra.min() >= 0.0
    assert noisy.spectra.max() <= 1.0


def test_library_mixtures_wavelengths_in_nm():
    dataset = load_library_mixtures(n_samples=10)

    assert dataset.n_bands == 180
    assert dataset.wavelengths[0] == 400.0
    assert dataset.wavelengths[-1] == 2450.0
    assert np.all(np.diff(dataset.wavelengths) >= 10.0 - 1e-6)


def test_mix_spectra_weights_rows():
    library = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    fractions = np.array([[0.25, 0.75]])

    mixed = mix_spectra(library, fractions, [np.array([0]), np.array([1])])

    np.testing.assert_allclose(mixed, [[0.25, 0.75]])


@pytest.mark.parametrize(
    ("arguments", "key"),
    [
        ({"n_samples": 0}, "data.n_samples"),
        ({"dirichlet_alpha": [1.0, 0.0, 1.0]}, "data.dirichlet_alpha"),
        ({"dirichlet_alpha": [1.0, 1.0]}, "data.dirichlet_alpha"),
        ({"pure_fraction": 1.5}, "data.pure_fraction"),
        ({"noise_std": -0.1}, "data.noise_std"),
    ],
)
def test_library_mixtures_invalid_arguments(arguments, key):
    with pytest.raises(DataError) as error:
        load_library_mixtures(**arguments)

    assert key in str(error.value)
