from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from milestones.forms.extensions import ExtensionDecisionForm, ExtensionRequestForm
from milestones.models import (
    Extension,
    ExtensionStatus,
)
from milestones.rules.access import (
    can_change_assessment,
    can_review,
    get_assessment_for_user,
    require_overview,
    require_reviewer,
    visible_assessments,
)
from milestones.services import extension_decide, extension_request
from milestones.services.review import ReviewError

QUEUE_PAGE_SIZE = 50


def extension_panel(request: HttpRequest, assessment) -> dict:
    """Context for templates/review/_extension_unit.html on the unit page (one query)."""
    extensions = list(assessment.extensions.select_related("requested_by", "decided_by").order_by("-requested_at"))
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    may_request = can_change_assessment(request.user, assessment) and pending is None
    return {
        "extensions": extensions,
        "pending_extension": pending,
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
            messages.success(request, _("ส่งคำขอขยายเวลาแล้ว กลุ่มพัฒนาระบบบริหารจะพิจารณาและแจ้งผลทางอีเมล"))
    else:
        messages.error(request, _("กรุณาระบุเหตุผลที่ขอขยายเวลา"))
    return redirect("assessment-detail", assessment.pk)


@login_required
@require_GET
def extension_list(request: HttpRequest) -> HttpResponse:
    require_overview(request)
    status = request.GET.get("status", ExtensionStatus.PENDING)
    extensions = Extension.objects.select_related(
        "assessment__unit", "assessment__indicator__round", "requested_by", "decided_by"
    ).order_by("requested_at")
    if status in ExtensionStatus.values:
        extensions = extensions.filter(status=status)
    counts = dict(Extension.objects.values_list("status").annotate(n=Count("id")).order_by())
    page = Paginator(extensions, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/extensions.html",
        {
            "page": page,
            "status": status,
            "status_counts": [(v, label, counts.get(v, 0)) for v, label in ExtensionStatus.choices],
        },
    )


def _get_extension(request: HttpRequest, pk: int) -> Extension:
    extension = get_object_or_404(
        Extension.objects.select_related("assessment__unit", "assessment__indicator__round", "requested_by"),
        pk=pk,
        assessment__in=visible_assessments(request.user),
    )
    require_overview(request)
    return extension


@login_required
@require_http_methods(["GET", "POST"])
def extension_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """GET shows the request; POST (reviewers) grants it with a new date or refuses it with a note."""
    extension = _get_extension(request, pk)
    assessment = extension.assessment
    may_decide = can_review(request.user) and extension.status == ExtensionStatus.PENDING
    form = None
    if request.method == "POST":
        require_reviewer(request)
        form = ExtensionDecisionForm(request.POST, current_deadline=assessment.deadline)
        if form.is_valid():
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
                if error.field and may_decide:
                    form.add_error(error.field, str(error))
                else:
                    messages.error(request, str(error))
                    return redirect("extension-detail", extension.pk)
            else:
                messages.success(request, _("บันทึกผลการพิจารณาคำขอขยายเวลาแล้ว"))
                return redirect("extension-list")
    elif may_decide:
        form = ExtensionDecisionForm(current_deadline=assessment.deadline)
    return render(
        request,
        "review/extension_detail.html",
        {"extension": extension, "assessment": assessment, "form": form if may_decide else None},
    )
