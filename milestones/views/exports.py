"""The score tables as files: one indicator's (?indicator=) or a whole round's (?round=, the default:
the current round), for everyone who sees the department's pages."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from milestones.models import AuditAction
from milestones.reporting import exports, round_exports
from milestones.reporting.documents import request_document, round_workbook_params
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


def _round_csv(request: HttpRequest, round_) -> tuple[str, str, dict]:
    indicators = round_indicators(round_, visible_indicators(request.user))
    rows = round_exports.round_rows(indicators)
    data = {"round": round_.fiscal_year, "rows": len(rows)}
    return round_exports.as_csv(indicators, rows), f"kpi-{round_.fiscal_year}-round-scores.csv", data


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    require_overview(request)
    if request.GET.get("indicator", "").isdigit():
        content, filename, data = _indicator_file(request, fmt)
    else:
        round_ = round_of(request.GET.get("round"))
        if round_ is None:
            raise Http404(_("ยังไม่มีรอบการประเมิน"))
        if fmt == "xlsx":  # the round's workbook can take seconds: the background worker builds it
            job = request_document(
                kind="round-workbook", params=round_workbook_params(round_, request.user), user=request.user
            )
            return redirect("document", job.pk)
        content, filename, data = _round_csv(request, round_)
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
