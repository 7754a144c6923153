"""Generation metrics during training: how well decode(z ~ N(0, I), cond) matches real
spectra of the same conditions, for early stopping and as the sweep objective."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import torch

from cvae.data import SpectralDataset
from cvae.evaluation import FractionEstimator, evaluate_generation, select_eval_conditions
from cvae.generation import conditions_are_fractions, generate_spectra

log = logging.getLogger(__name__)

GENERATION_METRICS = (
    "mean_spectrum_rmse",
    "sam_mean_rad",
    "energy_distance",
    "mmd2_rbf",
    "precision",
    "recall",
    "fraction_mae",
    "fraction_rmse",
)


@dataclass
class GenerationScoringConfig:
    """Options of the `evaluation` node in `conf/train.yaml`."""

    n_conditions: int = 16
    n_per_condition: int = 16
    neighbourhood_k: int = 5
    fraction_estimator: str = "ridge"


class GenerationScorer:
    """Score generated spectra against one reference split.

    The evaluation conditions are a fixed seeded choice of the reference split's
    conditions, and z is drawn from a fixed seed, so scores of two epochs differ only
    through the model. The fraction estimator is fitted once on the training split.
    """

    def __init__(
        self,
        reference: SpectralDataset,
        train: SpectralDataset,
        config: GenerationScoringConfig,
        seed: int,
    ) -> None:
        self.reference = reference
        self.config = config
        self.seed = seed
        n_unique = np.unique(reference.conditions, axis=0).shape[0]
        self.eval_conditions = select_eval_conditions(
            reference.conditions, min(config.n_conditions, n_unique), seed
        )
        self.estimator = FractionEstimator(
            config.fraction_estimator, sum_to_one=conditions_are_fractions(train.conditions)
        ).fit(train.spectra, train.conditions)

    def __call__(self, model, scaler, device: torch.device) -> dict[str, float]:
        generated = generate_spectra(
            model,
            scaler,
            self.eval_conditions,
            self.config.n_per_condition,
            seed=self.seed,
            device=device,
        )
        metrics = evaluate_generation(
            self.reference.spectra,
            self.reference.conditions,
            self.eval_conditions,
            generated,
            self.estimator,
            neighbourhood_k=self.config.neighbourhood_k,
        )
        return {name: float(metrics[name]) for name in GENERATION_METRICS}
