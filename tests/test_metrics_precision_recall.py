"""Known-answer tests for k-NN manifold precision and recall."""

import numpy as np
import pytest

from cvae.evaluation import knn_radii, precision_recall, precision_recall_per_condition


def test_precision_recall_identical_sets_one():
    spectra = np.random.default_rng(0).uniform(0, 1, size=(20, 30))

    precision, recall = precision_recall(spectra, spectra, k=3)

    assert precision == 1.0
    assert recall == 1.0


def test_precision_recall_far_shift_zero():
    spectra = np.random.default_rng(1).uniform(0, 1, size=(20, 30))

    precision, recall = precision_recall(spectra, spectra + 10.0, k=3)

    assert precision == 0.0
    assert recall == 0.0


def test_precision_recall_known_one_dimensional_case():
    # Real points 0..3 have k=1 radii of 1. Generated 0.5 lies inside, 10 does not.
    # The two generated points are 9.5 apart, so their balls cover every real point.
    real = np.array([[0.0], [1.0], [2.0], [3.0]])
    generated = np.array([[0.5], [10.0]])

    precision, recall = precision_recall(real, generated, k=1)

    assert precision == 0.5
    assert recall == 1.0


def test_precision_recall_mode_collapse_low_recall():
    # Generated points crowd around real point 0 with k=1 radii of 0.1, so they are all
    # realistic but cover only that one of ten real points.
    real = np.arange(10.0)[:, None]
    generated = np.array([[0.0], [0.1], [0.2], [0.3]])

    precision, recall = precision_recall(real, generated, k=1)

    assert precision == 1.0
    assert recall == pytest.approx(0.1)


def test_precision_recall_rejects_invalid_k():
    with pytest.raises(ValueError, match="k must be"):
        precision_recall(np.zeros((3, 2)), np.zeros((3, 2)), k=0)


def test_knn_radii_known_values():
    points = np.array([[0.0], [1.0], [3.0], [7.0]])

    np.testing.assert_allclose(knn_radii(points, 1), [1.0, 1.0, 2.0, 4.0])
    np.testing.assert_allclose(knn_radii(points, 2), [3.0, 2.0, 3.0, 6.0])


def test_knn_radii_duplicates_and_small_sets():
    duplicates = np.array([[0.0], [0.0], [2.0]])

    np.testing.assert_allclose(knn_radii(duplicates, 1), [0.0, 0.0, 2.0])
    # Three points cannot have a 5th neighbour, so the 2nd is used instead.
    np.testing.assert_allclose(knn_radii(duplicates, 5), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(knn_radii(np.array([[4.0]]), 3), [0.0])


def test_precision_recall_per_condition_known_values():
    real_spectra = np.array([[0.0], [1.0], [2.0], [3.0], [100.0], [101.0]])
    real_conditions = np.array([[0.0], [0.0], [0.0], [0.0], [1.0], [1.0]])
    eval_conditions = np.array([[0.0], [1.0]])
    generated = [np.array([[0.5], [10.0]]), np.array([[100.0], [101.0]])]

    precision, recall = precision_recall_per_condition(
        real_spectra, real_conditions, eval_conditions, generated, k=4, radius=0.5, manifold_k=1
    )

    np.testing.assert_allclose(precision.values, [0.5, 1.0])
    np.testing.assert_allclose(recall.values, [1.0, 1.0])
    assert precision.mean == 0.75
