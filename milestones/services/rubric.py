"""Reading an indicator definition (YAML or JSON) and loading it.

parse_rubric() checks the whole file first and raises RubricError naming
the field (``indicator.steps[2].score``); load_rubric() then writes it in
one transaction, so a bad file loads nothing.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction

from milestones import indicator_kinds
from milestones import rubric_fields as fields
from milestones.models import (
    AuditAction,
    EvidenceRequirement,
    Indicator,
    Round,
    Step,
    SupervisingGroup,
    UnitKind,
    Weight,
)
from milestones.rubric_fields import RubricError
from milestones.services.assessments import assessments_ensure
from milestones.services.audit import audit_record


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def read_file(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise RubricError(str(path), f"อ่านไฟล์ไม่ได้ ({exc})") from None
    if not isinstance(data, dict):
        raise RubricError("(root)", "ต้องเป็น mapping ที่มี round และ indicator")
    return data


def parse_rubric(data: dict) -> dict:
    """Validate the whole definition; return it normalised. Raises RubricError naming the field.

    The supervising group must exist (load_groups first); the indicator's kind
    (milestones.indicator_kinds) reads its own part of the file."""
    rnd = fields.req(data, "round", "")
    rnd_path = "round"
    parsed_round = {
        "fiscal_year": fields.integer(rnd, "fiscal_year", rnd_path, lo=2500, hi=3000),
        "title": fields.text(rnd, "title", rnd_path, required=False),
        "deadline": fields.date(rnd, "deadline", rnd_path),
    }
    ind = fields.req(data, "indicator", "")
    p = "indicator"
    kind_name = fields.text(ind, "kind", p, required=False) or indicator_kinds.DEFAULT
    if kind_name not in indicator_kinds.names():
        raise RubricError(f"{p}.kind", f"ต้องเป็นหนึ่งใน {', '.join(indicator_kinds.names())}")
    kind = indicator_kinds.kinds()[kind_name]
    group_code = fields.text(ind, "group", p)
    group = SupervisingGroup.objects.filter(code=group_code).first()
    if group is None:
        raise RubricError(f"{p}.group", f"ไม่พบผู้กำกับตัวชี้วัดรหัส {group_code} (นำเข้าด้วย load_groups ก่อน)")
    sample = ind.get("sample", False)
    if not isinstance(sample, bool):
        raise RubricError(f"{p}.sample", "ต้องเป็น true หรือ false")
    of_kind = kind.parse(ind, p)
    parsed = {
        "number": fields.integer(ind, "number", p, lo=1, hi=999),
        "kind": kind_name,
        "title": fields.text(ind, "title", p),
        "unit_of_measure": fields.text(ind, "unit_of_measure", p),
        "description": fields.text(ind, "description", p, required=False),
        "scoring_description": fields.text(ind, "scoring_description", p, required=False),
        "evidence_description": fields.text(ind, "evidence_description", p, required=False),
        "group": group,
        "data_collector": fields.text(ind, "data_collector", p, required=False),
        "data_collector_phone": fields.text(ind, "data_collector_phone", p, required=False),
        "operators": fields.text(ind, "operators", p, required=False),
        "is_sample": sample,
        **{field: of_kind["fields"].get(field, EMPTY_KIND_FIELDS[field]) for field in EMPTY_KIND_FIELDS},
    }

    weights = fields.req(ind, "weights", p)
    if not isinstance(weights, dict):
        raise RubricError(f"{p}.weights", "ต้องเป็น mapping ของประเภทหน่วยงาน (central, regional) กับร้อยละ")
    parsed_weights = {}
    for unit_kind, _pct in weights.items():
        if unit_kind not in UnitKind.values:
            raise RubricError(f"{p}.weights.{unit_kind}", f"ประเภทหน่วยงานต้องเป็น {', '.join(UnitKind.values)}")
        parsed_weights[unit_kind] = fields.decimal(weights, unit_kind, f"{p}.weights", lo=Decimal(0), hi=Decimal(100))
    if not parsed_weights:
        raise RubricError(f"{p}.weights", "ต้องมีน้ำหนักอย่างน้อย 1 ประเภทหน่วยงาน (ตัวชี้วัดใช้กับประเภทที่มีน้ำหนัก)")

    numbers = [s["number"] for s in of_kind["steps"]]
    reqs = ind.get("requirements") or []
    if not isinstance(reqs, list):
        raise RubricError(f"{p}.requirements", "ต้องเป็นรายการ")
    parsed_reqs = []
    for i, req in enumerate(reqs):
        rp = f"{p}.requirements[{i}]"
        req_steps = req.get("steps", []) if isinstance(req, dict) else []
        if not isinstance(req_steps, list) or any(n not in numbers for n in req_steps):
            raise RubricError(f"{rp}.steps", "ต้องเป็นรายการเลขขั้นตอนที่มีอยู่")
        parsed_reqs.append(
            {
                "number": fields.integer(req, "number", rp, lo=1, hi=99),
                "description": fields.text(req, "description", rp),
                "steps": sorted(req_steps),
                "min_count": fields.integer(req, "min_count", rp, default=0, lo=0, hi=100),
                "is_report": bool(req.get("is_report", False)),
            }
        )
    req_numbers = [r["number"] for r in parsed_reqs]
    if len(set(req_numbers)) != len(req_numbers):
        raise RubricError(f"{p}.requirements", "เลขหลักฐานซ้ำกัน")

    return {
        "round": parsed_round,
        "indicator": parsed,
        "weights": parsed_weights,
        "steps": of_kind["steps"],
        "targets": of_kind["targets"],
        "requirements": parsed_reqs,
    }


# Indicator fields that only some kinds set (a milestone indicator leaves them empty).
EMPTY_KIND_FIELDS = {"value_unit": "", "direction": "", "value_min": None, "value_max": None}


def _upsert(model, lookup: dict, values: dict, result: LoadResult, label: str):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.created.append(label)
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save(update_fields=changed)
        result.updated.append(f"{label} ({', '.join(changed)})")
    else:
        result.unchanged += 1
    return obj


@transaction.atomic
def load_rubric(data: dict, *, source: str = "") -> LoadResult:
    """Load a parsed definition; idempotent. Call parse_rubric() first. A load that changed
    anything is recorded in the audit log (source: where the definition came from)."""
    result = LoadResult()
    rnd = data["round"]
    round_obj = _upsert(
        Round,
        {"fiscal_year": rnd["fiscal_year"]},
        {"title": rnd["title"], "deadline": rnd["deadline"]},
        result,
        f"round {rnd['fiscal_year']}",
    )
    ind = dict(data["indicator"])
    number = ind.pop("number")
    indicator = _upsert(Indicator, {"round": round_obj, "number": number}, ind, result, f"indicator {number}")
    indicator_kinds.kind_of(indicator).load(
        indicator, data, lambda model, lookup, values, label: _upsert(model, lookup, values, result, label)
    )

    for kind, percent in data["weights"].items():
        _upsert(Weight, {"indicator": indicator, "unit_kind": kind}, {"percent": percent}, result, f"weight {kind}")
    for dropped in indicator.weights.exclude(unit_kind__in=data["weights"]):
        dropped.delete()  # the indicator no longer applies to that kind of unit
        result.updated.append(f"weight {dropped.unit_kind} removed")

    steps = {}
    for s in data["steps"]:
        values = {k: v for k, v in s.items() if k != "number"}
        steps[s["number"]] = _upsert(
            Step, {"indicator": indicator, "number": s["number"]}, values, result, f"step {s['number']}"
        )
    # Steps dropped from the file go too, unless a unit already has progress on them (PROTECT).
    for extra in indicator.steps.exclude(number__in=steps):
        extra.delete()
        result.updated.append(f"step {extra.number} removed")

    for r in data["requirements"]:
        values = {k: r[k] for k in ("description", "min_count", "is_report")}
        req = _upsert(
            EvidenceRequirement,
            {"indicator": indicator, "number": r["number"]},
            values,
            result,
            f"requirement {r['number']}",
        )
        wanted = {steps[n].pk for n in r["steps"]}
        if set(req.steps.values_list("pk", flat=True)) != wanted:
            req.steps.set(wanted)
            if f"requirement {r['number']}" not in result.created:
                result.updated.append(f"requirement {r['number']} (steps)")
    indicator.requirements.exclude(number__in=[r["number"] for r in data["requirements"]]).delete()

    assessments_ensure(indicator=indicator)
    if result.changed:
        audit_record(
            action=AuditAction.RUBRIC_LOAD,
            message=source,
            data={"created": result.created, "updated": result.updated},
        )
    return result
