"""The department dashboard's numbers: level counts and shares, averages and weighted
totals, progress by step, units at risk, and one page of the units x steps matrix.

Query cost (fixed, whatever the number of units): the figures come from GROUP BY
aggregates in the database (levels per kind, statuses per step, one summary row), the
at-risk list is capped, and the matrix is paginated: one page of assessments plus the
progress rows of that page. Nothing loads every unit's rows into Python.

The page renders this data through templates (milestones/_dashboard_figures.html,
_dashboard_matrix.html); the rendered fragments are cached per data version
(milestones/fragments.py), so an unchanged dashboard costs one query for the version, one for the
indicator and a cache read, whatever the number of units.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from milestones.models import (
    Assessment,
    Extension,
    ExtensionStatus,
    Indicator,
    StepProgress,
    StepStatus,
    UnitKind,
)
from milestones.rules import deadlines, scoring
from milestones.rules.scoring import LEVEL_PLACES

PAGE_SIZE = 50
FLAGGED_SHOWN = 40

STATUS_LABELS = dict(StepStatus.choices)
STATUS_ORDER = [
    StepStatus.ACCEPTED,
    StepStatus.SUBMITTED,
    StepStatus.RETURNED,
    StepStatus.DRAFT,
    StepStatus.NOT_STARTED,
]
STATUS_MARKS = {
    StepStatus.ACCEPTED: "✓",
    StepStatus.SUBMITTED: "●",
    StepStatus.RETURNED: "↩",
    StepStatus.DRAFT: "✎",
    StepStatus.NOT_STARTED: "·",
}


@dataclass
class Cell:
    status: str
    mark: str
    title: str


@dataclass
class KindStats:
    kind: str
    label: str
    units: int
    levels: list[tuple[int, int, Decimal]]  # (level, units, share %)
    average_level: Decimal | None  # None: no unit of this kind
    total_weighted: Decimal
    average_weighted: Decimal | None


@dataclass
class ChartBar:
    number: int
    y: int
    segments: list[tuple[str, str, float, float, int]] = field(default_factory=list)  # status, label, x, width, n
    accepted_share: Decimal = Decimal("0.0")


def _share(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.0")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _sent(outer: str = "pk") -> Exists:
    return Exists(StepProgress.objects.filter(assessment=OuterRef(outer), submitted_at__isnull=False))


def _late() -> Exists:
    return Exists(StepProgress.objects.filter(assessment=OuterRef("pk"), is_late=True))


def _pending() -> Exists:
    return Exists(Extension.objects.filter(assessment=OuterRef("pk"), status=ExtensionStatus.PENDING))


def _flagged_q(now: dt.datetime) -> Q:
    """At risk: nothing ever submitted, and the effective deadline is near or past (rules.deadlines)."""
    return Q(~_sent()) & deadlines.near_q(now)


def units(indicator: Indicator):
    """Active units' assessments annotated with what the matrix shows."""
    return (
        Assessment.objects.filter(indicator=indicator, unit__is_active=True)
        .annotate(sent=_sent(), late=_late(), pending_extension=_pending())
        .order_by("unit__kind", "unit__code")
    )


