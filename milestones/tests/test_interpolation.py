"""Quantitative scoring (rules.scoring.interpolate): the bands' edges, between them, past the ends,
both directions; table-driven and with hypothesis."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from milestones.rules.scoring import interpolate, value_refusal

HIGHER = [Decimal(v) for v in ("60", "70", "80", "90", "100")]
LOWER = [Decimal(v) for v in ("30", "25", "20", "15", "10")]  # days to answer: fewer is better


@pytest.mark.parametrize(
    ("value", "score"),
    [
        ("0", "0.0000"),
        ("59.9999", "0.0000"),  # short of target 1
        ("60", "1.0000"),  # at target k: k
        ("65", "1.5000"),  # half way between 1 and 2
        ("70", "2.0000"),
        ("72.5", "2.2500"),
        ("80", "3.0000"),
        ("89.99", "3.9990"),
        ("90", "4.0000"),
        ("97", "4.7000"),
        ("100", "5.0000"),  # at target 5
        ("250", "5.0000"),  # past target 5
        ("63.33335", "1.3333"),  # rounded half-up to 4 places
        ("63.3335", "1.3334"),
    ],
)
def test_higher_is_better(value, score):
    assert interpolate(Decimal(value), HIGHER, "higher") == Decimal(score)


@pytest.mark.parametrize(
    ("value", "score"),
    [
        ("45", "0.0000"),
        ("30.01", "0.0000"),
        ("30", "1.0000"),
        ("27.5", "1.5000"),
        ("25", "2.0000"),
        ("21", "2.8000"),
        ("20", "3.0000"),
        ("12.5", "4.5000"),
        ("10", "5.0000"),
        ("0", "5.0000"),
        ("-3", "5.0000"),
    ],
)
def test_lower_is_better(value, score):
    assert interpolate(Decimal(value), LOWER, "lower") == Decimal(score)


def test_five_targets_are_needed():
    with pytest.raises(ValueError):
        interpolate(Decimal("1"), HIGHER[:4], "higher")


values = st.decimals(min_value=-1000, max_value=1000, allow_nan=False, allow_infinity=False, places=3)


@given(values, values)
def test_a_better_value_never_scores_less(a, b):
    low, high = sorted([a, b])
    assert interpolate(low, HIGHER, "higher") <= interpolate(high, HIGHER, "higher")
    assert interpolate(high, LOWER, "lower") <= interpolate(low, LOWER, "lower")


@given(values)
def test_the_score_is_between_0_and_5_with_4_places(value):
    for targets, direction in ((HIGHER, "higher"), (LOWER, "lower")):
        score = interpolate(value, targets, direction)
        assert Decimal("0") <= score <= Decimal("5")
        assert score == score.quantize(Decimal("0.0001"))


@given(st.integers(min_value=0, max_value=4), st.fractions(min_value=0, max_value=1))
def test_between_targets_the_score_is_the_level_plus_the_proportion(k, fraction):
    value = HIGHER[k] + (HIGHER[min(k + 1, 4)] - HIGHER[k]) * Decimal(fraction.numerator) / Decimal(
        fraction.denominator
    )
    expected = Decimal(k + 1) + (Decimal(fraction.numerator) / Decimal(fraction.denominator) if k < 4 else 0)
    assert abs(interpolate(value, HIGHER, "higher") - min(expected, Decimal(5))) <= Decimal("0.00005")


@given(
    st.lists(
        st.decimals(min_value=-500, max_value=500, places=2, allow_nan=False), min_size=5, max_size=5, unique=True
    ),
    values,
)
def test_mirrored_targets_give_the_same_score(targets, value):
    """Lower-is-better is higher-is-better seen in a mirror: negate the targets and the value."""
    rising = sorted(targets)
    falling = [-t for t in rising]
    assert interpolate(value, rising, "higher") == interpolate(-value, falling, "lower")


def test_values_outside_the_declared_range_are_refused_in_thai():
    assert value_refusal(Decimal("101"), Decimal("0"), Decimal("100")) == "ค่าที่รายงานต้องอยู่ระหว่าง 0 ถึง 100"
    assert value_refusal(Decimal("-1"), Decimal("0"), None) == "ค่าที่รายงานต้องไม่น้อยกว่า 0"
    assert value_refusal(Decimal("366"), None, Decimal("365")) == "ค่าที่รายงานต้องไม่มากกว่า 365"
    assert value_refusal(Decimal("100"), Decimal("0"), Decimal("100")) is None
    assert value_refusal(Decimal("5"), None, None) is None
