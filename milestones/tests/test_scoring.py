from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestones.rules import scoring

SCORES = {n: Decimal(n) for n in range(1, 6)}


@pytest.mark.parametrize(
    "accepted, weight, level, score, weighted",
    [
        ([], "5", 0, "0", "0.0000"),
        ([], "10", 0, "0", "0.0000"),
        ([1], "5", 1, "1", "0.0500"),
        ([1, 2, 3], "5", 3, "3", "0.1500"),  # central unit at level 3
        ([1, 2, 3, 4, 5], "10", 5, "5", "0.5000"),  # regional unit at level 5
        ([1, 2, 3, 4, 5], "5", 5, "5", "0.2500"),
        ([1, 2, 4, 5], "10", 2, "2", "0.2000"),  # a gap at step 3 stops the climb
        ([2, 3, 4, 5], "10", 0, "0", "0.0000"),  # step 1 missing: nothing counts
        ([1, 3], "5", 1, "1", "0.0500"),
    ],
)
def test_level_score_and_weighted_score(accepted, weight, level, score, weighted):
    reached = scoring.level(accepted)
    assert reached == level
    assert scoring.score_for_level(reached, SCORES) == Decimal(score)
    assert str(scoring.weighted_score(scoring.score_for_level(reached, SCORES), Decimal(weight))) == weighted


def test_weighted_score_rounds_half_up_to_four_places():
    assert scoring.weighted_score(Decimal("1"), Decimal("0.00125")) == Decimal("0.0000")
    assert scoring.weighted_score(Decimal("3"), Decimal("33.335")) == Decimal("1.0001")  # 1.00005 → 1.0001
    assert scoring.weighted_score(Decimal("2.5"), Decimal("7.5")) == Decimal("0.1875")


def test_unit_total_sums_the_indicators_of_a_round():
    assert scoring.unit_total([Decimal("0.1500"), Decimal("0.5000")]) == Decimal("0.6500")
    assert scoring.unit_total([]) == Decimal("0.0000")


steps = st.sets(st.integers(min_value=1, max_value=5))
weights = st.decimals(min_value=0, max_value=100, places=2)


@given(steps)
def test_level_never_exceeds_the_number_of_accepted_steps(accepted):
    assert scoring.level(accepted) <= len(accepted)


@given(steps, st.integers(min_value=1, max_value=5))
def test_accepting_a_step_never_lowers_the_level(accepted, extra):
    assert scoring.level(accepted | {extra}) >= scoring.level(accepted)


@given(steps, weights)
def test_weighted_score_never_exceeds_five_times_weight(accepted, weight):
    score = scoring.score_for_level(scoring.level(accepted), SCORES)
    assert scoring.weighted_score(score, weight) <= Decimal(5) * weight / 100 + Decimal("0.00005")
