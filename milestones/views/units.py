"""A unit's assessment page: the deadline, the steps, extensions and the documents to file."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from milestones.rules.access import can_change_assessment, get_assessment_for_user
from milestones.selectors.rounds import previous_result
from milestones.selectors.units import assessment_page
from milestones.views.extensions import extension_panel


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request, pk)
    context = {
        "assessment": assessment,
        "may_change": can_change_assessment(request.user, assessment),
        "deadline_state": assessment.deadline_state(timezone.now()),
        "previous": previous_result(assessment),
        **assessment_page(assessment),
        **extension_panel(request, assessment),
    }
    return render(request, "milestones/assessment_detail.html", context)
