"""The audit page's read: the append-only log, filtered, newest first."""

import datetime as dt

from django.db.models import QuerySet

from kpi_tracker.lib.thai import BANGKOK
from milestones.models import AuditEvent
from milestones.rules.deadlines import end_of_day

PAGE_SIZE = 50


def audit_events(filters: dict | None) -> QuerySet[AuditEvent]:
    """Events matching the filter form's cleaned data (unit, user, action, date_from, date_to), dates
    read as whole days in Bangkok; None (a form that did not validate) matches nothing."""
    events = AuditEvent.objects.select_related("unit").order_by("-at", "-id")
    if filters is None:
        return events.none()
    if filters.get("unit"):
        events = events.filter(unit=filters["unit"])
    if filters.get("user"):
        events = events.filter(username__icontains=filters["user"].strip())
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("date_from"):
        events = events.filter(at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=BANGKOK))
    if filters.get("date_to"):
        events = events.filter(at__lte=end_of_day(filters["date_to"]))
    return events
