"""Loading the unit list from CSV: validate every row first, then write all or nothing."""

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import transaction

from milestones.models import AuditAction, Unit, UnitKind
from milestones.services.assessments import assessments_ensure_open_rounds
from milestones.services.audit import audit_record

KIND_ALIASES = {
    "central": UnitKind.CENTRAL,
    "ส่วนกลาง": UnitKind.CENTRAL,
    "regional": UnitKind.REGIONAL,
    "ส่วนภูมิภาค": UnitKind.REGIONAL,
}
REQUIRED_COLUMNS = ("code", "name", "kind")
TRUE_VALUES = {"1", "true", "yes", "y", "ใช่", ""}
FALSE_VALUES = {"0", "false", "no", "n", "ไม่"}


class UnitsError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class UnitsResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)


def parse_units(text: str) -> list[dict]:
    """Rows as dicts; raises UnitsError listing every bad row by its line number (header is row 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise UnitsError([f"แถวที่ 1: ไม่มีคอลัมน์ {', '.join(missing)}"])
    rows, errors, seen = [], [], {}
    for row_number, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        code, name = row.get("code", ""), row.get("name", "")
        problems = []
        if not code:
            problems.append("ไม่มีรหัสหน่วยงาน (code)")
        elif len(code) > 20:
            problems.append("รหัสหน่วยงานยาวเกิน 20 ตัวอักษร")
        elif code in seen:
            problems.append(f"รหัส {code} ซ้ำกับแถวที่ {seen[code]}")
        if not name:
            problems.append("ไม่มีชื่อหน่วยงาน (name)")
        elif len(name) > 255:
            problems.append("ชื่อหน่วยงานยาวเกิน 255 ตัวอักษร")
        kind = KIND_ALIASES.get(row.get("kind", "").lower())
        if kind is None:
            problems.append(f"ประเภท (kind) ต้องเป็น central หรือ regional ไม่ใช่ {row.get('kind', '')!r}")
        active = row.get("is_active", "").lower()
        if active not in TRUE_VALUES | FALSE_VALUES:
            problems.append(f"is_active ต้องเป็น 1 หรือ 0 ไม่ใช่ {active!r}")
        if row.get("parent") and row.get("parent") == code:
            problems.append("หน่วยงานสังกัดตัวเองไม่ได้")
        if problems:
            errors.append(f"แถวที่ {row_number}: " + "; ".join(problems))
            continue
        seen[code] = row_number
        rows.append(
            {
                "row": row_number,
                "code": code,
                "name": name,
                "name_en": row.get("name_en", ""),
                "phone": row.get("phone", ""),
                "kind": kind,
                "parent": row.get("parent", ""),
                "is_active": active not in FALSE_VALUES,
            }
        )
    known = set(seen) | set(Unit.objects.values_list("code", flat=True))
    # The hierarchy after loading: the database's parents, overridden by the file's rows.
    parents = dict(Unit.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    parents.update({row["code"]: row["parent"] for row in rows})
    for row in rows:
        if row["parent"] and row["parent"] not in known:
            errors.append(f"แถวที่ {row['row']}: ไม่พบหน่วยงานต้นสังกัดรหัส {row['parent']}")
        elif cycle := parent_cycle(row["code"], parents):
            errors.append(f"แถวที่ {row['row']}: สายการสังกัดวนกลับมาที่หน่วยงานเดิม ({' → '.join(cycle)})")
    if errors:
        raise UnitsError(sorted(errors, key=lambda e: int(e.split(":")[0].split()[-1])))
    return rows


def parent_cycle(code: str, parents: Mapping[str, str]) -> list[str]:
    """The chain code → parent → ... → code when following parents comes back to code, else [].

    parents maps a unit's code to its parent's code ("" or absent: no parent). A loop that
    does not pass through code is not code's: it is reported for the units on it.
    """
    chain = [code]
    current = parents.get(code, "")
    while current:
        if current == code:
            return [*chain, code]
        if current in chain:
            return []
        chain.append(current)
        current = parents.get(current, "")
    return []


@transaction.atomic
def load_units(rows: list[dict], *, sample: bool = False, source: str = "") -> UnitsResult:
    """Write parsed rows (parse_units), all or none; a load that changed anything is recorded in the
    audit log (source: where the rows came from)."""
    result = UnitsResult()
    existing = {u.code: u for u in Unit.objects.all()}
    status: dict[str, str] = {}
    # First pass without parents, so a parent later in the file exists when it is linked.
    for row in rows:
        values = {k: row[k] for k in ("name", "name_en", "phone", "kind", "is_active")}
        if sample:
            values["is_sample"] = True
        unit = existing.get(row["code"])
        if unit is None:
            existing[row["code"]] = Unit.objects.create(code=row["code"], **values)
            status[row["code"]] = "created"
            continue
        changed = [k for k, v in values.items() if getattr(unit, k) != v]
        if changed:
            for k in changed:
                setattr(unit, k, values[k])
            unit.save(update_fields=changed)
            result.changes.append(f"{row['code']}: {', '.join(changed)}")
        status[row["code"]] = "updated" if changed else "unchanged"
    for row in rows:
        unit = existing[row["code"]]
        parent_id = existing[row["parent"]].pk if row["parent"] else None
        if unit.parent_id != parent_id:
            unit.parent_id = parent_id
            unit.save(update_fields=["parent"])
            if status[row["code"]] == "unchanged":
                status[row["code"]] = "updated"
                result.changes.append(f"{row['code']}: parent")
    result.created = sum(1 for s in status.values() if s == "created")
    result.updated = sum(1 for s in status.values() if s == "updated")
    result.unchanged = sum(1 for s in status.values() if s == "unchanged")
    assessments_ensure_open_rounds()
    if result.created or result.updated:
        audit_record(
            action=AuditAction.UNITS_LOAD,
            message=source,
            data={"created": result.created, "updated": result.updated},
        )
    return result
