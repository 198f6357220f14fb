"""One indicator's dashboard (its supervising group, viewers, admins): every unit x step, levels,
averages, at-risk units. The round overview (views/rounds.py) links to it."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from milestones.forms.filters import DashboardFilterForm
from milestones.fragments import cached_fragments
from milestones.rules import deadlines
from milestones.rules.access import get_indicator_for_user
from milestones.selectors.dashboard import dashboard_data
from milestones.selectors.versions import data_version


@login_required
@require_GET
def indicator_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """A fixed number of queries whatever the unit count; the figures and the matrix page are
    rendered once per data version (milestones/fragments.py)."""
    version = data_version()  # first: see milestones/fragments.py
    indicator = get_indicator_for_user(request, pk)
    form = DashboardFilterForm(request.GET or None)
    form.is_valid()  # a bad value in one filter is ignored; the valid ones still apply
    filters = form.cleaned_data if form.is_bound else {}
    now = timezone.now()
    chosen = {
        "q": (filters.get("q") or "").strip(),
        "kind": filters.get("kind", ""),
        "status": filters.get("status", ""),
    }
    flagged_only = filters.get("flagged", False)
    # As Paginator.get_page reads it: "02" is page 2, anything else not a number page 1.
    page = str(int(request.GET["page"])) if request.GET.get("page", "").isdigit() else "1"
    applied = [*chosen.items(), ("flagged", "on" if flagged_only else "")]
    query = urlencode([(k, v) for k, v in applied if v])  # the pagination links carry the filters as applied
    fragments = cached_fragments(
        "overview",
        version=version,
        parts=[indicator.pk, deadlines.today(now).isoformat(), *chosen.values(), flagged_only, page],
        build=lambda: dashboard_data(indicator, now=now, flagged_only=flagged_only, page=page, **chosen),
        render=lambda data: {
            "figures": render_to_string("milestones/_dashboard_figures.html", {"data": data}),
            "matrix": render_to_string("milestones/_dashboard_matrix.html", {"data": data, "query": query}),
        },
    )
    return render(
        request, "milestones/indicator_dashboard.html", {"indicator": indicator, "form": form, "dashboard": fragments}
    )
