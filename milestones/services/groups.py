"""Loading the supervising groups (ผู้กำกับตัวชี้วัด) from CSV: validate every row first, then write all or none.

Columns: code, name, phone (optional), is_sample (optional, 1/0). A group no longer in the file is
kept: indicators of past rounds still name it.
"""

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from milestones.models import AuditAction, SupervisingGroup
from milestones.services.audit import audit_record

REQUIRED_COLUMNS = ("code", "name")
TRUE_VALUES = {"1", "true", "yes", "y", "ใช่"}
FALSE_VALUES = {"", "0", "false", "no", "n", "ไม่"}


class GroupsError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class GroupsResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def parse_groups(text: str) -> list[dict]:
    """Rows as dicts; raises GroupsError listing every bad row by its line number (header is row 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise GroupsError([f"แถวที่ 1: ไม่มีคอลัมน์ {', '.join(missing)}"])
    rows, errors, seen = [], [], {}
    for number, raw in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in raw.items() if k}
        problems = []
        code, name = row.get("code", ""), row.get("name", "")
        if not code:
            problems.append("ไม่มีรหัสกลุ่ม (code)")
        elif slugify(code) != code.lower() or len(code) > 30:
            problems.append(f"รหัส {code!r} ต้องเป็นตัวอักษรอังกฤษ ตัวเลข หรือ - ไม่เกิน 30 ตัว")
        elif code in seen:
            problems.append(f"รหัส {code} ซ้ำกับแถวที่ {seen[code]}")
        if not name:
            problems.append("ไม่มีชื่อกลุ่ม (name)")
        sample = row.get("is_sample", "").lower()
        if sample not in TRUE_VALUES | FALSE_VALUES:
            problems.append(f"is_sample ต้องเป็น 1 หรือ 0 ไม่ใช่ {sample!r}")
        if problems:
            errors.append(f"แถวที่ {number}: " + "; ".join(problems))
            continue
        seen[code] = number
        rows.append({"code": code, "name": name, "phone": row.get("phone", ""), "is_sample": sample in TRUE_VALUES})
    if errors:
        raise GroupsError(errors)
    return rows


@transaction.atomic
def load_groups(rows: list[dict], *, source: str = "") -> GroupsResult:
    """Create or update the groups by code; a load that changed anything is in the audit log."""
    result = GroupsResult()
    existing = {g.code: g for g in SupervisingGroup.objects.all()}
    for row in rows:
        values = {k: row[k] for k in ("name", "phone", "is_sample")}
        group = existing.get(row["code"])
        if group is None:
            SupervisingGroup.objects.create(code=row["code"], **values)
            result.created += 1
        elif any(getattr(group, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(group, k, v)
            group.save()
            result.updated += 1
        else:
            result.unchanged += 1
    if result.created or result.updated:
        audit_record(
            action=AuditAction.GROUPS_LOAD,
            message=source,
            data={"created": result.created, "updated": result.updated},
        )
    return result
