"""The score tables as files: one indicator's (?indicator=) or a whole round's (?round=, the default:
the current round), for everyone who sees the department's pages."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from milestones.models import AuditAction
from milestones.reporting import exports, round_exports
from milestones.rules.access import get_indicator_for_user, require_overview, visible_indicators
from milestones.selectors.rounds import round_indicators, round_of
from milestones.services.audit import audit_record

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _indicator_file(request: HttpRequest, fmt: str) -> tuple[bytes | str, str, dict]:
    indicator = get_indicator_for_user(request, int(request.GET["indicator"]))
    step_numbers, rows = exports.score_rows(indicator)
    filename = f"kpi-{indicator.round.fiscal_year}-indicator-{indicator.number}-scores.{fmt}"
    if fmt == "csv":
        return exports.as_csv(step_numbers, rows), filename, {"indicator": indicator.pk, "rows": len(rows)}
    title = f"{indicator.round} · {_('ตัวชี้วัดที่')} {indicator.number}"
    return exports.as_xlsx(step_numbers, rows, title=title), filename, {"indicator": indicator.pk, "rows": len(rows)}


def _round_file(request: HttpRequest, fmt: str) -> tuple[bytes | str, str, dict]:
    round_ = round_of(request.GET.get("round"))
    if round_ is None:
        raise Http404(_("ยังไม่มีรอบการประเมิน"))
    indicators = round_indicators(round_, visible_indicators(request.user))
    rows = round_exports.round_rows(indicators)
    filename = f"kpi-{round_.fiscal_year}-round-scores.{fmt}"
    data = {"round": round_.fiscal_year, "rows": len(rows)}
    if fmt == "csv":
        return round_exports.as_csv(indicators, rows), filename, data
    return round_exports.as_xlsx(indicators, rows, title=str(round_)), filename, data


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_overview(request)
    if request.GET.get("indicator", "").isdigit():
        content, filename, data = _indicator_file(request, fmt)
    else:
        content, filename, data = _round_file(request, fmt)
    audit_record(action=AuditAction.REPORT_EXPORT, request=request, message=filename, data={"format": fmt, **data})
    response = HttpResponse(content, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX)
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
