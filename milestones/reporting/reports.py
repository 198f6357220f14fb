"""What the PDF reports and the E-saraban package show, gathered as plain data.

The templates under templates/reports/ only lay these values out; nothing here renders.
Every function reads a fixed, small number of queries whatever the number of steps,
files or decisions (the department summary: one query for all units).
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from evidence.models import EvidenceFile
from milestones.models import (
    Assessment,
    Decision,
    DecisionKind,
    Filing,
    Indicator,
    StepStatus,
    UnitKind,
)
from milestones.rules.scoring import FOUR_PLACES, LEVEL_PLACES, average

DEFAULT_DEPARTMENT = "กรมประมง"


def department_name() -> str:
    return getattr(settings, "DEPARTMENT_NAME", DEFAULT_DEPARTMENT)


def display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class StepRow:
    number: int
    description: str
    status: str
    status_label: str
    accepted_at: dt.datetime | None
    reviewer: str


@dataclass(frozen=True)
class EvidenceRow:
    requirement_number: int | None
    step_number: int
    original_name: str
    evidence_date: dt.date | None
    uploaded_at: dt.datetime
    sha256: str
    stored_name: str
    size: int
    content_type: str

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]

    @property
    def package_name(self) -> str:
        """The file's name inside the E-saraban package: "<requirement number>-<original name>"."""
        prefix = self.requirement_number if self.requirement_number is not None else f"s{self.step_number}"
        return f"{prefix}-{self.original_name}"


@dataclass(frozen=True)
class CommentRow:
    step_number: int
    kind: str
    kind_label: str
    comment: str
    decided_by: str
    decided_at: dt.datetime


def evidence_index(assessment: Assessment) -> list[EvidenceRow]:
    """The unit's current evidence files (not removed), by requirement number then upload time. One query."""
    files = (
        EvidenceFile.objects.current()
        .filter(progress__assessment=assessment)
        .select_related("requirement", "progress__step")
        .order_by("requirement__number", "progress__step__number", "uploaded_at", "id")
    )
    rows = [
        EvidenceRow(
            requirement_number=f.requirement.number if f.requirement_id else None,
            step_number=f.progress.step.number,
            original_name=f.original_name,
            evidence_date=f.evidence_date,
            uploaded_at=f.uploaded_at,
            sha256=f.sha256,
            stored_name=f.stored_name,
            size=f.size,
            content_type=f.content_type,
        )
        for f in files
    ]
    # Files with no requirement go last (databases disagree on where NULL sorts).
    return sorted(rows, key=lambda r: r.requirement_number is None)


def package_names(rows: list[EvidenceRow]) -> list[str]:
    """Each file's name in the package, made unique: a second "1-รายงาน.pdf" becomes "1-รายงาน (2).pdf"."""
    seen: Counter[str] = Counter()
    names = []
    for row in rows:
        name = row.package_name
        seen[name] += 1
        if seen[name] > 1:
            stem, dot, ext = name.rpartition(".")
            name = f"{stem} ({seen[name]}).{ext}" if dot and stem else f"{name} ({seen[name]})"
        names.append(name)
    return names


def unit_report(assessment: Assessment) -> dict:
    """The unit score report: the unit, its steps with who accepted them, scores, evidence, comments."""
    indicator = Indicator.objects.select_related("round").get(pk=assessment.indicator_id)
    progresses = list(assessment.steps.select_related("step").order_by("step__number"))
    decisions = list(
        Decision.objects.filter(progress__assessment=assessment)
        .select_related("decided_by", "progress__step")
        .order_by("decided_at", "id")
    )
    accepted_by: dict[int, Decision] = {}
    for decision in decisions:
        if decision.kind == DecisionKind.ACCEPTED:
            accepted_by[decision.progress_id] = decision  # the latest acceptance wins
    steps = []
    for p in progresses:
        acceptance = accepted_by.get(p.pk) if p.status == StepStatus.ACCEPTED else None
        steps.append(
            StepRow(
                number=p.step.number,
                description=p.step.description,
                status=p.status,
                status_label=str(p.get_status_display()),
                accepted_at=p.accepted_at if p.status == StepStatus.ACCEPTED else None,
                reviewer=display_name(acceptance.decided_by) if acceptance else "",
            )
        )
    comments = [
        CommentRow(
            step_number=d.progress.step.number,
            kind=d.kind,
            kind_label=str(d.get_kind_display()),
            comment=d.comment,
            decided_by=display_name(d.decided_by),
            decided_at=d.decided_at,
        )
        for d in decisions
        if d.comment.strip()
    ]
    return {
        "department": department_name(),
        "indicator": indicator,
        "round": indicator.round,
        "unit": assessment.unit,
        "unit_kind": str(assessment.unit.get_kind_display()),
        "assessment": assessment,
        "steps": steps,
        "evidence": evidence_index(assessment),
        "comments": comments,
        "filing": assessment.filings.order_by("-created_at", "-id").first(),
    }


@dataclass(frozen=True)
class SummaryRow:
    code: str
    name: str
    level: int
    score: Decimal
    weight: Decimal
    weighted_score: Decimal
    esaraban_number: str = ""
    esaraban_date: dt.date | None = None


