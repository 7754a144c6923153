"""The plain PyTorch training loop and what it needs: devices, schedules, checkpoints."""
