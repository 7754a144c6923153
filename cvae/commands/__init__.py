"""Helpers of the command-line apps that use a trained checkpoint or the training config.

`python -m cvae.sample`, `python -m cvae.evaluate` and `python -m cvae.lr_find` are thin
Hydra entry points; the work they share lives in these modules.
"""
