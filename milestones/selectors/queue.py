"""The review queue's read: steps of active units, filtered, with a count per status.

Query cost: two queries whatever the number of units (the GROUP BY of statuses, and the page).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from milestones.models import Indicator, StepProgress, StepStatus

PAGE_SIZE = 50


@dataclass
class Queue:
    rows: QuerySet[StepProgress]  # oldest first; paginate it
    status_counts: list[tuple[str, str, int]]  # (status, label, count) for every status
    total: int


def review_queue(indicators: Iterable[Indicator], *, status: str = "", kind: str = "", step=None, q: str = "") -> Queue:
    """The indicators' steps in `status` (every status when empty), filtered by unit kind, step
    number and a search on the unit's name or code; the counts ignore the status filter."""
    base = StepProgress.objects.filter(
        assessment__indicator__in=[i.pk for i in indicators], assessment__unit__is_active=True
    )
    if kind:
        base = base.filter(assessment__unit__kind=kind)
    if step:
        base = base.filter(step__number=step)
    if q.strip():
        q = q.strip()
        base = base.filter(Q(assessment__unit__name__icontains=q) | Q(assessment__unit__code__icontains=q))
    counts = {row["status"]: row["n"] for row in base.values("status").annotate(n=Count("id")).order_by()}
    rows = base.filter(status=status) if status else base
    rows = rows.select_related("step", "assessment__unit", "assessment__indicator", "changed_by").order_by(
        "submitted_at", "changed_at", "assessment__unit__code", "step__number"
    )
    return Queue(
        rows=rows,
        status_counts=[(value, label, counts.get(value, 0)) for value, label in StepStatus.choices],
        total=sum(counts.values()),
    )
