"""Pages every user starts from: login, the landing redirect, the unit page and the overview."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from milestones import dashboard
from milestones.access import (
    get_assessment_for_user,
    require_overview,
    role_of,
    sees_every_unit,
    unit_id_of,
)
from milestones.forms_review import DashboardFilterForm
from milestones.models import Assessment, Indicator, Role
from milestones.views_review import extension_panel


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    # Sign-ins and sign-outs are audited by signal receivers (milestones.audit.record_login/_logout).


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Unit staff land on their unit's page for the current round; everyone else on the overview."""
    if sees_every_unit(request.user):
        return redirect("overview")
    if role_of(request.user) == Role.STAFF:
        indicator = Indicator.objects.current()
        assessment = Assessment.objects.filter(indicator=indicator, unit_id=unit_id_of(request.user)).first()
        if assessment is not None:
            return redirect("assessment-detail", assessment.pk)
        return render(request, "milestones/no_assessment.html", {"indicator": indicator}, status=200)
    raise Http404("บัญชีนี้ยังไม่ได้กำหนดบทบาท กรุณาติดต่อผู้ดูแลระบบ")


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request, pk)
    indicator = (
        type(assessment.indicator)
        .objects.select_related("round")
        .prefetch_related("requirements__steps")
        .get(pk=assessment.indicator_id)
    )
    progresses = list(assessment.steps.select_related("step", "changed_by").order_by("step__number"))
    requirements_by_step: dict[int, list] = {}
    for requirement in indicator.requirements.all():
        for step in requirement.steps.all():
            requirements_by_step.setdefault(step.pk, []).append(requirement)
    rows = [(p, requirements_by_step.get(p.step_id, [])) for p in progresses]
    return render(
        request,
        "milestones/assessment_detail.html",
        {
            "assessment": assessment,
            "indicator": indicator,
            "rows": rows,
            "report_requirements": [r for r in indicator.requirements.all() if r.is_report],
            **extension_panel(request, assessment),
        },
    )


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
