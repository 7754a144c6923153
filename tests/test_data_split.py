"""Tests of the seeded train/validation/test split."""

from __future__ import annotations

import numpy as np
import pytest

from cvae.data import DataError, SpectralDataset, name_prefix, split_dataset


def make_dataset(n_samples: int, names: list[str] | None = None) -> SpectralDataset:
    return SpectralDataset(
        spectra=np.arange(n_samples * 3, dtype=np.float32).reshape(n_samples, 3),
        conditions=np.arange(n_samples, dtype=np.float32).reshape(n_samples, 1),
        wavelengths=np.array([500.0, 600.0, 700.0]),
        condition_names=["c"],
        sample_names=names,
        source="test data",
    )


def sample_ids(dataset: SpectralDataset) -> set[int]:
    return set(dataset.conditions[:, 0].astype(int).tolist())


def test_split_dataset_sizes_and_partition():
    dataset = make_dataset(100)

    train, val, test = split_dataset(dataset, 0.15, 0.2, seed=0)

    assert (train.n_samples, val.n_samples, test.n_samples) == (65, 15, 20)
    assert sample_ids(train) | sample_ids(val) | sample_ids(test) == set(range(100))
    assert not sample_ids(train) & sample_ids(val)
    assert not sample_ids(train) & sample_ids(test)
    assert not sample_ids(val) & sample_ids(test)


def test_split_dataset_seed_reproducible():
    dataset = make_dataset(50)

    first = split_dataset(dataset, 0.2, 0.2, seed=7)
    second = split_dataset(dataset, 0.2, 0.2, seed=7)
    other = split_dataset(dataset, 0.2, 0.2, seed=8)

    for a, b in zip(first, second):
        np.testing.assert_array_equal(a.conditions, b.conditions)
    assert sample_ids(first[1]) != sample_ids(other[1])


def test_split_dataset_keeps_rows_aligned():
    dataset = make_dataset(20, names=[f"s{i}" for i in range(20)])

    train, _, _ = split_dataset(dataset, 0.25, 0.25, seed=0)

    for row in range(train.n_samples):
        sample = int(train.conditions[row, 0])
        np.testing.assert_array_equal(train.spectra[row], dataset.spectra[sample])
        assert train.sample_names[row] == f"s{sample}"


def test_split_dataset_zero_fractions_give_empty_parts():
    train, val, test = split_dataset(make_dataset(10), 0.0, 0.0, seed=0)

    assert train.n_samples == 10
    assert val.n_samples == 0
    assert test.n_samples == 0
    assert val.spectra.shape == (0, 3)


def test_split_dataset_too_few_rows():
    with pytest.raises(DataError) as error:
        split_dataset(make_dataset(2), 0.15, 0.15, seed=0)

    message = str(error.value)
    assert "test data" in message
    assert "2 sample(s)" in message
    assert "at least 3" in message


def test_split_dataset_groups_never_shared():
    names = [f"site{chr(65 + i % 9)}_{i}" for i in range(90)]
    dataset = make_dataset(90, names=names)
    groups = [name_prefix(name) for name in names]
    assert len(set(groups)) == 9

    for seed in range(5):
        parts = split_dataset(dataset, 0.2, 0.2, seed=seed, groups=groups)
        part_groups = [{name_prefix(name) for name in part.sample_names} for part in parts]
        assert not part_groups[0] & part_groups[1]
        assert not part_groups[0] & part_groups[2]
        assert not part_groups[1] & part_groups[2]
        assert all(part.n_samples > 0 for part in parts)
        assert sum(part.n_samples for part in parts) == 90


def test_split_dataset_groups_every_part_gets_a_group():
    # Even with one large group and two tiny ones, each requested part gets a group.
    groups = ["big"] * 20 + ["a", "b"]
    dataset = make_dataset(22)

    for seed in range(10):
        parts = split_dataset(dataset, 0.15, 0.15, seed=seed, groups=groups)
        assert all(part.n_samples > 0 for part in parts)


def test_split_dataset_too_few_groups():
    with pytest.raises(DataError) as error:
        split_dataset(make_dataset(10), 0.2, 0.2, seed=0, groups=["a"] * 5 + ["b"] * 5)

    message = str(error.value)
    assert "2 group(s)" in message
    assert "at least 3" in message


def test_split_dataset_invalid_fractions():
    with pytest.raises(DataError) as error:
        split_dataset(make_dataset(10), 0.5, 0.5, seed=0)

    assert "below 1" in str(error.value)


@pytest.mark.parametrize(
    ("name", "prefix"),
    [("QUE12_a", "QUE"), ("Resop058", "Resop"), ("ja_3", "ja"), ("Plant", "Plant"), ("12_x", "12_x")],
)
def test_name_prefix_cases(name, prefix):
    assert name_prefix(name) == prefix
