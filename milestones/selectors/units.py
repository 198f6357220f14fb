"""What a unit's assessment page shows: the indicator, its steps with their requirements."""

from milestones.models import Assessment, EvidenceRequirement, Indicator, StepProgress


def assessment_page(assessment: Assessment) -> dict:
    """The indicator (with its round), each step's progress with the requirements it must show, and
    the requirements filed with the report. Four queries whatever the number of steps."""
    indicator = (
        Indicator.objects.select_related("round", "group")
        .prefetch_related("requirements__steps")
        .get(pk=assessment.indicator_id)
    )
    progresses: list[StepProgress] = list(
        assessment.steps.select_related("step", "changed_by").order_by("step__number")
    )
    by_step: dict[int, list[EvidenceRequirement]] = {}
    for requirement in indicator.requirements.all():
        for step in requirement.steps.all():
            by_step.setdefault(step.pk, []).append(requirement)
    return {
        "indicator": indicator,
        "rows": [(p, by_step.get(p.step_id, [])) for p in progresses],
        "report_requirements": [r for r in indicator.requirements.all() if r.is_report],
    }
