"""Atomic checkpoint writes and weights-only loading."""

import pytest
import torch

from cvae.training.checkpoint import load_checkpoint, save_checkpoint


def test_checkpoint_round_trip_weights_only(tmp_path):
    payload = {"model_state": {"weight": torch.arange(3.0)}, "wavelengths": [400.0, 410.0], "epoch": 2}

    path = save_checkpoint(payload, tmp_path / "checkpoints" / "last.pt")
    loaded = load_checkpoint(path)

    assert torch.equal(loaded["model_state"]["weight"], torch.arange(3.0))
    assert loaded["wavelengths"] == [400.0, 410.0]
    assert loaded["epoch"] == 2
    assert sorted(p.name for p in path.parent.iterdir()) == ["last.pt"]


def test_checkpoint_overwrite_replaces_file(tmp_path):
    path = tmp_path / "best.pt"
    save_checkpoint({"epoch": 1}, path)

    save_checkpoint({"epoch": 2}, path)

    assert load_checkpoint(path)["epoch"] == 2


def test_checkpoint_rejects_code_objects(tmp_path):
    path = tmp_path / "unsafe.pt"
    torch.save({"format": 1, "callback": print}, path)

    with pytest.raises(Exception, match="weights_only"):
        load_checkpoint(path)


def test_missing_checkpoint_message(tmp_path):
    with pytest.raises(FileNotFoundError, match="checkpoint not found"):
        load_checkpoint(tmp_path / "nothing.pt")
