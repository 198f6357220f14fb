"""Indicator kind "quantitative": the unit reports one measured value (with its date and evidence
files) in a single reporting step; the supervising group accepts or returns it like any step, and
the accepted value is scored against the five targets (rules.scoring.interpolate).

Rubric file:
    indicator:
      kind: quantitative
      quantitative:
        value_unit: ร้อยละ        # what the value counts
        direction: higher          # or lower: which way is better
        min: 0                     # the range a unit may report (optional)
        max: 100
        targets: [60, 70, 80, 90, 100]   # levels 1..5, strictly better one after the other
        step: "รายงานผล ..."       # the reporting step's description
"""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from milestones.indicator_kinds.base import IndicatorKind
from milestones.models import Direction, StepStatus, Target
from milestones.rubric_fields import RubricError, req, text
from milestones.rules import scoring

# The evidence step kind that takes the value (evidence/kinds/measurement.py).
STEP_KIND = "measurement"
LEVELS = 5


class Quantitative(IndicatorKind):
    name = "quantitative"
    label = _("เชิงปริมาณ (ค่าเป้าหมาย 5 ระดับ)")
    result_template = "milestones/indicator_kinds/quantitative_result.html"

    def parse(self, ind: dict, path: str) -> dict:
        q = req(ind, "quantitative", path)
        qp = f"{path}.quantitative"
        direction = text(q, "direction", qp)
        if direction not in Direction.values:
            raise RubricError(f"{qp}.direction", f"ต้องเป็น {' หรือ '.join(Direction.values)}")
        low = _number(q.get("min"), f"{qp}.min", required=False)
        high = _number(q.get("max"), f"{qp}.max", required=False)
        if low is not None and high is not None and low >= high:
            raise RubricError(f"{qp}.max", "ต้องมากกว่า min")
        targets = q.get("targets")
        if not isinstance(targets, list) or len(targets) != LEVELS:
            raise RubricError(f"{qp}.targets", f"ต้องเป็นรายการค่าเป้าหมาย {LEVELS} ค่า (ระดับ 1 ถึง {LEVELS})")
        values = [_number(v, f"{qp}.targets[{i}]") for i, v in enumerate(targets)]
        for i in range(1, LEVELS):
            better = values[i] > values[i - 1] if direction == Direction.HIGHER else values[i] < values[i - 1]
            if not better:
                word = "มากกว่า" if direction == Direction.HIGHER else "น้อยกว่า"
                raise RubricError(
                    f"{qp}.targets[{i}]", f"ค่าเป้าหมายระดับ {i + 1} ต้อง{word}ระดับ {i} (direction: {direction})"
                )
        for i, value in enumerate(values):
            if (low is not None and value < low) or (high is not None and value > high):
                raise RubricError(f"{qp}.targets[{i}]", "ค่าเป้าหมายต้องอยู่ในช่วง min ถึง max")
        step = {"number": 1, "description": text(q, "step", qp), "score": Decimal(LEVELS), "form_kind": STEP_KIND}
        fields = {
            "value_unit": text(q, "value_unit", qp),
            "direction": direction,
            "value_min": low,
            "value_max": high,
        }
        return {"steps": [step], "fields": fields, "targets": values}

    def load(self, indicator, parsed: dict, upsert) -> None:
        for level, value in enumerate(parsed["targets"], start=1):
            upsert(Target, {"indicator": indicator, "level": level}, {"value": value}, f"target {level}")

    def score(self, assessment, progresses) -> tuple[int, Decimal]:
        accepted = [p for p in progresses if p.status == StepStatus.ACCEPTED]
        measurement = getattr(accepted[0], "measurement", None) if accepted else None
        if measurement is None:
            return 0, Decimal("0")
        targets = [t.value for t in sorted(assessment.indicator.targets.all(), key=lambda t: t.level)]
        score = scoring.interpolate(measurement.value, targets, assessment.indicator.direction)
        return int(score), score

    def copy(self, old, new) -> None:
        Target.objects.bulk_create([Target(indicator=new, level=t.level, value=t.value) for t in old.targets.all()])


def _number(value, path: str, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise RubricError(path, "ต้องระบุ")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise RubricError(path, "ต้องเป็นตัวเลข")
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise RubricError(path, "ต้องเป็นตัวเลข") from None
    if not number.is_finite():
        raise RubricError(path, "ต้องเป็นตัวเลข")
    return number


KIND = Quantitative()
