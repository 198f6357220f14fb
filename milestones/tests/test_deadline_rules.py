"""The deadline rules (milestones/rules/deadlines.py): each Python form, and each SQL form
selecting exactly what the Python form says, on both databases."""

import datetime as dt

import pytest

from kpi_tracker.lib.thai import BANGKOK
from milestones.models import Assessment, StepProgress
from milestones.rules import deadlines


def test_deadline_last_second_and_first_second_after():
    deadline = dt.date(2020, 9, 15)
    last_second = dt.datetime(2020, 9, 15, 23, 59, 59, tzinfo=BANGKOK)
    first_after = dt.datetime(2020, 9, 16, 0, 0, 0, tzinfo=BANGKOK)
    assert not deadlines.is_past(deadline, last_second)
    assert deadlines.is_past(deadline, first_after)
    # The same instants seen from UTC.
    assert not deadlines.is_past(deadline, dt.datetime(2020, 9, 15, 16, 59, 59, tzinfo=dt.UTC))
    assert deadlines.is_past(deadline, dt.datetime(2020, 9, 15, 17, 0, 0, tzinfo=dt.UTC))


def test_days_left():
    deadline = dt.date(2020, 9, 15)
    assert deadlines.days_left(deadline, dt.datetime(2020, 9, 8, 9, 0, tzinfo=BANGKOK)) == 7
    assert deadlines.days_left(deadline, dt.datetime(2020, 9, 15, 23, 0, tzinfo=BANGKOK)) == 0
    assert deadlines.days_left(deadline, dt.datetime(2020, 9, 16, 0, 1, tzinfo=BANGKOK)) == -1


def test_an_extension_counts_only_when_it_is_later_than_the_rounds_deadline():
    round_deadline = dt.date(2020, 9, 15)
    assert deadlines.effective_deadline(round_deadline, None) == round_deadline
    assert deadlines.effective_deadline(round_deadline, dt.date(2020, 9, 1)) == round_deadline
    assert deadlines.effective_deadline(round_deadline, dt.date(2020, 10, 1)) == dt.date(2020, 10, 1)


def test_a_submission_is_late_only_after_the_rounds_own_deadline_ended_in_bangkok():
    round_deadline = dt.date(2020, 9, 15)
    assert not deadlines.is_late(round_deadline, dt.datetime(2020, 9, 15, 23, 59, tzinfo=BANGKOK))
    assert deadlines.is_late(round_deadline, dt.datetime(2020, 9, 16, 0, 0, 1, tzinfo=BANGKOK))


@pytest.mark.parametrize(
    ("days", "state"), [(30, "open"), (15, "open"), (14, "near"), (1, "near"), (0, "today"), (-1, "past")]
)
def test_the_deadline_state_follows_the_one_near_setting(settings, days, state):
    settings.DEADLINE_NEAR_DAYS = 14
    now = dt.datetime(2020, 9, 1, 10, 0, tzinfo=BANGKOK)
    assert deadlines.state(now.date() + dt.timedelta(days=days), now) == state
    assert deadlines.is_near(now.date() + dt.timedelta(days=days), now) is (state != "open")


EXTENDED = [None, dt.date(2020, 9, 1), dt.date(2020, 9, 15), dt.date(2020, 9, 20), dt.date(2020, 10, 30)]


@pytest.mark.parametrize(
    "now_day", [dt.date(2020, 8, 20), dt.date(2020, 9, 1), dt.date(2020, 9, 16), dt.date(2020, 10, 20)]
)
def test_the_sql_forms_agree_with_the_python_forms(cast, settings, now_day):
    """Every combination of extension and today: the annotated effective deadline and the near-deadline
    filter (on assessments and through step progress) select what the Python rules say."""
    settings.DEADLINE_NEAR_DAYS = 14
    now = dt.datetime.combine(now_day, dt.time(10, 0), tzinfo=BANGKOK)
    for extended in EXTENDED:
        Assessment.objects.filter(pk=cast.assessment_a.pk).update(extended_deadline=extended)
        a = Assessment.objects.select_related("indicator__round").get(pk=cast.assessment_a.pk)
        python_deadline = deadlines.effective_deadline(a.indicator.round.deadline, a.extended_deadline)
        assert a.deadline == python_deadline
        annotated = Assessment.objects.annotate(d=deadlines.effective_deadline_sql()).get(pk=a.pk).d
        assert annotated == python_deadline, extended
        near_in_sql = Assessment.objects.filter(deadlines.near_q(now), pk=a.pk).exists()
        assert near_in_sql is deadlines.is_near(python_deadline, now), (extended, now_day)
        through_steps = StepProgress.objects.filter(deadlines.near_q(now, "assessment__"), assessment=a).exists()
        assert through_steps is near_in_sql
