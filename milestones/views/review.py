"""The management-systems group's review pages: the queue, one step's review, deciding, reopening.

Reviewers and admins decide; viewers see the same pages read-only; unit staff get 403 on
department pages and 404 on another unit's objects (milestones.rules.access).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from milestones.forms.filters import QueueFilterForm
from milestones.forms.review import DecisionForm, ReopenForm
from milestones.models import StepProgress, StepStatus
from milestones.rules.access import (
    can_reopen,
    can_review,
    can_review_indicator,
    require_admin,
    require_overview,
    require_reviewer,
    visible_assessments,
    visible_indicators,
)
from milestones.selectors.queue import PAGE_SIZE, review_queue
from milestones.selectors.review import submissions_of
from milestones.selectors.rounds import round_indicators, round_of
from milestones.services import step_reopen, step_review
from milestones.services.review import AlreadyDecided, ReviewError


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
    """Steps awaiting a decision on every indicator of the round the user's groups supervise, oldest
    first, with a filter by indicator. A fixed number of queries whatever the unit count."""
    require_overview(request)
    round_ = round_of(request.GET.get("round"))
    indicators = round_indicators(round_, visible_indicators(request.user)) if round_ else []
    steps = sorted({s.number for i in indicators for s in i.steps.all()})
    form = QueueFilterForm(request.GET or None, step_numbers=steps, indicators=indicators)
    form.is_valid()  # a bad value in one filter is ignored; the valid ones still apply
    filters = form.cleaned_data if form.is_bound else {}
    status = filters.get("status") if "status" in request.GET else StepStatus.SUBMITTED
    shown = [i for i in indicators if filters.get("indicator") in (None, i.pk)]
    found = review_queue(
        shown, status=status, kind=filters.get("kind", ""), step=filters.get("step"), q=filters.get("q") or ""
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {"round": round_, "indicators": indicators, "form": form, "status": status, "query": params.urlencode()}
    context.update(status_counts=found.status_counts, total=found.total, may_review=can_review(request.user))
    context["page"] = Paginator(found.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "review/queue.html", context)


def _render_review(request: HttpRequest, progress: StepProgress, *, decision_form=None, reopen_form=None):
    submissions = submissions_of(progress)
    may_decide = (
        can_review_indicator(request.user, progress.assessment.indicator) and progress.status == StepStatus.SUBMITTED
    )
    may_reopen = can_reopen(request.user) and progress.status == StepStatus.ACCEPTED
    context = {
        "progress": progress,
        "assessment": progress.assessment,
        "latest": submissions[0] if submissions else None,
        "earlier": submissions[1:],
        "decisions": [d for s in reversed(submissions) for d in s.decisions.all()],
        "may_decide": may_decide,
        "may_reopen": may_reopen,
        "decision_form": decision_form or (DecisionForm() if may_decide else None),
        "reopen_form": reopen_form or (ReopenForm() if may_reopen else None),
    }
    return render(request, "review/step.html", context)


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
    result = {
        "unit": progress.assessment.unit.name,
        "step": progress.step.number,
        "result": decision.get_kind_display(),
    }
    messages.success(request, _("%(unit)s ขั้นตอนที่ %(step)s: %(result)s") % result)
    return redirect("review-queue")


@login_required
@require_POST
def reopen_step(request: HttpRequest, pk: int) -> HttpResponse:
    progress = _get_progress(request, pk)
    require_admin(request)
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
