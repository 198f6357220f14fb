"""Reads over a whole round: which rounds there are, the indicators a user may see in one, a unit's
results over every indicator that applies to it (its total), and the round overview (units x
indicators, each weighted score and the total, sorted and filtered).

Query cost, whatever the number of units: the unit round page reads the unit's assessments of the
round in one query; the round overview reads one page of units with their totals (one GROUP BY,
served by the assessment table's indicator index) and that page's assessments (one query).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum

from milestones.models import Assessment, Indicator, Round, StepProgress, Unit
from milestones.rules import scoring

OVERVIEW_PAGE_SIZE = 50


def rounds() -> list[Round]:
    """Every round, the latest first (the round switchers)."""
    return list(Round.objects.order_by("-fiscal_year"))


def round_of(fiscal_year: int | str | None) -> Round | None:
    """The round of that fiscal year, else the current one (the latest open round, else the latest)."""
    if fiscal_year and str(fiscal_year).isdigit():
        found = Round.objects.filter(fiscal_year=int(fiscal_year)).first()
        if found is not None:
            return found
    return Round.objects.current()


def round_indicators(round_: Round, visible: QuerySet[Indicator]) -> list[Indicator]:
    """The round's indicators among those the user may see, by number, with group and weights."""
    return list(
        visible.filter(round=round_)
        .select_related("group", "round")
        .prefetch_related("weights", "steps")
        .order_by("number")
    )


@dataclass
class UnitRound:
    unit: Unit
    round: Round
    assessments: list[Assessment]  # one per indicator that applies to the unit, by indicator number
    total: Decimal


def unit_round(unit: Unit, round_: Round, visible: QuerySet[Assessment]) -> UnitRound:
    """The unit's assessments of the round (those the user may see) and its total over them."""
    assessments = list(
        visible.filter(unit=unit, indicator__round=round_)
        .select_related("indicator__group", "indicator__round")
        .order_by("indicator__number")
    )
    return UnitRound(unit, round_, assessments, scoring.unit_total(a.weighted_score for a in assessments))


def previous_result(assessment: Assessment) -> Assessment | None:
    """The same unit's result on the same indicator (by number) in the round before, if any."""
    return (
        Assessment.objects.filter(
            unit_id=assessment.unit_id,
            indicator__number=assessment.indicator.number,
            indicator__round__fiscal_year=assessment.indicator.round.fiscal_year - 1,
        )
        .select_related("indicator__round")
        .first()
    )


@dataclass
class OverviewRow:
    unit: Unit
    total: Decimal
    cells: list[Assessment | None] = field(default_factory=list)  # in the order of the columns


def round_overview(
    round_: Round,
    indicators: list[Indicator],
    *,
    kind: str = "",
    group: int | None = None,
    status: str = "",
    q: str = "",
    sort: str = "code",
    page: str | int | None = 1,
) -> dict:
    """One page of active units x the given indicators (each weighted score and the unit's total over
    the columns shown), sorted by code, by total or by one indicator, filtered by unit kind, by
    supervising group (its indicators are the columns) and by a step status on any column."""
    columns = [i for i in indicators if group is None or i.group_id == group]
    ids = [i.pk for i in columns]
    in_round = Assessment.objects.filter(unit=OuterRef("pk"), indicator_id__in=ids)
    units = Unit.objects.active().filter(Exists(in_round))
    if kind:
        units = units.filter(kind=kind)
    if q.strip():
        units = units.filter(Q(name__icontains=q.strip()) | Q(code__icontains=q.strip()))
    if status:
        units = units.filter(
            Exists(
                StepProgress.objects.filter(
                    assessment__unit=OuterRef("pk"), assessment__indicator_id__in=ids, status=status
                )
            )
        )
    units = units.annotate(total=Sum("assessments__weighted_score", filter=Q(assessments__indicator_id__in=ids)))
    by_indicator = _sort_indicator(sort, ids)
    if by_indicator is not None:
        units = units.annotate(
            sort_score=Subquery(
                Assessment.objects.filter(unit=OuterRef("pk"), indicator_id=by_indicator).values("weighted_score")[:1]
            )
        )
        units = units.order_by("-sort_score" if sort.startswith("-") else "sort_score", "kind", "code")
    elif sort in ("total", "-total"):
        units = units.order_by(sort, "kind", "code")
    else:
        units = units.order_by("kind", "code")
    paginator_page = Paginator(units, OVERVIEW_PAGE_SIZE).get_page(page)
    page_units = list(paginator_page.object_list)
    by_unit: dict[int, dict[int, Assessment]] = {}
    for a in Assessment.objects.filter(unit__in=page_units, indicator_id__in=ids):
        by_unit.setdefault(a.unit_id, {})[a.indicator_id] = a
    rows = [
        OverviewRow(
            unit=u,
            total=scoring.unit_total([u.total or Decimal("0")]),
            cells=[by_unit.get(u.pk, {}).get(i) for i in ids],
        )
        for u in page_units
    ]
    return {"round": round_, "columns": columns, "rows": rows, "page": paginator_page, "sort": sort}


def _sort_indicator(sort: str, ids: list[int]) -> int | None:
    """The indicator a sort of "i<pk>" or "-i<pk>" names, when it is one of the columns."""
    name = sort.removeprefix("-")
    if name.startswith("i") and name[1:].isdigit() and int(name[1:]) in ids:
        return int(name[1:])
    return None
