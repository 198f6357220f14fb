from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from milestones.models import (
    AuditAction,
    Indicator,
)
from milestones.reporting import exports
from milestones.rules.access import (
    require_overview,
)
from milestones.services.audit import audit_record


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_overview(request)
    indicator = Indicator.objects.current()
    if indicator is None:
        raise Http404(_("ยังไม่มีรอบการประเมิน"))
    step_numbers, rows = exports.score_rows(indicator)
    filename = f"kpi-{indicator.round.fiscal_year}-indicator-{indicator.number}-scores.{fmt}"
    audit_record(
        action=AuditAction.REPORT_EXPORT,
        request=request,
        message=filename,
        data={"format": fmt, "indicator": indicator.pk, "rows": len(rows)},
    )
    if fmt == "csv":
        response = HttpResponse(exports.as_csv(step_numbers, rows), content_type="text/csv; charset=utf-8")
    else:
        title = f"{indicator.round} · {_('ตัวชี้วัดที่')} {indicator.number}"
        response = HttpResponse(
            exports.as_xlsx(step_numbers, rows, title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@login_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")
