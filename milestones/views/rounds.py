"""A round as a whole: a unit's page over every indicator that applies to it (the staff's landing
page), and the department's round overview (units x indicators)."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from milestones.forms.rounds import RoundOverviewFilterForm
from milestones.fragments import cached_fragments
from milestones.rules.access import (
    get_unit_for_user,
    require_overview,
    visible_assessments,
    visible_indicators,
)
from milestones.selectors.rounds import round_indicators, round_of, round_overview, rounds, unit_round
from milestones.selectors.versions import data_version


@login_required
@require_GET
def unit_round_page(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """Every indicator of the round that applies to the unit: result, weight, weighted score, and the total."""
    unit = get_unit_for_user(request, pk)
    round_ = round_of(year)
    if round_ is None or round_.fiscal_year != year:
        raise Http404("ไม่พบรอบการประเมิน")
    context = {"result": unit_round(unit, round_, visible_assessments(request.user)), "rounds": rounds()}
    return render(request, "milestones/unit_round.html", context)


@login_required
@require_GET
def round_overview_page(request: HttpRequest) -> HttpResponse:
    """Units x indicators of one round, each weighted score and the total; sorted and filtered; cached per
    data version (milestones/fragments.py)."""
    require_overview(request)
    version = data_version()  # first: see milestones/fragments.py
    round_ = round_of(request.GET.get("round"))
    if round_ is None:
        return render(request, "milestones/round_overview.html", {"round": None})
    indicators = round_indicators(round_, visible_indicators(request.user))
    form = RoundOverviewFilterForm(request.GET or None, indicators=indicators)
    form.is_valid()  # a bad value in one filter is ignored; the valid ones still apply
    chosen = {k: (form.cleaned_data.get(k) if form.is_bound else None) or "" for k in ("q", "kind", "status", "sort")}
    chosen["group"] = form.cleaned_data.get("group") if form.is_bound else None
    page = str(int(request.GET["page"])) if request.GET.get("page", "").isdigit() else "1"
    query = urlencode([("round", round_.fiscal_year), *[(k, v) for k, v in chosen.items() if v]])
    fragments = cached_fragments(
        "round-overview",
        version=version,
        parts=[round_.pk, [i.pk for i in indicators], *chosen.values(), page],
        build=lambda: round_overview(round_, indicators, page=page, **{**chosen, "sort": chosen["sort"] or "code"}),
        render=lambda data: {"table": render_to_string("milestones/_round_table.html", {"data": data, "query": query})},
    )
    context = {"round": round_, "rounds": rounds(), "indicators": indicators, "form": form, "overview": fragments}
    return render(request, "milestones/round_overview.html", context)
