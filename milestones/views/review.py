from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from milestones.forms.filters import QueueFilterForm
from milestones.forms.review import DecisionForm, ReopenForm
from milestones.models import (
    Decision,
    Indicator,
    Role,
    StepProgress,
    StepStatus,
    Submission,
)
from milestones.rules.access import (
    can_review,
    require_overview,
    require_reviewer,
    role_of,
    visible_assessments,
)
from milestones.services import step_reopen, step_review
from milestones.services.review import AlreadyDecided, ReviewError

QUEUE_PAGE_SIZE = 50


def _get_progress(request: HttpRequest, pk: int) -> StepProgress:
    """The step if the user may see its unit (else 404); unit staff then get 403: review pages are the group's."""
    progress = get_object_or_404(
        StepProgress.objects.select_related("step", "assessment__unit", "assessment__indicator__round"),
        pk=pk,
        assessment__in=visible_assessments(request.user),
    )
    require_overview(request)
    return progress


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
