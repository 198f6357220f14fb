"""Indicator kind "milestone": cumulative steps; a unit is at level n when steps 1..n are accepted,
and scores the score of the step reached (indicator 2: step n scores n)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from milestones import step_kinds
from milestones.indicator_kinds.base import IndicatorKind
from milestones.models import StepStatus
from milestones.rubric_fields import RubricError, decimal, integer, req, text
from milestones.rules import scoring


class Milestone(IndicatorKind):
    name = "milestone"
    label = _("ระดับขั้นของความสำเร็จ (Milestone)")
    result_template = "milestones/indicator_kinds/milestone_result.html"

    def parse(self, ind: dict, path: str) -> dict:
        steps = req(ind, "steps", path)
        if not isinstance(steps, list) or not steps:
            raise RubricError(f"{path}.steps", "ต้องเป็นรายการขั้นตอนอย่างน้อย 1 ขั้นตอน")
        parsed = []
        for i, step in enumerate(steps):
            sp = f"{path}.steps[{i}]"
            form = text(step, "form", sp, required=False) or step_kinds.DEFAULT
            if not step_kinds.is_known(form):
                raise RubricError(f"{sp}.form", f"ต้องเป็นหนึ่งใน {', '.join(step_kinds.names())}")
            parsed.append(
                {
                    "number": integer(step, "number", sp, lo=1, hi=10),
                    "description": text(step, "description", sp),
                    "score": decimal(step, "score", sp, lo=Decimal(0), hi=Decimal(99)),
                    "form_kind": form,
                }
            )
        numbers = [s["number"] for s in parsed]
        if sorted(numbers) != list(range(1, len(numbers) + 1)):
            raise RubricError(f"{path}.steps", "เลขขั้นตอนต้องเรียง 1, 2, 3, … ไม่ซ้ำและไม่ขาด")
        return {"steps": parsed, "fields": {}, "targets": []}

    def score(self, assessment, progresses) -> tuple[int, Decimal]:
        accepted = {p.step.number for p in progresses if p.status == StepStatus.ACCEPTED}
        level = scoring.level(accepted)
        return level, scoring.score_for_level(level, {p.step.number: p.step.score for p in progresses})


KIND = Milestone()
