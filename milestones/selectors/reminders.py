"""Whom the deadline reminders are for."""

import datetime as dt

from django.db.models import Max

from milestones.models import Assessment
from milestones.rules import deadlines


def reminder_targets(*, now: dt.datetime, days: int) -> list[Assessment]:
    """Open rounds' active assessments below the last step whose effective deadline is 0..days days away."""
    assessments = (
        Assessment.objects.filter(indicator__round__is_open=True, unit__is_active=True)
        .select_related("unit", "indicator__round")
        .annotate(last_step=Max("indicator__steps__number"))
        .order_by("unit__kind", "unit__code")
    )
    return [
        a for a in assessments if a.level < (a.last_step or 0) and 0 <= deadlines.days_left(a.deadline, now) <= days
    ]
