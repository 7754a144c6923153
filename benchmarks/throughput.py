"""Measure training throughput (samples/s) of the CVAE models on synthetic batches.

    python benchmarks/throughput.py [--bands 210] [--batch-size 8] [--steps 3] [--device cpu]

Each configuration runs one warm-up step and then `--steps` timed AdamW steps with both
decoding paths, as in training. On CUDA, bf16 autocast is used as in `trainer.precision=auto`.
Prints a Markdown table; the figures in docs/benchmarks.md come from it.
"""

from __future__ import annotations

import argparse
import time

import torch

from cvae.losses import LossConfig, elbo_loss
from cvae.models import build_model
from cvae.training.device import autocast_context

CONFIGS = {
    "conformer (defaults: d_model 256, 4+4 layers)": dict(name="conformer"),
    "transformer (defaults: d_model 128, 4+4 layers)": dict(name="transformer"),
    "conformer_small (d_model 32, 2+2 layers)": dict(
        name="conformer", d_model=32, n_heads=4, n_layers=2, latent_dim=8, conv_kernel_size=9
    ),
    "mlp (defaults)": dict(name="mlp"),
}


def measure(options: dict, n_bands: int, batch_size: int, steps: int, device: torch.device) -> tuple[int, float]:
    model = build_model(options, n_bands=n_bands, n_conditions=3).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    spectra = torch.rand(batch_size, n_bands, device=device)
    cond = torch.rand(batch_size, 3, device=device)
    config = LossConfig()

    def step() -> None:
        with autocast_context(device, "auto"):
            output = model(spectra, cond)
        loss = elbo_loss(output.float(), spectra, config, epoch=10.0)["loss"]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - started
    n_parameters = sum(parameter.numel() for parameter in model.parameters())
    return n_parameters, steps * batch_size / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bands", type=int, default=210, help="spectral bands per sample")
    parser.add_argument("--batch-size", type=int, default=8, help="samples per step")
    parser.add_argument("--steps", type=int, default=3, help="timed steps per model")
    parser.add_argument("--device", default="cpu", help="cpu, cuda or mps")
    args = parser.parse_args()
    device = torch.device(args.device)

    print(f"{args.bands} bands, batch {args.batch_size}, {torch.get_num_threads()} CPU threads, {device}")
    print("| model | parameters | training samples/s |")
    print("|---|---|---|")
    for name, options in CONFIGS.items():
        n_parameters, rate = measure(options, args.bands, args.batch_size, args.steps, device)
        print(f"| {name} | {n_parameters:,} | {rate:.1f} |")


if __name__ == "__main__":
    main()
