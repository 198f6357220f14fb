from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from milestones.forms.filters import DashboardFilterForm
from milestones.rules.access import (
    require_overview,
)
from milestones.selectors import dashboard


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The department dashboard: every unit x step, levels, averages, units at risk (fixed query count).

    Its figures and matrix are cached per data version (dashboard.overview).
    """
    require_overview(request)
    form = DashboardFilterForm(request.GET or None)
    form.is_valid()  # a bad value in one filter is ignored; the valid ones still apply
    filters = form.cleaned_data if form.is_bound else {}
    page = dashboard.overview(
        now=timezone.now(),
        kind=filters.get("kind", ""),
        status=filters.get("status", ""),
        flagged_only=filters.get("flagged", False),
        q=(filters.get("q") or "").strip(),
        page=request.GET.get("page"),
    )
    return render(request, "milestones/overview.html", {"indicator": page.indicator, "form": form, "dashboard": page})
