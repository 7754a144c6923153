"""Reference estimators that predict cover fractions from a spectrum, and their errors.

A generated spectrum is faithful to its condition when a fraction estimator fitted on
real spectra reads back the requested fractions. The same estimator's error on real
held-out spectra is the floor that generated spectra cannot be expected to beat.
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.optimize import nnls
from sklearn.linear_model import Ridge, RidgeCV

from cvae.evaluation._arrays import as_generated_groups, as_matrix

logger = logging.getLogger(__name__)

METHODS = ("nnls", "ridge")

# Candidate ridge penalties searched with efficient leave-one-out cross-validation when
# no alpha is given. Reflectance spectra have strongly correlated bands, so the useful
# penalty can be small. The grid spans eight decades in half-decade steps.
DEFAULT_RIDGE_ALPHAS = tuple(float(alpha) for alpha in np.logspace(-6, 2, 17))


def normalise_fractions(fractions: np.ndarray) -> np.ndarray:
    """Set negative fractions to 0 and scale each row to sum to 1.

    Values above 1 are not clipped first, so NNLS abundances of a spectrum brighter than
    the endmembers keep their proportions. A row that is all zero after clipping carries
    no information and becomes the uniform row 1 / n_conditions.
    """
    clipped = np.clip(fractions, 0.0, None)
    totals = clipped.sum(axis=1, keepdims=True)
    uniform = np.full_like(clipped, 1.0 / clipped.shape[1])
    return np.divide(clipped, totals, out=uniform, where=totals > 0)


class FractionEstimator:
    """Reference estimator of cover fractions (n_conditions per spectrum) from reflectance spectra.

    Methods:
        ``"nnls"``: linear unmixing. ``fit`` estimates one endmember spectrum per
            condition column by least squares on the training set, solving
            spectra ≈ conditions @ E for E of shape (n_conditions, n_bands).
            ``predict`` solves non-negative least squares (scipy.optimize.nnls) of each
            spectrum on E, then scales the abundances to sum to 1.
        ``"ridge"``: linear regression from spectra to conditions with an L2 penalty
            (scikit-learn Ridge, with intercept). ``predict`` clips to [0, 1] and scales
            each row to sum to 1. With ``alpha=None`` the penalty is chosen from
            DEFAULT_RIDGE_ALPHAS by leave-one-out cross-validation (RidgeCV).

    With ``sum_to_one=False`` the final scaling is skipped (ridge still clips to [0, 1]),
    for condition columns that are not a full set of cover fractions.

    Args:
        method: ``"nnls"`` or ``"ridge"``.
        alpha: ridge penalty, or None to select it by cross-validation. Ignored by nnls.
        sum_to_one: whether predictions are scaled to sum to 1.
    """

    def __init__(
        self, method: str = "nnls", *, alpha: float | None = None, sum_to_one: bool = True
    ) -> None:
        if method not in METHODS:
            raise ValueError(f"Unknown fraction estimator method {method!r}. Use one of {METHODS}.")
        if alpha is not None and not alpha > 0:
            raise ValueError(f"alpha must be a positive ridge penalty or None, got {alpha!r}.")
        self.method = method
        self.alpha = alpha
        self.sum_to_one = bool(sum_to_one)
        # Fitted state. The nnls method sets endmembers E (n_conditions, n_bands). The ridge
        # method sets coef (n_conditions, n_bands), intercept (n_conditions,) and fitted_alpha.
        self.endmembers: np.ndarray | None = None
        self.coef: np.ndarray | None = None
        self.intercept: np.ndarray | None = None
        self.fitted_alpha: float | None = None

    @property
    def is_fitted(self) -> bool:
        return self.endmembers is not None or self.coef is not None

    @property
    def n_bands(self) -> int:
        self._check_fitted()
        weights = self.endmembers if self.method == "nnls" else self.coef
        return int(weights.shape[1])

    @property
    def n_conditions(self) -> int:
        self._check_fitted()
        weights = self.endmembers if self.method == "nnls" else self.coef
        return int(weights.shape[0])

    def fit(self, spectra, conditions) -> FractionEstimator:
        """Fit on real training spectra (n, n_bands) and their fractions (n, n_conditions)."""
        spectra = as_matrix(spectra, "spectra")
        conditions = as_matrix(conditions, "conditions")
        if conditions.shape[0] != spectra.shape[0]:
            raise ValueError(
                f"fit got {spectra.shape[0]} spectra but {conditions.shape[0]} condition rows. "
                "Pass one condition row per spectrum."
            )
        if self.method == "nnls":
            self._fit_endmembers(spectra, conditions)
        else:
            self._fit_ridge(spectra, conditions)
        return self

    def _fit_endmembers(self, spectra: np.ndarray, conditions: np.ndarray) -> None:
        endmembers, _, rank, _ = np.linalg.lstsq(conditions, spectra, rcond=None)
        if rank < conditions.shape[1]:
            # lstsq then returns the minimum-norm solution, which is not a set of
            # physical endmembers, so the unmixing below is unreliable.
            logger.warning(
                "The training conditions have rank %d < %d columns (a fraction that is "
                "always zero, or columns that are linear combinations of others). The "
                "estimated endmembers are not unique.",
                rank,
                conditions.shape[1],
            )
        self.endmembers = endmembers

    def _fit_ridge(self, spectra: np.ndarray, conditions: np.ndarray) -> None:
        if self.alpha is None:
            model = RidgeCV(alphas=DEFAULT_RIDGE_ALPHAS).fit(spectra, conditions)
            self.fitted_alpha = float(model.alpha_)
        else:
            model = Ridge(alpha=self.alpha).fit(spectra, conditions)
            self.fitted_alpha = float(self.alpha)
        self.coef = np.atleast_2d(model.coef_).astype(np.float64)
        self.intercept = np.atleast_1d(model.intercept_).astype(np.float64)

    def predict(self, spectra) -> np.ndarray:
        """Predict fractions, shape (n, n_conditions), for spectra of shape (n, n_bands)."""
        self._check_fitted()
        spectra = as_matrix(spectra, "spectra", n_columns=self.n_bands)
        if self.method == "nnls":
            design = self.endmembers.T
            fractions = np.stack([nnls(design, spectrum)[0] for spectrum in spectra])
        else:
            fractions = np.clip(spectra @ self.coef.T + self.intercept, 0.0, 1.0)
        if self.sum_to_one:
            fractions = normalise_fractions(fractions)
        return fractions

    def to_dict(self) -> dict:
        """Return the fitted estimator as plain Python lists and scalars (JSON-ready)."""
        self._check_fitted()
        state = {"method": self.method, "sum_to_one": self.sum_to_one, "alpha": self.alpha}
        if self.method == "nnls":
            state["endmembers"] = self.endmembers.tolist()
        else:
            state["fitted_alpha"] = self.fitted_alpha
            state["coef"] = self.coef.tolist()
            state["intercept"] = self.intercept.tolist()
        return state

    @classmethod
    def from_dict(cls, state: dict) -> FractionEstimator:
        """Rebuild a fitted estimator from the output of to_dict()."""
        method = state.get("method")
        required = ["endmembers"] if method == "nnls" else ["fitted_alpha", "coef", "intercept"]
        missing = [key for key in ["method", "sum_to_one", "alpha", *required] if key not in state]
        if missing:
            raise ValueError(
                f"Fraction estimator state lacks keys {missing}. Pass the dict that "
                "FractionEstimator.to_dict() returned."
            )
        estimator = cls(method, alpha=state["alpha"], sum_to_one=state["sum_to_one"])
        if method == "nnls":
            estimator.endmembers = np.array(state["endmembers"], dtype=np.float64, ndmin=2)
            return estimator

        estimator.fitted_alpha = float(state["fitted_alpha"])
        estimator.coef = np.array(state["coef"], dtype=np.float64, ndmin=2)
        estimator.intercept = np.array(state["intercept"], dtype=np.float64, ndmin=1)
        if estimator.intercept.shape != (estimator.coef.shape[0],):
            raise ValueError(
                f"Fraction estimator state has coef of shape {estimator.coef.shape} but "
                f"intercept of shape {estimator.intercept.shape}. The intercept needs one "
                "value per condition."
            )
        return estimator

    def _check_fitted(self) -> None:
        if not self.is_fitted:
            raise RuntimeError(
                "FractionEstimator is not fitted. Call fit(spectra, conditions) or from_dict()."
            )


def fraction_errors(predicted, requested) -> dict[str, float]:
    """Return the MAE and RMSE between predicted and requested fractions.

    Both are pooled over every sample and every condition column.

    Args:
        predicted: (n, n_conditions) predicted fractions.
        requested: (n, n_conditions) requested or true fractions.

    Returns:
        ``{"mae": ..., "rmse": ...}`` in fraction units.
    """
    predicted = as_matrix(predicted, "predicted")
    requested = as_matrix(requested, "requested", n_columns=predicted.shape[1])
    if predicted.shape[0] != requested.shape[0]:
        raise ValueError(
            f"predicted has {predicted.shape[0]} rows but requested has {requested.shape[0]}. "
            "Pass one requested row per prediction."
        )
    errors = predicted - requested
    return {
        "mae": float(np.mean(np.abs(errors))),
        "rmse": float(np.sqrt(np.mean(errors**2))),
    }


def fraction_fidelity(estimator: FractionEstimator, eval_conditions, generated) -> dict[str, float]:
    """Compare the fractions that ``estimator`` predicts for generated spectra with requested ones.

    Args:
        estimator: a fitted FractionEstimator, fitted on real training spectra.
        eval_conditions: (n_eval, n_conditions) conditions the spectra were generated for.
        generated: (n_eval, n_per_condition, n_bands) array or a sequence of n_eval
            (n_samples_i, n_bands) arrays, in the order of ``eval_conditions``.

    Returns:
        fraction_errors() pooled over all generated spectra, so a condition with more
        samples weighs more.
    """
    targets = as_matrix(eval_conditions, "eval_conditions", n_columns=estimator.n_conditions)
    groups = as_generated_groups(generated, targets.shape[0], estimator.n_bands)
    predicted = np.concatenate([estimator.predict(group) for group in groups])
    requested = np.repeat(targets, [group.shape[0] for group in groups], axis=0)
    return fraction_errors(predicted, requested)
