"""Extensions: the unit asks for more time on its page; the group lists and decides the requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from milestones.forms.extensions import ExtensionDecisionForm, ExtensionRequestForm
from milestones.models import Assessment, Extension, ExtensionStatus
from milestones.rules.access import (
    can_change_assessment,
    can_review,
    can_review_indicator,
    get_assessment_for_user,
    require_overview,
    require_reviewer,
    sees_every_unit,
    visible_assessments,
)
from milestones.selectors.extensions import PAGE_SIZE, extension_requests, status_counts, unit_extensions
from milestones.services import extension_decide, extension_request
from milestones.services.review import ReviewError


def extension_panel(request: HttpRequest, assessment: Assessment) -> dict:
    """Context for templates/review/_extension_unit.html on the unit page (one query)."""
    found = unit_extensions(assessment)
    may_request = can_change_assessment(request.user, assessment) and found.pending is None
    return {
        "extensions": found.extensions,
        "pending_extension": found.pending,
        "may_open_extension": sees_every_unit(request.user),
        "extension_form": ExtensionRequestForm() if may_request else None,
    }


@login_required
@require_POST
def request_extension(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request, pk, for_change=True)
    form = ExtensionRequestForm(request.POST)
    if form.is_valid():
        try:
            extension_request(
                assessment=assessment, user=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ReviewError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("ส่งคำขอขยายเวลาแล้ว %(group)sจะพิจารณาและแจ้งผลทางอีเมล") % {"group": assessment.indicator.group.name},
            )
    else:
        messages.error(request, _("กรุณาระบุเหตุผลที่ขอขยายเวลา"))
    return redirect("assessment-detail", assessment.pk)


@login_required
@require_GET
def extension_list(request: HttpRequest) -> HttpResponse:
    require_overview(request)
    status = request.GET.get("status", ExtensionStatus.PENDING)
    visible = visible_assessments(request.user)
    page = Paginator(extension_requests(status, visible), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = status_counts(visible)
    context = {"page": page, "status": status, "status_counts": counts, "may_review": can_review(request.user)}
    return render(request, "review/extensions.html", context)


def _get_extension(request: HttpRequest, pk: int) -> Extension:
    extension = get_object_or_404(
        Extension.objects.select_related("assessment__unit", "assessment__indicator__round", "requested_by"),
        pk=pk,
        assessment__in=visible_assessments(request.user),
    )
    require_overview(request)
    return extension


def _decide(request: HttpRequest, extension: Extension, form: ExtensionDecisionForm) -> HttpResponse | None:
    """Run the decision; a redirect when it is done or cannot be made, None to show the form's errors."""
    try:
        extension_decide(
            extension=extension,
            user=request.user,
            grant=form.cleaned_data["decision"] == "grant",
            new_deadline=form.cleaned_data["new_deadline"],
            note=form.cleaned_data["note"],
            request=request,
        )
    except ReviewError as error:
        if error.field and extension.status == ExtensionStatus.PENDING:
            form.add_error(error.field, str(error))
            return None
        messages.error(request, str(error))
        return redirect("extension-detail", extension.pk)
    messages.success(request, _("บันทึกผลการพิจารณาคำขอขยายเวลาแล้ว"))
    return redirect("extension-list")


@login_required
@require_http_methods(["GET", "POST"])
def extension_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the request; POST (reviewers) grants it with a new date or refuses it with a note."""
    extension = _get_extension(request, pk)
    may_decide = (
        can_review_indicator(request.user, extension.assessment.indicator)
        and extension.status == ExtensionStatus.PENDING
    )
    form = ExtensionDecisionForm() if may_decide else None
    if request.method == "POST":
        require_reviewer(request)
        form = ExtensionDecisionForm(request.POST)
        if form.is_valid() and (done := _decide(request, extension, form)) is not None:
            return done
    context = {"extension": extension, "assessment": extension.assessment, "form": form if may_decide else None}
    return render(request, "review/extension_detail.html", context)