def dashboard_data(
    indicator: Indicator,
    *,
    now: dt.datetime,
    kind: str = "",
    status: str = "",
    flagged_only: bool = False,
    q: str = "",
    page: str | int | None = 1,
) -> dict:
    round_deadline = indicator.round.deadline
    plain = Assessment.objects.filter(indicator=indicator, unit__is_active=True)
    flagged_q = _flagged_q(now)

    # One GROUP BY (kind, level): counts, shares, averages, weighted totals, and the
    # late / pending-extension / at-risk counts as filtered aggregates.
    per_kind: dict[str, dict[int, tuple[int, Decimal]]] = {}
    late = pending = flagged_count = 0
    for unit_kind, level, n, weighted, n_late, n_pending, n_flagged in (
        plain.values_list("unit__kind", "level")
        .annotate(
            n=Count("id"),
            w=Sum("weighted_score"),
            late=Count("id", filter=Q(_late())),
            pending=Count("id", filter=Q(_pending())),
            flagged=Count("id", filter=flagged_q),
        )
        .order_by()
    ):
        per_kind.setdefault(unit_kind, {})[level] = (n, Decimal(weighted or 0))
        late, pending, flagged_count = late + n_late, pending + n_pending, flagged_count + n_flagged

    # One GROUP BY (step, status) for the chart and the queue count.
    by_step: dict[int, dict[str, int]] = {}
    for number, step_status, n in (
        StepProgress.objects.filter(assessment__indicator=indicator, assessment__unit__is_active=True)
        .values_list("step__number", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        by_step.setdefault(number, {})[step_status] = n
    step_numbers = sorted(by_step)
    max_level = max(step_numbers, default=0)
    stats = [_kind_stats(per_kind.get(k, {}), k, label, max_level) for k, label in UnitKind.choices]
    unit_count = sum(s.units for s in stats)

    flagged = list(
        plain.filter(flagged_q).order_by("unit__kind", "unit__code").values_list("pk", "unit__code")[:FLAGGED_SHOWN]
    )

    # One page of the matrix: the count, the page, and the page's progress rows.
    shown = plain
    if kind:
        shown = shown.filter(unit__kind=kind)
    if status:
        shown = shown.filter(Exists(StepProgress.objects.filter(assessment=OuterRef("pk"), status=status)))
    if flagged_only:
        shown = shown.filter(flagged_q)
    if q:
        shown = shown.filter(Q(unit__name__icontains=q) | Q(unit__code__icontains=q))
    # The count runs on the plain filter; only the page's rows carry the EXISTS annotations.
    page_obj = Paginator(shown.order_by("unit__kind", "unit__code"), PAGE_SIZE).get_page(page)
    annotated = units(indicator).filter(pk__in=shown.values("pk")) if shown is not plain else units(indicator)
    # start_index() is 0 when nothing matches the filters: the slice must not go negative.
    rows = list(annotated.select_related("unit")[max(page_obj.start_index() - 1, 0) : page_obj.end_index()])
    _attach_cells(rows, step_numbers, now, round_deadline)

    return {
        "step_numbers": step_numbers,
        "page": page_obj,
        "rows": rows,
        "unit_count": unit_count,
        "stats": stats,
        "overall_average_level": scoring.average_of(
            sum(level * n for levels in per_kind.values() for level, (n, _w) in levels.items()),
            unit_count,
            LEVEL_PLACES,
        ),
        "overall_weighted": sum((s.total_weighted for s in stats), Decimal("0")),
        "flagged": flagged,
        "flagged_count": flagged_count,
        "pending_extensions": pending,
        "late": late,
        "awaiting_review": sum(counts.get(StepStatus.SUBMITTED, 0) for counts in by_step.values()),
        "chart": _chart(step_numbers, by_step, unit_count),
        "near_days": deadlines.near_days(),
    }


def _attach_cells(rows: list[Assessment], step_numbers: list[int], now: dt.datetime, round_deadline: dt.date) -> None:
    """Give each assessment on the page its cells (one query for the page's progress rows)."""
    index = {n: i for i, n in enumerate(step_numbers)}
    titles = [str(_("ขั้นตอนที่ %(n)s") % {"n": n}) for n in step_numbers]
    labels = {value: str(label) for value, label in STATUS_LABELS.items()}
    late_label = str(_("ส่งหลังกำหนด"))
    by_pk = {a.pk: a for a in rows}
    for a in rows:
        a.cells = [Cell(StepStatus.NOT_STARTED, STATUS_MARKS[StepStatus.NOT_STARTED], t) for t in titles]
        deadline = deadlines.effective_deadline(round_deadline, a.extended_deadline)
        a.effective_deadline = deadline if deadline != round_deadline else None  # shown only when extended
        a.flagged = not a.sent and deadlines.is_near(deadline, now)
    for assessment_id, number, step_status, is_late in StepProgress.objects.filter(
        assessment_id__in=list(by_pk)
    ).values_list("assessment_id", "step__number", "status", "is_late"):
        i = index.get(number)
        if i is None:
            continue
        title = f"{titles[i]}: {labels[step_status]}" + (f" ({late_label})" if is_late else "")
        by_pk[assessment_id].cells[i] = Cell(step_status, STATUS_MARKS.get(step_status, ""), title)


def _kind_stats(levels: dict[int, tuple[int, Decimal]], kind: str, label, max_level: int) -> KindStats:
    units_n = sum(n for n, _w in levels.values())
    total = sum((w for _n, w in levels.values()), Decimal("0"))
    return KindStats(
        kind=kind,
        label=str(label),
        units=units_n,
        levels=[
            (level, levels.get(level, (0, 0))[0], _share(levels.get(level, (0, 0))[0], units_n))
            for level in range(max_level + 1)
        ],
        average_level=scoring.average_of(sum(level * n for level, (n, _w) in levels.items()), units_n, LEVEL_PLACES),
        total_weighted=total,
        average_weighted=scoring.average_of(total, units_n),
    )


# The chart's geometry (SVG user units); the template draws rects with these numbers.
CHART_LABEL_WIDTH = 90
CHART_BAR_WIDTH = 500
CHART_BAR_HEIGHT = 22
CHART_GAP = 10


def _chart(step_numbers: list[int], by_step: dict[int, dict[str, int]], unit_count: int) -> dict:
    bars = []
    for i, number in enumerate(step_numbers):
        counts = by_step.get(number, {})
        bar = ChartBar(number=number, y=i * (CHART_BAR_HEIGHT + CHART_GAP))
        x = float(CHART_LABEL_WIDTH)
        for status in STATUS_ORDER:
            n = counts.get(status, 0)
            if not n or not unit_count:
                continue
            width = CHART_BAR_WIDTH * n / unit_count
            bar.segments.append((status, str(STATUS_LABELS[status]), round(x, 2), round(width, 2), n))
            x += width
        bar.accepted_share = _share(counts.get(StepStatus.ACCEPTED, 0), unit_count)
        bars.append(bar)
    return {
        "bars": bars,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 70,
        "height": max(len(step_numbers), 1) * (CHART_BAR_HEIGHT + CHART_GAP),
        "bar_height": CHART_BAR_HEIGHT,
        "text_dy": CHART_BAR_HEIGHT - 6,
        "share_x": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 6,
        "legend": [(s, str(STATUS_LABELS[s]), STATUS_MARKS[s]) for s in STATUS_ORDER],
    }
