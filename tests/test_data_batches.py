"""Tests of mini-batch iteration over in-memory tensors."""

from __future__ import annotations

import pytest
import torch

from cvae.data import TensorBatches


def make_tensors(n_samples: int = 10):
    spectra = torch.arange(n_samples, dtype=torch.float32).reshape(n_samples, 1).repeat(1, 3)
    conditions = torch.arange(n_samples, dtype=torch.float32).reshape(n_samples, 1)
    return spectra, conditions


def epoch_order(batches: TensorBatches) -> list[int]:
    return [int(value) for _, conditions in batches for value in conditions[:, 0]]


def test_tensor_batches_cover_every_index_once():
    spectra, conditions = make_tensors(10)
    batches = TensorBatches(spectra, conditions, batch_size=3, shuffle=True, seed=0)

    for _ in range(3):
        order = epoch_order(batches)
        assert sorted(order) == list(range(10))
    assert len(batches) == 4
    assert [x.shape[0] for x, _ in batches] == [3, 3, 3, 1]


def test_tensor_batches_rows_stay_paired():
    spectra, conditions = make_tensors(10)

    for x, cond in TensorBatches(spectra, conditions, batch_size=4, shuffle=True, seed=1):
        torch.testing.assert_close(x[:, 0], cond[:, 0])


def test_tensor_batches_shuffle_differs_per_epoch():
    spectra, conditions = make_tensors(50)
    batches = TensorBatches(spectra, conditions, batch_size=8, shuffle=True, seed=0)

    first = epoch_order(batches)
    second = epoch_order(batches)

    assert first != second
    assert first != list(range(50))


def test_tensor_batches_seed_reproducible():
    spectra, conditions = make_tensors(30)
    run_a = TensorBatches(spectra, conditions, batch_size=8, shuffle=True, seed=5)
    run_b = TensorBatches(spectra, conditions, batch_size=8, shuffle=True, seed=5)

    assert [epoch_order(run_a) for _ in range(2)] == [epoch_order(run_b) for _ in range(2)]


def test_tensor_batches_no_shuffle_keeps_order():
    spectra, conditions = make_tensors(7)

    assert epoch_order(TensorBatches(spectra, conditions, batch_size=2, shuffle=False)) == list(range(7))


def test_tensor_batches_drop_last():
    spectra, conditions = make_tensors(10)
    batches = TensorBatches(spectra, conditions, batch_size=4, shuffle=True, seed=0, drop_last=True)

    assert len(batches) == 2
    assert [x.shape[0] for x, _ in batches] == [4, 4]


def test_tensor_batches_drop_last_with_too_few_samples():
    spectra, conditions = make_tensors(3)

    with pytest.raises(ValueError) as error:
        TensorBatches(spectra, conditions, batch_size=4, drop_last=True)

    assert "3 samples" in str(error.value)


def test_tensor_batches_mismatched_rows():
    spectra, _ = make_tensors(4)

    with pytest.raises(ValueError) as error:
        TensorBatches(spectra, torch.zeros(3, 1), batch_size=2)

    assert "4 rows" in str(error.value)
