"""Shapes, relative-position bias, gradient flow and option checks of the CVAE models."""

import pytest
import torch

from cvae.models import build_model, to_signed_range, validate_model_config
from cvae.models.layers import RelativePositionBias, sinusoidal_positional_encoding

N_BANDS = 24
N_CONDITIONS = 3

TINY_MODELS = {
    "conformer": dict(
        name="conformer", d_model=16, n_heads=2, n_layers=1, latent_dim=4, conv_kernel_size=5,
        ffn_expansion=2, dropout=0.0, use_relative_pos=True,
    ),
    "conformer_absolute": dict(
        name="conformer", d_model=16, n_heads=2, n_layers=1, latent_dim=4, conv_kernel_size=3,
        ffn_expansion=2, dropout=0.0, use_relative_pos=False,
    ),
    "transformer": dict(name="transformer", d_model=16, n_heads=2, n_layers=1, latent_dim=4, dropout=0.0),
    "mlp": dict(name="mlp", latent_dim=4, hidden_dims=[32, 16], dropout=0.0),
}


@pytest.fixture(params=sorted(TINY_MODELS))
def model(request):
    torch.manual_seed(0)
    return build_model(TINY_MODELS[request.param], N_BANDS, N_CONDITIONS)


def test_forward_output_shapes(model):
    spectra = torch.rand(5, N_BANDS)
    cond = torch.rand(5, N_CONDITIONS)

    output = model(spectra, cond)

    assert output.recon.shape == (5, N_BANDS)
    assert output.recon_latent.shape == (5, N_BANDS)
    assert output.mu.shape == (5, 4)
    assert output.logvar.shape == (5, 4)
    assert output.z.shape == (5, 4)


def test_decode_without_memory_in_unit_range(model):
    z = torch.randn(7, 4) * 5
    cond = torch.rand(7, N_CONDITIONS)

    spectra = model.decode(z, cond)

    assert spectra.shape == (7, N_BANDS)
    assert spectra.min() >= 0.0
    assert spectra.max() <= 1.0


def test_sample_shape_and_seeded(model):
    cond = torch.rand(3, N_CONDITIONS)
    model.eval()

    first = model.sample(cond, generator=torch.Generator().manual_seed(1))
    second = model.sample(cond, generator=torch.Generator().manual_seed(1))

    assert first.shape == (3, N_BANDS)
    assert torch.equal(first, second)


def test_signed_range_helper_maps_unit_interval():
    values = torch.tensor([0.0, 0.25, 1.0])

    assert torch.allclose(to_signed_range(values), torch.tensor([-1.0, -0.5, 1.0]))


def test_hybrid_encoder_memory_shape():
    model = build_model(TINY_MODELS["conformer"], N_BANDS, N_CONDITIONS)

    mu, logvar, memory = model.encode(torch.rand(2, N_BANDS), torch.rand(2, N_CONDITIONS))

    assert memory.shape == (2, N_BANDS, 16)
    assert model.latent_to_memory(mu, torch.rand(2, N_CONDITIONS)).shape == (2, N_BANDS, 16)


def test_relative_bias_matches_hand_computation():
    bias_module = RelativePositionBias(n_heads=2, max_length=4)
    with torch.no_grad():
        # Offsets -3 … 3 map to table columns 0 … 6; value = 10 * head + offset.
        for head in range(2):
            for column in range(7):
                bias_module.table[head, column] = 10 * head + (column - 3)

    bias = bias_module(3)

    assert bias.shape == (1, 2, 3, 3)
    for head in range(2):
        for i in range(3):
            for j in range(3):
                assert bias[0, head, i, j].item() == 10 * head + (i - j)


def test_relative_bias_rejects_longer_sequence():
    with pytest.raises(ValueError, match="exceeds the relative-position table"):
        RelativePositionBias(n_heads=2, max_length=4)(5)


def test_relative_bias_changes_attention_output():
    torch.manual_seed(0)
    model = build_model(TINY_MODELS["conformer"], N_BANDS, N_CONDITIONS).eval()
    spectra, cond = torch.rand(2, N_BANDS), torch.rand(2, N_CONDITIONS)
    before = model.encode(spectra, cond)[0]

    with torch.no_grad():
        model.encoder_bias.table.normal_(std=3.0)
    after = model.encode(spectra, cond)[0]

    assert not torch.allclose(before, after)


