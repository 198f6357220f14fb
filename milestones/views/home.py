"""Where every user starts: the login page and the landing redirect."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from milestones.models import Assessment, Round
from milestones.rules.access import is_unit_staff, sees_every_unit, unit_id_of


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    # Sign-ins and sign-outs are audited by signal receivers (milestones.services.audit.record_login/_logout).


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Unit staff land on their unit's page for the current round; everyone else on the round overview."""
    if sees_every_unit(request.user):
        return redirect("overview")
    if is_unit_staff(request.user):
        round_ = Round.objects.current()
        if (
            round_ is not None
            and Assessment.objects.filter(indicator__round=round_, unit_id=unit_id_of(request.user)).exists()
        ):
            return redirect("unit-round", round_.fiscal_year, unit_id_of(request.user))
        return render(request, "milestones/no_assessment.html", {"round": round_}, status=200)
    raise Http404("บัญชีนี้ยังไม่ได้กำหนดบทบาท กรุณาติดต่อผู้ดูแลระบบ")
