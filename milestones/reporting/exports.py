"""The score table, one function shared by the dashboard's downloads and `manage.py export_scores`.

score_rows(indicator) costs three queries whatever the number of units: the steps,
the accepted dates of every step, and the assessments (level, score, weight and
weighted score are stored on them, so nothing is recomputed here).
"""

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from kpi_tracker.lib import thai
from milestones.models import Assessment, Indicator, StepProgress, StepStatus, UnitKind

KIND_LABELS = dict(UnitKind.choices)


@dataclass
class ScoreRow:
    code: str
    name: str
    kind: str
    weight: Decimal
    level: int
    score: Decimal
    weighted_score: Decimal
    accepted_on: dict[int, dt.date | None] = field(default_factory=dict)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def be_date(value: dt.date | None) -> str:
    """15/09/2563: the day/month/B.E. year Thai spreadsheets use."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{thai.be_year(value.year)}"


def score_rows(indicator: Indicator) -> tuple[list[int], list[ScoreRow]]:
    """(step numbers, one row per active unit ordered by kind and code)."""
    step_numbers = list(indicator.steps.order_by("number").values_list("number", flat=True))
    accepted: dict[int, dict[int, dt.date]] = {}
    for assessment_id, number, accepted_at in StepProgress.objects.filter(
        assessment__indicator=indicator, assessment__unit__is_active=True, status=StepStatus.ACCEPTED
    ).values_list("assessment_id", "step__number", "accepted_at"):
        accepted.setdefault(assessment_id, {})[number] = (
            accepted_at.astimezone(thai.BANGKOK).date() if accepted_at else None
        )
    rows = []
    for pk, code, name, kind, weight, level, score, weighted in (
        Assessment.objects.filter(indicator=indicator, unit__is_active=True)
        .order_by("unit__kind", "unit__code")
        .values_list("pk", "unit__code", "unit__name", "unit__kind", "weight", "level", "score", "weighted_score")
    ):
        dates = accepted.get(pk, {})
        rows.append(
            ScoreRow(
                code=code,
                name=name,
                kind=kind,
                weight=weight,
                level=level,
                score=score,
                weighted_score=weighted,
                accepted_on={n: dates.get(n) for n in step_numbers},
            )
        )
    return step_numbers, rows


def header(step_numbers: list[int]) -> list[str]:
    return [
        _("รหัสหน่วยงาน"),
        _("ชื่อหน่วยงาน"),
        _("ประเภท"),
        _("น้ำหนัก (ร้อยละ)"),
        _("ระดับ"),
        _("คะแนน"),
        _("คะแนนถ่วงน้ำหนัก"),
        *[_("ขั้นตอนที่ %(n)s ผ่านเมื่อ") % {"n": n} for n in step_numbers],
    ]


def table(step_numbers: list[int], rows: list[ScoreRow]) -> list[list[str]]:
    """Header plus rows as text, weighted score to 4 decimals and dates in B.E."""
    lines = [header(step_numbers)]
    for row in rows:
        lines.append(
            [
                row.code,
                row.name,
                row.kind_label,
                f"{row.weight.normalize():f}",
                str(row.level),
                f"{row.score.normalize():f}",
                f"{row.weighted_score:.4f}",
                *[be_date(row.accepted_on.get(n)) for n in step_numbers],
            ]
        )
    return lines


def as_csv(step_numbers: list[int], rows: list[ScoreRow], *, bom: bool = True) -> str:
    """CSV text; with a byte-order mark so that Excel reads the Thai as UTF-8."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(table(step_numbers, rows))
    return buffer.getvalue()


def as_json(step_numbers: list[int], rows: list[ScoreRow]) -> str:
    return json.dumps(
        [
            {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "weight": f"{r.weight.normalize():f}",
                "level": r.level,
                "score": f"{r.score.normalize():f}",
                "weighted_score": f"{r.weighted_score:.4f}",
                "accepted_on": {str(n): be_date(r.accepted_on.get(n)) or None for n in step_numbers},
            }
            for r in rows
        ],
        ensure_ascii=False,
        indent=2,
    )


def as_xlsx(step_numbers: list[int], rows: list[ScoreRow], *, title: str) -> bytes:
    """An Excel workbook: numbers as numbers (weighted score shown with 4 decimals), dates as B.E. text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("คะแนน")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(header(step_numbers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(
            [
                row.code,
                row.name,
                row.kind_label,
                float(row.weight),
                row.level,
                float(row.score),
                float(row.weighted_score),
                *[be_date(row.accepted_on.get(n)) for n in step_numbers],
            ]
        )
    for excel_row in sheet.iter_rows(min_row=3, min_col=7, max_col=7):
        excel_row[0].number_format = "0.0000"
    sheet.column_dimensions["B"].width = 45
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
