"""The round's score table: one row per active unit, a column per indicator (its weighted score, empty
where the indicator does not apply to the unit) and the unit's total. Shared by the round
overview's downloads and `manage.py export_scores --round Y` (without --indicator).

round_rows() costs two queries whatever the number of units: the units and all their assessments
of the round.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from milestones.models import Assessment, Indicator, Unit, UnitKind
from milestones.rules import scoring

KIND_LABELS = dict(UnitKind.choices)


@dataclass
class RoundRow:
    code: str
    name: str
    kind: str
    weighted: dict[int, Decimal | None] = field(default_factory=dict)  # indicator pk -> weighted score
    total: Decimal = Decimal("0")

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


def round_rows(indicators: list[Indicator]) -> list[RoundRow]:
    """Every active unit with an assessment on one of the indicators, ordered by kind and code."""
    ids = [i.pk for i in indicators]
    rows: dict[int, RoundRow] = {}
    for unit_id, code, name, kind in (
        Unit.objects.active()
        .filter(assessments__indicator_id__in=ids)
        .distinct()
        .order_by("kind", "code")
        .values_list("pk", "code", "name", "kind")
    ):
        rows[unit_id] = RoundRow(code=code, name=name, kind=kind, weighted=dict.fromkeys(ids))
    for unit_id, indicator_id, weighted in Assessment.objects.filter(
        indicator_id__in=ids, unit_id__in=list(rows)
    ).values_list("unit_id", "indicator_id", "weighted_score"):
        rows[unit_id].weighted[indicator_id] = weighted
    for row in rows.values():
        row.total = scoring.unit_total(w for w in row.weighted.values() if w is not None)
    return list(rows.values())


def header(indicators: list[Indicator]) -> list[str]:
    return [
        _("รหัสหน่วยงาน"),
        _("ชื่อหน่วยงาน"),
        _("ประเภท"),
        *[_("ตัวชี้วัดที่ %(n)s (คะแนนถ่วงน้ำหนัก)") % {"n": i.number} for i in indicators],
        _("คะแนนรวม"),
    ]


def table(indicators: list[Indicator], rows: list[RoundRow]) -> list[list[str]]:
    lines = [header(indicators)]
    for row in rows:
        cells = [row.weighted.get(i.pk) for i in indicators]
        lines.append(
            [
                row.code,
                row.name,
                row.kind_label,
                *["" if c is None else f"{c:.4f}" for c in cells],
                f"{row.total:.4f}",
            ]
        )
    return lines


def as_csv(indicators: list[Indicator], rows: list[RoundRow], *, bom: bool = True) -> str:
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(_text_safe(line) for line in table(indicators, rows))
    return buffer.getvalue()


def as_json(indicators: list[Indicator], rows: list[RoundRow]) -> str:
    return json.dumps(
        [
            {
                "code": r.code,
                "name": r.name,
                "kind": r.kind,
                "indicators": {
                    str(i.number): (None if r.weighted.get(i.pk) is None else f"{r.weighted[i.pk]:.4f}")
                    for i in indicators
                },
                "total": f"{r.total:.4f}",
            }
            for r in rows
        ],
        ensure_ascii=False,
        indent=2,
    )


def as_xlsx(indicators: list[Indicator], rows: list[RoundRow], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("คะแนนรวมของรอบ")
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(header(indicators))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        cells = [row.weighted.get(i.pk) for i in indicators]
        sheet.append(
            [
                *_text_safe([row.code, row.name, row.kind_label]),
                *[None if c is None else float(c) for c in cells],
                float(row.total),
            ]
        )
    for excel_row in sheet.iter_rows(min_row=3, min_col=4, max_col=4 + len(indicators)):
        for cell in excel_row:
            cell.number_format = "0.0000"
    sheet.column_dimensions["B"].width = 45
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text_safe(cells: list[str]) -> list[str]:
    """A cell a spreadsheet would read as a formula (= + - @, a tab or carriage return first) is kept
    as text by a leading apostrophe."""
    return [f"'{c}" if isinstance(c, str) and c[:1] in ("=", "+", "-", "@", "\t", "\r") else c for c in cells]
