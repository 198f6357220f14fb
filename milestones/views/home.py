"""Where every user starts: the login page and the landing redirect."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from milestones.models import Assessment, Indicator
from milestones.rules.access import is_unit_staff, sees_every_unit, unit_id_of


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    # Sign-ins and sign-outs are audited by signal receivers (milestones.services.audit.record_login/_logout).


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Unit staff land on their unit's page for the current round; everyone else on the overview."""
    if sees_every_unit(request.user):
        return redirect("overview")
    if is_unit_staff(request.user):
        indicator = Indicator.objects.current()
        assessment = Assessment.objects.filter(indicator=indicator, unit_id=unit_id_of(request.user)).first()
        if assessment is not None:
            return redirect("assessment-detail", assessment.pk)
        return render(request, "milestones/no_assessment.html", {"indicator": indicator}, status=200)
    raise Http404("บัญชีนี้ยังไม่ได้กำหนดบทบาท กรุณาติดต่อผู้ดูแลระบบ")
