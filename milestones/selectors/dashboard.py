"""The department dashboard's numbers: level counts and shares, averages and weighted
totals, progress by step, units at risk, and one page of the units x steps matrix.

Query cost (fixed, whatever the number of units): the figures come from GROUP BY
aggregates in the database (levels per kind, statuses per step, one summary row), the
at-risk list is capped, and the matrix is paginated: one page of assessments plus the
progress rows of that page. Nothing loads every unit's rows into Python.

The page itself is served through overview(): its rendered fragments are cached per data
version, so an unchanged dashboard costs one query for the version, one for the indicator and
a cache read, whatever the number of units (the reasoning is in overview()).
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.contrib.admin.models import LogEntry
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from kpi_tracker.lib import thai
from milestones.models import (
    READ_ONLY_ACTIONS,
    Assessment,
    AuditEvent,
    Extension,
    ExtensionStatus,
    Indicator,
    StepProgress,
    StepStatus,
    UnitKind,
)

# A unit that has sent nothing is flagged when its deadline is this close (or past).
NEAR_DEADLINE_DAYS = 14
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
    average_level: Decimal
    total_weighted: Decimal
    average_weighted: Decimal


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


def _average(total, count: int, places: str) -> Decimal:
    if not count:
        return Decimal(places)
    return (Decimal(total) / Decimal(count)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _sent(outer: str = "pk") -> Exists:
    return Exists(StepProgress.objects.filter(assessment=OuterRef(outer), submitted_at__isnull=False))


def _late() -> Exists:
    return Exists(StepProgress.objects.filter(assessment=OuterRef("pk"), is_late=True))


def _pending() -> Exists:
    return Exists(Extension.objects.filter(assessment=OuterRef("pk"), status=ExtensionStatus.PENDING))


def _flagged_q(indicator: Indicator, today: dt.date) -> Q:
    """Nothing ever submitted, and the effective deadline (the round's or a later extension)
    is at most NEAR_DEADLINE_DAYS away (or past)."""
    limit = today + dt.timedelta(days=NEAR_DEADLINE_DAYS)
    if indicator.round.deadline > limit:
        return Q(pk__in=[])
    return Q(~_sent()) & (Q(extended_deadline__isnull=True) | Q(extended_deadline__lte=limit))


def units(indicator: Indicator):
    """Active units' assessments annotated with what the matrix shows."""
    return (
        Assessment.objects.filter(indicator=indicator, unit__is_active=True)
        .annotate(sent=_sent(), late=_late(), pending_extension=_pending())
        .order_by("unit__kind", "unit__code")
    )


def build(
    indicator: Indicator,
    *,
    now: dt.datetime,
    kind: str = "",
    status: str = "",
    flagged_only: bool = False,
    q: str = "",
    page: str | int | None = 1,
) -> dict:
    today = now.astimezone(thai.BANGKOK).date()
    round_deadline = indicator.round.deadline
    plain = Assessment.objects.filter(indicator=indicator, unit__is_active=True)
    flagged_q = _flagged_q(indicator, today)

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
    _attach_cells(rows, step_numbers, today, round_deadline)

    return {
        "step_numbers": step_numbers,
        "page": page_obj,
        "rows": rows,
        "unit_count": unit_count,
        "stats": stats,
        "overall_average_level": _average(
            sum(level * n for levels in per_kind.values() for level, (n, _w) in levels.items()), unit_count, "0.01"
        ),
        "overall_weighted": sum((s.total_weighted for s in stats), Decimal("0")),
        "flagged": flagged,
        "flagged_count": flagged_count,
        "pending_extensions": pending,
        "late": late,
        "awaiting_review": sum(counts.get(StepStatus.SUBMITTED, 0) for counts in by_step.values()),
        "chart": _chart(step_numbers, by_step, unit_count),
        "near_days": NEAR_DEADLINE_DAYS,
    }


def _attach_cells(rows: list[Assessment], step_numbers: list[int], today: dt.date, round_deadline: dt.date) -> None:
    """Give each assessment on the page its cells (one query for the page's progress rows)."""
    index = {n: i for i, n in enumerate(step_numbers)}
    titles = [str(_("ขั้นตอนที่ %(n)s") % {"n": n}) for n in step_numbers]
    labels = {value: str(label) for value, label in STATUS_LABELS.items()}
    late_label = str(_("ส่งหลังกำหนด"))
    by_pk = {a.pk: a for a in rows}
    for a in rows:
        a.cells = [Cell(StepStatus.NOT_STARTED, STATUS_MARKS[StepStatus.NOT_STARTED], t) for t in titles]
        extended = a.extended_deadline if a.extended_deadline and a.extended_deadline > round_deadline else None
        a.effective_deadline = extended
        a.flagged = not a.sent and (extended or round_deadline) <= today + dt.timedelta(days=NEAR_DEADLINE_DAYS)
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
        average_level=_average(sum(level * n for level, (n, _w) in levels.items()), units_n, "0.01"),
        total_weighted=total,
        average_weighted=_average(total, units_n, "0.0001"),
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


# The cached page: see overview().
CACHE_ALIAS = "dashboard"
# How far back in the id sequences a late commit is looked for (see data_version()).
VERSION_WINDOW = 1000


@dataclass
class Overview:
    """The overview page's indicator and rendered fragments. data is build()'s result when this
    request built the fragments (None when they came from the cache), for tests and debugging."""

    indicator: Indicator | None
    figures: SafeString = SafeString()
    matrix: SafeString = SafeString()
    data: dict | None = None


def overview(
    *,
    now: dt.datetime,
    kind: str = "",
    status: str = "",
    flagged_only: bool = False,
    q: str = "",
    page: str | int | None = 1,
) -> Overview:
    """The current indicator, its figures and one page of its matrix, rendered, from the cache when
    nothing has changed.

    The key holds the data version, the indicator, today's date in Bangkok (the at-risk list and
    the deadlines shown move at midnight without any event), the active language (the labels
    are translated), every filter and the page.

    Why an entry never holds data older than its key:
    - every state change writes an AuditEvent (milestones/services/audit.py), or in the admin a LogEntry,
      in the transaction that makes the change, so the change and the new version become
      visible together;
    - the version is read first, before the indicator and before build() runs its first query.
      Under READ COMMITTED each later statement sees at least what that one saw (SQLite runs one
      writer at a time), so the entry is built from data at least as new as its key. A change
      committed meanwhile may be in it as well: the entry is then newer than its key, and the
      next request, reading the new version, builds again.

    What is cached is the same for every role that may see the overview (require_overview):
    nothing in the fragments depends on the user. The pagination links carry the filters as
    they were applied, not the raw query string. The cache is local to each process (see
    settings.CACHES and docs/deploy.md): processes agree because each reads the version from
    the database.
    """
    version = data_version()  # first: see above
    indicator = Indicator.objects.current()
    if indicator is None:
        return Overview(indicator=None)
    today = now.astimezone(thai.BANGKOK).date()
    # As Paginator.get_page reads it: "02" is page 2, anything not a number page 1, so such
    # spellings share one entry instead of filling the cache with copies.
    page = str(int(page)) if str(page or "").isdigit() else "1"
    parts = [*version, indicator.pk, today.isoformat(), translation.get_language(), kind, status, flagged_only, q, page]
    key = "overview:" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()
    cache = caches[CACHE_ALIAS]
    cached = cache.get(key)
    if cached is not None:
        return Overview(indicator, *cached)
    data = build(indicator, now=now, kind=kind, status=status, flagged_only=flagged_only, q=q, page=page)
    applied = [("q", q), ("kind", kind), ("status", status), ("flagged", "on" if flagged_only else "")]
    figures = render_to_string("milestones/_dashboard_figures.html", {"data": data})
    matrix = render_to_string(
        "milestones/_dashboard_matrix.html", {"data": data, "query": urlencode([(k, v) for k, v in applied if v])}
    )
    cache.set(key, (figures, matrix))
    return Overview(indicator, figures, matrix, data)


def data_version() -> tuple[int | None, int, int | None, int]:
    """What every state change moves, in one query: the newest state-changing AuditEvent
    (logins, downloads and exports change nothing: models.READ_ONLY_ACTIONS) and the newest admin
    LogEntry, each with the count of its rows among the VERSION_WINDOW ids before the newest.

    Ids are handed out when a row is inserted but transactions commit in their own order, so an
    event can become visible after one with a higher id: the newest id then stays the same, the
    count moves (as long as fewer than VERSION_WINDOW ids were handed out between that event's
    insert and its commit, a few milliseconds).

    Query cost: four scalar subqueries, each a backward scan of an index (the partial index
    auditevent_change_idx, django_admin_log's primary key) over at most VERSION_WINDOW entries,
    whatever the size of the logs; about 0.5 ms on PostgreSQL. The SQL is written out because
    building the same subqueries through the ORM took 2 ms of Python per request in the
    dashboard benchmark, as much as the whole login page.
    """
    quote = connection.ops.quote_name
    audit, log, pk, action = (quote(n) for n in (AuditEvent._meta.db_table, LogEntry._meta.db_table, "id", "action"))
    change = f"NOT ({action} IN ({', '.join(['%s'] * len(READ_ONLY_ACTIONS))}))"  # auditevent_change_idx's condition
    latest_change = f"SELECT MAX({pk}) FROM {audit} WHERE {change}"
    latest_log = f"SELECT MAX({pk}) FROM {log}"
    sql = (
        f"SELECT ({latest_change}),"
        f" (SELECT COUNT(*) FROM {audit} WHERE {change} AND {pk} > ({latest_change}) - %s),"
        f" ({latest_log}),"
        f" (SELECT COUNT(*) FROM {log} WHERE {pk} > ({latest_log}) - %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [*READ_ONLY_ACTIONS, *READ_ONLY_ACTIONS, *READ_ONLY_ACTIONS, VERSION_WINDOW, VERSION_WINDOW]
        )
        return tuple(cursor.fetchone())
