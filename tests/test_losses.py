"""β-VAE loss terms, KL annealing schedules and free bits."""

import math

import pytest
import torch

from cvae.losses import LossConfig, elbo_loss, kl_divergence, kl_weight, reconstruction_error
from cvae.models import CVAEOutput


def test_kl_of_standard_normal_is_zero():
    mu = torch.zeros(4, 3)
    logvar = torch.zeros(4, 3)

    assert kl_divergence(mu, logvar, free_bits=0.0).item() == pytest.approx(0.0)


def test_kl_matches_closed_form():
    mu = torch.tensor([[1.0, 0.0]])
    logvar = torch.tensor([[0.0, math.log(4.0)]])

    # 0.5 * (mu² + sigma² - 1 - log sigma²) per dimension: 0.5 and 0.5 * (3 - log 4).
    expected = 0.5 + 0.5 * (3.0 - math.log(4.0))
    assert kl_divergence(mu, logvar, free_bits=0.0).item() == pytest.approx(expected, rel=1e-6)


def test_free_bits_floor_per_dimension():
    mu = torch.zeros(2, 3)
    logvar = torch.zeros(2, 3)

    assert kl_divergence(mu, logvar, free_bits=0.25).item() == pytest.approx(0.75)


def test_reconstruction_sums_bands_averages_batch():
    recon = torch.zeros(2, 4)
    target = torch.ones(2, 4)

    assert reconstruction_error(recon, target, "mse").item() == pytest.approx(4.0)
    assert reconstruction_error(recon, 0.5 * target, "l1").item() == pytest.approx(2.0)


def test_linear_kl_warmup():
    config = LossConfig(beta=0.2, kl_schedule="linear", kl_warmup_epochs=4)

    assert kl_weight(config, 0.0) == 0.0
    assert kl_weight(config, 2.0) == pytest.approx(0.1)
    assert kl_weight(config, 4.0) == pytest.approx(0.2)
    assert kl_weight(config, 10.0) == pytest.approx(0.2)


def test_cyclical_kl_restarts_each_cycle():
    config = LossConfig(beta=1.0, kl_schedule="cyclical", kl_cycle_epochs=10, kl_cycle_ratio=0.5)

    assert kl_weight(config, 0.0) == 0.0
    assert kl_weight(config, 2.5) == pytest.approx(0.5)
    assert kl_weight(config, 7.0) == pytest.approx(1.0)
    assert kl_weight(config, 10.0) == 0.0
    assert kl_weight(config, 12.5) == pytest.approx(0.5)


def test_constant_kl_weight():
    assert kl_weight(LossConfig(beta=0.3, kl_schedule="constant"), 0.0) == pytest.approx(0.3)


def test_elbo_combines_both_paths():
    target = torch.ones(2, 4)
    output = CVAEOutput(
        recon=torch.zeros(2, 4),
        recon_latent=torch.full((2, 4), 0.5),
        mu=torch.zeros(2, 3),
        logvar=torch.zeros(2, 3),
        z=torch.zeros(2, 3),
    )
    config = LossConfig(beta=1.0, latent_path_weight=2.0, kl_schedule="constant")

    terms = elbo_loss(output, target, config, epoch=0.0)

    assert terms["recon"].item() == pytest.approx(4.0)
    assert terms["recon_latent"].item() == pytest.approx(1.0)
    assert terms["loss"].item() == pytest.approx(4.0 + 2.0 * 1.0 + 0.0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(reconstruction="huber"), "loss.reconstruction='huber' is invalid"),
        (dict(kl_schedule="sigmoid"), "loss.kl_schedule='sigmoid' is invalid"),
        (dict(beta=-1.0), "loss.beta=-1.0 is invalid"),
        (dict(kl_schedule="cyclical", kl_cycle_ratio=0.0), "cyclical KL annealing needs"),
    ],
)
def test_loss_config_rejects(options, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        LossConfig(**options)
