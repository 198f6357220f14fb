"""PDF exports (unit score report, department summary, cover memo) and the E-saraban package.

Access: a unit's staff get their own unit's documents and are the only ones who create a
memo or record its E-saraban number; reviewers, viewers and admins see every unit's
documents and the department summary (unit staff asking for it get 403). Every export is
written to the audit log as "report.export".
"""

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kpi_tracker.lib.pdf import render_pdf
from milestones.forms.filings import MemoForm, RecordForm
from milestones.models import Assessment, AuditAction, Filing
from milestones.reporting import esaraban, reports
from milestones.reporting.documents import request_document
from milestones.rules.access import get_assessment_for_user, get_indicator_for_user, require_overview
from milestones.rules.filings import default_recipient
from milestones.services.audit import audit_record
from milestones.services.filings import FilingError, filing_create, filing_record

logger = logging.getLogger(__name__)


def _get_filing_for_user(request: HttpRequest, pk: int, *, for_change: bool = False) -> Filing:
    """The filing if the user may see its unit (else 404); with for_change, 403 unless they are its staff."""
    filing = Filing.objects.filter(pk=pk).first()
    if filing is None:
        raise Http404("ไม่พบข้อมูล")
    filing.assessment = get_assessment_for_user(request, filing.assessment_id, for_change=for_change)
    return filing


def _thai_digits(request: HttpRequest) -> bool:
    return request.GET.get("digits") == "thai"


def _download(content: bytes, filename: str, content_type: str = "application/pdf") -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _audit_export(request: HttpRequest, report: str, *, assessment: Assessment | None, obj, thai_digits: bool) -> None:
    audit_record(
        action=AuditAction.REPORT_EXPORT,
        request=request,
        unit=assessment.unit if assessment else None,
        obj=obj,
        message=report,
        data={"report": report, "digits": "thai" if thai_digits else "arabic"},
    )


def unit_report_pdf(assessment: Assessment, *, thai_digits: bool) -> bytes:
    return render_pdf("reports/unit_score.html", reports.unit_report(assessment), thai_digits=thai_digits)


def memo_pdf(filing: Filing, *, thai_digits: bool) -> bytes:
    return render_pdf("reports/memo.html", reports.memo_body(filing), thai_digits=thai_digits)


@login_required
@require_GET
def unit_report(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_assessment_for_user(request, pk)
    thai_digits = _thai_digits(request)
    pdf = unit_report_pdf(assessment, thai_digits=thai_digits)
    _audit_export(request, "unit", assessment=assessment, obj=assessment, thai_digits=thai_digits)
    fiscal_year = assessment.indicator.round.fiscal_year
    return _download(pdf, f"รายงานผลคะแนน-{assessment.unit.code}-{fiscal_year}.pdf")


@login_required
@require_GET
def department_summary(request: HttpRequest) -> HttpResponse:
    """One indicator's department summary, built by the background worker: the request makes (or
    shares) the job and goes to its progress page."""
    require_overview(request)
    indicator_id = request.GET.get("indicator", "")
    if not indicator_id.isdigit():
        raise Http404("ไม่พบตัวชี้วัด")
    indicator = get_indicator_for_user(request, int(indicator_id))
    params = {"indicator": indicator.pk, "digits": "thai" if _thai_digits(request) else "arabic"}
    job = request_document(kind="indicator-summary", params=params, user=request.user)
    return redirect("document", job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def memo_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit's staff fill in the memo's number, date, recipient and signer; this creates a Filing."""
    assessment = get_assessment_for_user(request, pk, for_change=True)
    latest = assessment.filings.order_by("-created_at", "-id").first()
    if request.method == "POST":
        form = MemoForm(request.POST, round_=assessment.indicator.round)
        if form.is_valid():
            try:
                filing_create(assessment=assessment, user=request.user, request=request, **form.cleaned_data)
            except FilingError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, _("บันทึกข้อความพร้อมแล้ว ดาวน์โหลดชุดเอกสารเพื่อนำส่งทาง E-saraban ได้"))
                return redirect("assessment-detail", assessment.pk)
    else:
        initial = {"memo_date": timezone.localdate(), "recipient": default_recipient(assessment.indicator.group.name)}
        if latest is not None:
            initial.update(
                recipient=latest.recipient, signer_name=latest.signer_name, signer_position=latest.signer_position
            )
        form = MemoForm(initial=initial, round_=assessment.indicator.round)
    return render(request, "reports/memo_form.html", {"assessment": assessment, "form": form, "latest": latest})


@login_required
@require_GET
def memo(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _get_filing_for_user(request, pk)
    thai_digits = _thai_digits(request)
    pdf = memo_pdf(filing, thai_digits=thai_digits)
    _audit_export(request, "memo", assessment=filing.assessment, obj=filing, thai_digits=thai_digits)
    return _download(pdf, f"บันทึกข้อความ-{filing.assessment.unit.code}.pdf")


@login_required
@require_GET
def package(request: HttpRequest, pk: int) -> HttpResponse:
    """The ZIP for E-saraban, streamed: the memo and report PDFs, then each evidence file from storage."""
    filing = _get_filing_for_user(request, pk)
    assessment = filing.assessment
    evidence = reports.evidence_index(assessment)
    missing = [row.original_name for row in evidence if not default_storage.exists(row.stored_name)]
    if missing:
        # Found now, not half-way through the download: a ZIP cut short would look complete.
        logger.error("E-saraban package of filing %s: evidence missing from storage: %s", filing.pk, missing)
        messages.error(
            request,
            _("ไม่สามารถจัดทำชุดเอกสารได้ ไม่พบไฟล์หลักฐานในระบบจัดเก็บ: %(names)s กรุณาแจ้งผู้ดูแลระบบ")
            % {"names": ", ".join(missing)},
        )
        return redirect("assessment-detail", assessment.pk)
    thai_digits = _thai_digits(request)
    now = timezone.now()
    code = assessment.unit.code
    members = [
        esaraban.bytes_member(f"0-บันทึกข้อความ-{code}.pdf", memo_pdf(filing, thai_digits=thai_digits), now),
        esaraban.bytes_member(f"0-รายงานผลคะแนน-{code}.pdf", unit_report_pdf(assessment, thai_digits=thai_digits), now),
        *esaraban.evidence_members(evidence),
    ]
    _audit_export(request, "package", assessment=assessment, obj=filing, thai_digits=thai_digits)
    response = StreamingHttpResponse(esaraban.stream_zip(members), content_type="application/zip")
    filename = f"E-saraban-{code}-{assessment.indicator.round.fiscal_year}.zip"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def esaraban_record(request: HttpRequest, pk: int) -> HttpResponse:
    """After filing, the unit's staff record the E-saraban document number and date."""
    filing = _get_filing_for_user(request, pk, for_change=True)
    if request.method == "POST":
        form = RecordForm(request.POST, instance=Filing.objects.get(pk=filing.pk))
        if form.is_valid():
            try:
                filing_record(filing=filing, user=request.user, request=request, **form.cleaned_data)
            except FilingError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(request, _("บันทึกเลขที่หนังสือ E-saraban แล้ว"))
                return redirect("assessment-detail", filing.assessment_id)
    else:
        form = RecordForm(instance=filing)
    return render(
        request, "reports/filing_record_form.html", {"filing": filing, "assessment": filing.assessment, "form": form}
    )
