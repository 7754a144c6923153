"""Hydra sweeper `hydra/sweeper=cvae_optuna`: the Optuna sweeper with failure budgets,
pruning, resumable and multi-process studies. See docs/sweeps.md."""
