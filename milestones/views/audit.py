import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kpi_tracker.lib import thai
from milestones.forms.filters import AuditFilterForm
from milestones.models import (
    AuditAction,
    AuditEvent,
)
from milestones.rules.access import (
    require_reviewer,
)

AUDIT_PAGE_SIZE = 50


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
        event.action_label = AuditAction.label_of(event.action)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "review/audit.html", {"form": form, "page": page, "query": params.urlencode()})
