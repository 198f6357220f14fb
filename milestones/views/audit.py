"""The audit log page (reviewers and admins)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from milestones.forms.filters import AuditFilterForm
from milestones.models import AuditAction
from milestones.rules.access import require_reviewer
from milestones.selectors.audit import PAGE_SIZE, audit_events


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The append-only log, filtered and paginated (newest first)."""
    require_reviewer(request)
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else ({} if not form.is_bound else None)
    page = Paginator(audit_events(filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.action_label = AuditAction.label_of(event.action)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "review/audit.html", {"form": form, "page": page, "query": params.urlencode()})
