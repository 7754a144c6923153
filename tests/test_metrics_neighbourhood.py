"""Tests for condition neighbourhoods, evaluation-condition selection and grouping."""

import numpy as np
import pytest

from cvae.evaluation import (
    PerConditionMetric,
    find_neighbourhoods,
    group_generated_by_condition,
    per_condition_metric,
    select_eval_conditions,
)


def test_find_neighbourhoods_nearest_first():
    real_conditions = np.array([[0.0], [0.5], [0.9], [1.0], [0.2]])
    eval_conditions = np.array([[0.95], [0.1]])

    neighbourhoods = find_neighbourhoods(real_conditions, eval_conditions, k=3)

    # Distances to 0.95: 0.05 (rows 2 and 3, tie broken by row order), then 0.45 (row 1).
    np.testing.assert_array_equal(neighbourhoods[0], [2, 3, 1])
    # Distances to 0.1: 0.1 (rows 0 and 4, tie broken by row order), then 0.4 (row 1).
    np.testing.assert_array_equal(neighbourhoods[1], [0, 4, 1])


def test_find_neighbourhoods_radius_limits():
    real_conditions = np.array([[0.0, 0.0], [0.3, 0.4], [3.0, 4.0]])
    eval_conditions = np.array([[0.0, 0.0], [10.0, 10.0]])

    neighbourhoods = find_neighbourhoods(real_conditions, eval_conditions, k=3, radius=0.5)

    # Row 1 is at distance exactly 0.5, which is inside. Row 2 is at distance 5.
    np.testing.assert_array_equal(neighbourhoods[0], [0, 1])
    assert neighbourhoods[1].size == 0


def test_find_neighbourhoods_k_above_rows_keeps_all():
    neighbourhoods = find_neighbourhoods(np.array([[0.0], [1.0]]), np.array([[0.4]]), k=10)

    np.testing.assert_array_equal(neighbourhoods[0], [0, 1])


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_find_neighbourhoods_rejects_invalid_k(k):
    with pytest.raises(ValueError, match="k must be"):
        find_neighbourhoods(np.zeros((3, 1)), np.zeros((1, 1)), k=k)


def test_find_neighbourhoods_rejects_column_mismatch():
    with pytest.raises(ValueError, match="eval_conditions has 2 columns"):
        find_neighbourhoods(np.zeros((3, 3)), np.zeros((1, 2)))


def test_per_condition_metric_mean_skips_nan():
    result = PerConditionMetric(np.array([1.0, np.nan, 3.0]))

    assert result.mean == 2.0
    assert result.n_missing == 1


def test_per_condition_metric_all_empty_is_nan():
    result = per_condition_metric(
        np.zeros((2, 3)), [np.array([], dtype=int)], np.zeros((1, 4, 3)), lambda g, r: 1.0
    )

    assert result.values.shape == (1,)
    assert np.isnan(result.mean)
    assert result.n_missing == 1


def test_per_condition_metric_passes_neighbourhood_rows():
    real_spectra = np.array([[1.0], [2.0], [4.0]])
    generated = np.zeros((2, 1, 1))

    result = per_condition_metric(
        real_spectra, [np.array([0, 2]), np.array([1])], generated, lambda g, r: r.sum()
    )

    np.testing.assert_array_equal(result.values, [5.0, 2.0])


def test_select_eval_conditions_unique_and_seeded():
    conditions = np.array([[0.2, 0.8], [0.2, 0.8], [0.5, 0.5], [1.0, 0.0], [0.0, 1.0]] * 3)

    first = select_eval_conditions(conditions, n=3, seed=7)
    second = select_eval_conditions(conditions, n=3, seed=7)

    assert first.shape == (3, 2)
    assert np.unique(first, axis=0).shape[0] == 3
    np.testing.assert_array_equal(first, second)
    for row in first:
        assert (conditions == row).all(axis=1).any()


def test_select_eval_conditions_seed_changes_choice():
    conditions = np.linspace(0, 1, 50)[:, None]

    choices = {tuple(select_eval_conditions(conditions, n=5, seed=seed)[:, 0]) for seed in range(5)}

    assert len(choices) > 1


def test_select_eval_conditions_all_unique_rows():
    conditions = np.array([[0.0], [1.0], [1.0], [0.5]])

    selected = select_eval_conditions(conditions, n=3, seed=0)

    np.testing.assert_array_equal(selected, [[0.0], [0.5], [1.0]])


def test_select_eval_conditions_rejects_too_many():
    with pytest.raises(ValueError, match="only 2 unique condition rows"):
        select_eval_conditions(np.array([[0.0], [1.0], [1.0]]), n=3, seed=0)


def test_group_generated_by_condition_groups_rows():
    eval_conditions = np.array([[1.0, 0.0], [0.0, 1.0]])
    generated_conditions = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0 + 1e-8]])
    generated = np.array([[0.1, 0.1], [0.2, 0.2], [0.3, 0.3], [0.4, 0.4]])

    groups = group_generated_by_condition(generated, generated_conditions, eval_conditions)

    np.testing.assert_array_equal(groups[0], [[0.2, 0.2], [0.4, 0.4]])
    np.testing.assert_array_equal(groups[1], [[0.1, 0.1], [0.3, 0.3]])


def test_group_generated_by_condition_rejects_unknown_condition():
    with pytest.raises(ValueError, match="row 1"):
        group_generated_by_condition(
            np.zeros((2, 3)), np.array([[1.0, 0.0], [0.5, 0.5]]), np.array([[1.0, 0.0]])
        )


def test_group_generated_by_condition_rejects_missing_group():
    with pytest.raises(ValueError, match="no generated rows"):
        group_generated_by_condition(
            np.zeros((2, 3)),
            np.array([[1.0, 0.0], [1.0, 0.0]]),
            np.array([[1.0, 0.0], [0.0, 1.0]]),
        )