def test_positional_encoding_values():
    table = sinusoidal_positional_encoding(length=5, d_model=4)

    assert table.shape == (5, 4)
    assert torch.allclose(table[:, 0], torch.sin(torch.arange(5.0)))
    assert torch.allclose(table[:, 1], torch.cos(torch.arange(5.0)))
    assert torch.allclose(table[:, 2], torch.sin(torch.arange(5.0) / 100.0))


@pytest.mark.parametrize("name", sorted(TINY_MODELS))
def test_gradients_reach_every_parameter(name):
    torch.manual_seed(0)
    model = build_model(TINY_MODELS[name], N_BANDS, N_CONDITIONS)
    model.train()
    output = model(torch.rand(4, N_BANDS), torch.rand(4, N_CONDITIONS))
    loss = (
        output.recon.sum()
        + output.recon_latent.sum()
        + output.mu.pow(2).sum()
        + output.logvar.exp().sum()
    )

    loss.backward()

    missing = [
        parameter_name
        for parameter_name, parameter in model.named_parameters()
        if parameter.grad is None or parameter.grad.abs().sum() == 0
    ]
    assert missing == []


def test_latent_to_memory_gets_gradient_from_latent_path():
    model = build_model(TINY_MODELS["conformer"], N_BANDS, N_CONDITIONS)
    output = model(torch.rand(4, N_BANDS), torch.rand(4, N_CONDITIONS))

    output.recon_latent.sum().backward()

    assert model.latent_projection.weight.grad is not None
    assert model.latent_projection.weight.grad.abs().sum() > 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (dict(name="conformer", d_model=30, n_heads=4), "divisible by n_heads=4"),
        (dict(name="conformer", d_model=32, n_heads=4, conv_kernel_size=4), "positive odd number"),
        (dict(name="conformer", d_model=32, n_heads=4, conv_kernel_size=0), "positive odd number"),
        (dict(name="conformer", d_model=32, n_heads=4, conv_kernel_size=-3), "positive odd number"),
        (dict(name="transformer", d_model=30, n_heads=4), "divisible by n_heads=4"),
        (dict(name="conformer", n_layers=0), "n_layers=0"),
        (dict(name="conformer", dropout=1.5), "dropout=1.5"),
        (dict(name="mlp", hidden_dims=[]), "hidden_dims"),
        (dict(name="resnet"), "not a known model"),
        (dict(name="transformer", conv_kernel_size=3), "invalid options"),
    ],
)
def test_validate_model_config_rejects(options, message):
    with pytest.raises(ValueError, match=message):
        validate_model_config(options)


def test_linear_mixing_recovers_endmembers():
    generator = torch.Generator().manual_seed(0)
    endmembers = torch.rand(3, N_BANDS, generator=generator)
    fractions = torch.distributions.Dirichlet(torch.ones(3)).sample((200,))
    spectra = fractions @ endmembers
    model = build_model(dict(name="linear_mixing", latent_dim=2), N_BANDS, 3)

    model.fit_closed_form(spectra, fractions)

    assert torch.allclose(model.endmembers, endmembers, atol=1e-4)
    assert torch.allclose(model.decode(torch.zeros(5, 2), fractions[:5]), spectra[:5], atol=1e-4)


def test_linear_mixing_residual_basis_matches_variance():
    generator = torch.Generator().manual_seed(0)
    fractions = torch.distributions.Dirichlet(torch.ones(3)).sample((4000,))
    direction = torch.zeros(N_BANDS)
    direction[3] = 1.0
    # Residual of standard deviation 0.05 along one band only.
    noise = 0.05 * torch.randn(4000, 1, generator=generator) * direction
    spectra = 0.5 + noise + 0 * fractions.sum(dim=1, keepdim=True)
    model = build_model(dict(name="linear_mixing", latent_dim=1), N_BANDS, 3)

    model.fit_closed_form(spectra, fractions)

    assert abs(model.residual_basis[0].norm().item() - 0.05) < 0.005
    assert abs(model.residual_basis[0, 3].abs().item() - 0.05) < 0.005
