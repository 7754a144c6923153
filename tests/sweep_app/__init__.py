"""Tiny Hydra app and helpers for the cvae_optuna sweeper tests."""
