"""Scoring as plain functions.

- Milestone indicators: a unit is at level n when steps 1..n are all accepted; a gap stops the
  climb. The score is the score of the step at that level.
- Quantitative indicators: the accepted value against five targets (interpolate).
- The weighted score is score x weight / 100, rounded half-up to 4 places as Thai KPI reports
  show it; a unit's total over a round is the sum of its weighted scores.
"""

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

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


def interpolate(value: Decimal, targets: Sequence[Decimal], direction: str) -> Decimal:
    """The score of a measured value against the targets of levels 1..5, rounded half-up to 4 places.

    At target k the score is k; between targets k and k+1 it is k plus the proportion of the way;
    at or past target 5 it is 5; short of target 1 it is 0. direction "higher": bigger values are
    better (targets increase); "lower": smaller values are better (targets decrease).
    """
    if len(targets) != 5:
        raise ValueError("five targets, for levels 1 to 5")
    sign = Decimal(1) if direction == "higher" else Decimal(-1)
    v = Decimal(value) * sign
    t = [Decimal(x) * sign for x in targets]  # now increasing whichever way is better
    if v < t[0]:
        return Decimal("0.0000")
    if v >= t[4]:
        return Decimal("5.0000")
    for k in range(4):
        if t[k] <= v < t[k + 1]:
            score = (k + 1) + (v - t[k]) / (t[k + 1] - t[k])
            return score.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    raise ValueError("targets must be strictly monotonic")  # pragma: no cover - equal targets


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


def value_refusal(value: Decimal, low: Decimal | None, high: Decimal | None) -> str | None:
    """Why a quantitative indicator's reported value is outside the range its rubric declares (Thai),
    or None when it is inside (either bound may be absent)."""
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            return _("ค่าที่รายงานต้องอยู่ระหว่าง %(low)s ถึง %(high)s") % {"low": _plain(low), "high": _plain(high)}
        if low is not None:
            return _("ค่าที่รายงานต้องไม่น้อยกว่า %(low)s") % {"low": _plain(low)}
        return _("ค่าที่รายงานต้องไม่มากกว่า %(high)s") % {"high": _plain(high)}
    return None


def _plain(number: Decimal) -> str:
    return f"{Decimal(number).normalize():f}"
