"""The management-systems group's pages: the review queue, one step's review, reopening,
extensions, the audit log and the score exports. The dashboard itself is views.overview.

Reviewers and admins decide; viewers see the same pages read-only; unit staff get 403 on
department pages and 404 on another unit's objects.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kpi_tracker.lib import thai
from milestones import exports
from milestones.access import (
    can_change_assessment,
    can_review,
    get_assessment_for_user,
    require_overview,
    require_reviewer,
    role_of,
    visible_assessments,
)
from milestones.audit import ACTION_LABELS, audit_record
from milestones.forms_review import (
    AuditFilterForm,
    DecisionForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    QueueFilterForm,
    ReopenForm,
)
from milestones.models import (
    AuditEvent,
    Decision,
    Extension,
    ExtensionStatus,
    Indicator,
    Role,
    StepProgress,
    StepStatus,
    Submission,
)
from milestones.services import extension_decide, extension_request, step_reopen, step_review
from milestones.services.review import AlreadyDecided, ReviewError

QUEUE_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 50


def _get_progress(request: HttpRequest, pk: int) -> StepProgress:
    """The step if the user may see its unit (else 404); unit staff then get 403: review pages are the group's."""
    progress = get_object_or_404(
        StepProgress.objects.select_related("step", "assessment__unit", "assessment__indicator__round"),
        pk=pk,
        assessment__in=visible_assessments(request.user),
    )
    require_overview(request)
    return progress


# --- the queue ---------------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Steps awaiting a decision, oldest first. A fixed number of queries whatever the unit count."""
    require_overview(request)
    indicator = Indicator.objects.current()
    step_numbers = list(indicator.steps.values_list("number", flat=True)) if indicator else []
    form = QueueFilterForm(request.GET or None, step_numbers=step_numbers)
    form.is_valid()  # a bad value in one filter is ignored; the valid ones still apply
    filters = form.cleaned_data if form.is_bound else {}
    status = filters.get("status") if "status" in request.GET else StepStatus.SUBMITTED

    base = StepProgress.objects.filter(assessment__indicator=indicator, assessment__unit__is_active=True)
    if filters.get("kind"):
        base = base.filter(assessment__unit__kind=filters["kind"])
    if filters.get("step"):
        base = base.filter(step__number=filters["step"])
    if filters.get("q"):
        q = filters["q"].strip()
        base = base.filter(Q(assessment__unit__name__icontains=q) | Q(assessment__unit__code__icontains=q))
    counts = {row["status"]: row["n"] for row in base.values("status").annotate(n=Count("id")).order_by()}
    status_counts = [(value, label, counts.get(value, 0)) for value, label in StepStatus.choices]

    rows = base.filter(status=status) if status else base
    rows = rows.select_related("step", "assessment__unit", "changed_by").order_by(
        "submitted_at", "changed_at", "assessment__unit__code", "step__number"
    )
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "review/queue.html",
        {
            "indicator": indicator,
            "form": form,
            "status": status,
            "status_counts": status_counts,
            "total": sum(counts.values()),
            "page": page,
            "query": params.urlencode(),
        },
    )


# --- one step ---------------------------------------------------------------------------------


def _render_review(
    request: HttpRequest,
    progress: StepProgress,
    *,
    decision_form: DecisionForm | None = None,
    reopen_form: ReopenForm | None = None,
    status: int = 200,
) -> HttpResponse:
    submissions = list(
        Submission.objects.filter(progress=progress)
        .select_related("submitted_by")
        .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")))
        .order_by("-number")
    )
    latest = submissions[0] if submissions else None
    may_decide = can_review(request.user) and progress.status == StepStatus.SUBMITTED
    may_reopen = role_of(request.user) == Role.ADMIN and progress.status == StepStatus.ACCEPTED
    return render(
        request,
        "review/step.html",
        {
            "progress": progress,
            "assessment": progress.assessment,
            "latest": latest,
            "earlier": submissions[1:],
            "decisions": [d for s in reversed(submissions) for d in s.decisions.all()],
            "may_decide": may_decide,
            "may_reopen": may_reopen,
            "decision_form": decision_form or (DecisionForm() if may_decide else None),
            "reopen_form": reopen_form or (ReopenForm() if may_reopen else None),
        },
        status=status,
    )


@login_required
@require_GET
def review_step(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_review(request, _get_progress(request, pk))


@login_required
@require_POST
def decide_step(request: HttpRequest, pk: int) -> HttpResponse:
    progress = _get_progress(request, pk)
    require_reviewer(request)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _render_review(request, progress, decision_form=form)
    try:
        decision = step_review(
            progress=progress,
            user=request.user,
            kind=form.cleaned_data["kind"],
            comment=form.cleaned_data["comment"],
            request=request,
        )
    except AlreadyDecided as error:
        messages.error(request, str(error))
        return redirect("review-step", progress.pk)
    except ReviewError as error:
        form.add_error(error.field, str(error))
        return _render_review(request, progress, decision_form=form)
    messages.success(
        request,
        _("%(unit)s ขั้นตอนที่ %(step)s: %(result)s")
        % {"unit": progress.assessment.unit.name, "step": progress.step.number, "result": decision.get_kind_display()},
    )
    return redirect("review-queue")


@login_required
@require_POST
def reopen_step(request: HttpRequest, pk: int) -> HttpResponse:
    progress = _get_progress(request, pk)
    if role_of(request.user) != Role.ADMIN:
        raise PermissionDenied(_("เฉพาะผู้ดูแลระบบเท่านั้น"))
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _render_review(request, progress, reopen_form=form)
    try:
        step_reopen(progress=progress, user=request.user, reason=form.cleaned_data["reason"], request=request)
    except ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("เปิดขั้นตอนให้หน่วยงานแก้ไขใหม่แล้ว"))
    return redirect("review-step", progress.pk)


# --- extensions ------------------------------------------------------------------------------


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


# --- audit log -------------------------------------------------------------------------------


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """Reviewers and admins: the append-only log, filtered and paginated (newest first)."""
    require_reviewer(request)
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.select_related("unit").order_by("-at", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            events = events.filter(unit=data["unit"])
        if data["user"]:
            events = events.filter(username__icontains=data["user"].strip())
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["date_from"]:
            events = events.filter(at__gte=dt.datetime.combine(data["date_from"], dt.time.min, tzinfo=thai.BANGKOK))
        if data["date_to"]:
            events = events.filter(at__lte=thai.end_of_day(data["date_to"]))
    elif form.is_bound:
        events = events.none()
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.action_label = ACTION_LABELS.get(event.action, event.action)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "review/audit.html", {"form": form, "page": page, "query": params.urlencode()})


# --- exports ---------------------------------------------------------------------------------


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_overview(request)
    indicator = Indicator.objects.current()
    if indicator is None:
        raise Http404(_("ยังไม่มีรอบการประเมิน"))
    step_numbers, rows = exports.score_rows(indicator)
    filename = f"kpi-{indicator.round.fiscal_year}-indicator-{indicator.number}-scores.{fmt}"
    audit_record(
        action="report.export",
        request=request,
        message=filename,
        data={"format": fmt, "indicator": indicator.pk, "rows": len(rows)},
    )
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(step_numbers, rows), content_type="text/csv; charset=utf-8")
    else:
        title = f"{indicator.round} · {_('ตัวชี้วัดที่')} {indicator.number}"
        response = HttpResponse(
            exports.as_xlsx(step_numbers, rows, title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")