@dataclass(frozen=True)
class SummaryGroup:
    kind: str
    label: str
    rows: list[SummaryRow]
    level_counts: list[int]  # index = level

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def total_weighted(self) -> Decimal:
        return sum((r.weighted_score for r in self.rows), Decimal("0")).quantize(FOUR_PLACES)

    @property
    def average_weighted(self) -> Decimal | None:
        return average([r.weighted_score for r in self.rows])

    @property
    def average_level(self) -> Decimal | None:
        return average([Decimal(r.level) for r in self.rows], places=LEVEL_PLACES)


# Bar colours of the level chart, by unit kind (the legend in the template uses the same).
KIND_COLOURS = {"central": "#2f6db5", "regional": "#e08a1e"}


@dataclass(frozen=True)
class Bar:
    level: int
    kind: str
    colour: str
    count: int
    x: float
    y: float
    width: float
    height: float


def level_chart(groups: list[SummaryGroup], max_level: int, *, width: int = 640, height: int = 220) -> dict:
    """Geometry of the bar chart (number of units at each level, one bar per kind) for inline SVG."""
    left, bottom, top = 40, 30, 20
    plot_h = height - bottom - top
    slot = (width - left - 10) / (max_level + 1)
    bar_w = slot * 0.8 / max(len(groups), 1)
    peak = max([c for g in groups for c in g.level_counts] + [1])
    bars = []
    for level in range(max_level + 1):
        for i, group in enumerate(groups):
            count = group.level_counts[level]
            h = plot_h * count / peak
            x = left + level * slot + slot * 0.1 + i * bar_w
            bars.append(
                Bar(
                    level,
                    group.kind,
                    KIND_COLOURS.get(group.kind, "#555"),
                    count,
                    round(x, 1),
                    round(top + plot_h - h, 1),
                    round(bar_w, 1),
                    round(h, 1),
                )
            )
    labels = [(level, round(left + level * slot + slot / 2, 1)) for level in range(max_level + 1)]
    return {
        "width": width,
        "height": height,
        "baseline": top + plot_h,
        "left": left,
        "right": width - 10,
        "peak": peak,
        "bars": bars,
        "labels": labels,
        "label_y": top + plot_h + 18,
    }


def department_summary(indicator: Indicator) -> dict:
    """Every active unit's level and weighted score, central and regional apart, with totals and the chart.

    One query for the units (values(), so 500 units cost no model instances), one for the
    steps, one for the E-saraban numbers recorded (the latest per unit).
    """
    indicator = Indicator.objects.select_related("round").get(pk=indicator.pk)
    max_level = indicator.steps.count()
    values = (
        Assessment.objects.filter(indicator=indicator, unit__is_active=True)
        .order_by("unit__kind", "unit__code")
        .values_list("pk", "unit__kind", "unit__code", "unit__name", "level", "score", "weight", "weighted_score")
    )
    filed: dict[int, tuple[str, dt.date | None]] = {}
    for assessment_id, number, date in (
        Filing.objects.filter(assessment__indicator=indicator)
        .exclude(esaraban_number="")
        .order_by("assessment_id", "-recorded_at", "-id")
        .values_list("assessment_id", "esaraban_number", "esaraban_date")
    ):
        filed.setdefault(assessment_id, (number, date))
    by_kind: dict[str, list[SummaryRow]] = {kind: [] for kind in UnitKind.values}
    for pk, kind, code, name, level, score, weight, weighted in values:
        number, date = filed.get(pk, ("", None))
        by_kind[kind].append(SummaryRow(code, name, level, score, weight, weighted, number, date))
    groups = []
    for kind, label in UnitKind.choices:
        rows = by_kind[kind]
        counts = [0] * (max_level + 1)
        for row in rows:
            counts[min(row.level, max_level)] += 1
        groups.append(SummaryGroup(kind=kind, label=str(label), rows=rows, level_counts=counts))
    all_rows = [r for g in groups for r in g.rows]
    as_of = Assessment.objects.filter(indicator=indicator).aggregate(at=Max("updated_at"))["at"]
    return {
        "department": department_name(),
        "indicator": indicator,
        "round": indicator.round,
        "groups": groups,
        "count": len(all_rows),
        "total_weighted": sum((r.weighted_score for r in all_rows), Decimal("0")).quantize(FOUR_PLACES),
        "average_weighted": average([r.weighted_score for r in all_rows]),
        "average_level": average([Decimal(r.level) for r in all_rows], places=LEVEL_PLACES),
        "levels": list(range(max_level + 1)),
        "level_totals": [sum(g.level_counts[lv] for g in groups) for lv in range(max_level + 1)],
        "chart": level_chart(groups, max_level),
        "as_of": as_of,
        "filed_count": len(filed),
    }


def memo_body(filing: Filing) -> dict:
    """The cover memo: the filing's header fields, the unit's result and the attachments it lists."""
    assessment = Assessment.objects.select_related("unit", "indicator__round").get(pk=filing.assessment_id)
    evidence = evidence_index(assessment)
    return {
        "department": department_name(),
        "filing": filing,
        "assessment": assessment,
        "unit": assessment.unit,
        "indicator": assessment.indicator,
        "round": assessment.indicator.round,
        "supervisor": assessment.indicator.supervisor,
        "attachments": package_names(evidence),
    }
