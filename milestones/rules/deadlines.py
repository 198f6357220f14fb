"""The deadline rules, each written once, with its SQL form beside its Python form.

- A deadline "by 15 September" means until the end of that day in Bangkok (end_of_day).
- A unit's effective deadline is the round's, or a later extension granted to its assessment
  (effective_deadline / effective_deadline_sql).
- A submission is late when it is made after the round's own deadline (is_late); only an
  extension lets a unit submit then.
- A deadline is near when it is at most DEADLINE_NEAR_DAYS days away, or past (is_near / near_q):
  the dashboard's at-risk list, the reminders and the unit page's warning all use this one rule.

tests/test_deadline_rules.py checks that each SQL form selects exactly what its Python form says.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Case, DateField, F, Q, When
from django.db.models.lookups import LessThanOrEqual

from kpi_tracker.lib.thai import BANGKOK


def end_of_day(day: dt.date) -> dt.datetime:
    """The last instant of a day in Bangkok."""
    return dt.datetime.combine(day, dt.time.max, tzinfo=BANGKOK)


def today(now: dt.datetime) -> dt.date:
    """The date in Bangkok at `now`."""
    return now.astimezone(BANGKOK).date()


def effective_deadline(round_deadline: dt.date, extended_deadline: dt.date | None) -> dt.date:
    if extended_deadline and extended_deadline > round_deadline:
        return extended_deadline
    return round_deadline


def effective_deadline_sql(prefix: str = ""):
    """effective_deadline() as an expression; prefix is the path from the queried model to the
    assessment ("" on Assessment, "assessment__" on StepProgress)."""
    round_deadline, extended = f"{prefix}indicator__round__deadline", f"{prefix}extended_deadline"
    return Case(
        When(**{f"{extended}__gt": F(round_deadline)}, then=F(extended)),
        default=F(round_deadline),
        output_field=DateField(),
    )


def is_past(deadline: dt.date, now: dt.datetime) -> bool:
    """True once `now` is after the end of the deadline day in Bangkok."""
    return now > end_of_day(deadline)


def is_late(round_deadline: dt.date, now: dt.datetime) -> bool:
    """A submission at `now` is late: after the round's own deadline (an extension allowed it)."""
    return is_past(round_deadline, now)


def days_left(deadline: dt.date, now: dt.datetime) -> int:
    """Whole days from today (Bangkok) to the deadline day; 0 on the day itself, negative after."""
    return (deadline - today(now)).days


def near_days() -> int:
    return settings.DEADLINE_NEAR_DAYS


def is_near(deadline: dt.date, now: dt.datetime) -> bool:
    """At most near_days() days away, or past."""
    return days_left(deadline, now) <= near_days()


def near_q(now: dt.datetime, prefix: str = "") -> Q:
    """is_near() on the effective deadline, as a condition (prefix as in effective_deadline_sql)."""
    limit = today(now) + dt.timedelta(days=near_days())
    return Q(LessThanOrEqual(effective_deadline_sql(prefix), limit))


def state(deadline: dt.date, now: dt.datetime) -> str:
    """ "past", "today", "near" or "open": how a page should present the deadline."""
    days = days_left(deadline, now)
    if days < 0:
        return "past"
    if days == 0:
        return "today"
    return "near" if days <= near_days() else "open"
