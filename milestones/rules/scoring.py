"""Milestone scoring as plain functions.

A unit is at level n when steps 1..n are all accepted; a gap stops the climb.
The score is the score of the step at that level; the weighted score is
score x weight / 100, rounded half-up to 4 places as Thai KPI reports show it.
"""

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

FOUR_PLACES = Decimal("0.0001")
LEVEL_PLACES = Decimal("0.01")  # an average level: 2.67


def level(accepted_steps: Iterable[int]) -> int:
    """The highest n such that steps 1..n are all in accepted_steps."""
    accepted = set(accepted_steps)
    n = 0
    while n + 1 in accepted:
        n += 1
    return n


def score_for_level(level_reached: int, step_scores: Mapping[int, Decimal]) -> Decimal:
    """The score of the step reached; 0 when no step is reached."""
    if level_reached == 0:
        return Decimal("0")
    return Decimal(step_scores[level_reached])


def weighted_score(score: Decimal, weight_percent: Decimal) -> Decimal:
    """score x weight / 100, a Decimal rounded half-up to 4 decimal places."""
    return (Decimal(score) * Decimal(weight_percent) / Decimal(100)).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def unit_total(weighted_scores: Iterable[Decimal]) -> Decimal:
    """A unit's total over the indicators of a round."""
    return sum((Decimal(w) for w in weighted_scores), Decimal("0")).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def average_of(total, count: int, places: Decimal = FOUR_PLACES) -> Decimal | None:
    """total / count rounded half-up to `places`; None when there is nothing to average (no units),
    which pages and reports show as "-" rather than a misleading 0."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(places, rounding=ROUND_HALF_UP)


def average(values: Iterable[Decimal], places: Decimal = FOUR_PLACES) -> Decimal | None:
    """The average of the values (average_of their sum and count)."""
    values = list(values)
    return average_of(sum(values, Decimal("0")), len(values), places)
