from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from milestones.rules.access import (
    get_assessment_for_user,
)
from milestones.views.extensions import extension_panel


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request, pk)
    indicator = (
        type(assessment.indicator)
        .objects.select_related("round")
        .prefetch_related("requirements__steps")
        .get(pk=assessment.indicator_id)
    )
    progresses = list(assessment.steps.select_related("step", "changed_by").order_by("step__number"))
    requirements_by_step: dict[int, list] = {}
    for requirement in indicator.requirements.all():
        for step in requirement.steps.all():
            requirements_by_step.setdefault(step.pk, []).append(requirement)
    rows = [(p, requirements_by_step.get(p.step_id, [])) for p in progresses]
    return render(
        request,
        "milestones/assessment_detail.html",
        {
            "assessment": assessment,
            "indicator": indicator,
            "rows": rows,
            "report_requirements": [r for r in indicator.requirements.all() if r.is_report],
            **extension_panel(request, assessment),
        },
    )
