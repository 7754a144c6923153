"""Hyperparameter sweeps: per-epoch trial reporting and helpers of the cvae_optuna sweeper.

The sweeper itself is the Hydra plugin in `hydra_plugins/cvae_optuna_sweeper`; see
docs/sweeps.md for usage.
"""
