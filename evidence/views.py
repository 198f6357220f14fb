"""Unit staff's step pages: the step form, uploads, removal, submission, and file download/preview.

Access goes through milestones.rules.access: a step or file of a unit the user may
not see is a 404; a change by someone who may only look is a 403. The rules
(editable, deadline, requirements) are enforced again in the services.
"""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from evidence import forms as evidence_forms
from evidence.kinds import kind_of
from evidence.models import EvidenceFile
from evidence.selectors import step_page
from evidence.services import (
    DuplicateEvidence,
    evidence_add,
    evidence_remove,
    step_content_save,
    step_submit,
    upload_precheck,
)
from evidence.storage import EvidenceUploadHandler, evidence_storage, is_local, open_for_streaming, storage_errors
from evidence.validation import PREVIEWABLE_CONTENT_TYPES, EvidenceRefused
from milestones.models import AuditAction, StepProgress
from milestones.rules.access import get_assessment_for_user
from milestones.services.audit import audit_record
from milestones.services.steps import StepRefused


def _get_progress(request: HttpRequest, pk: int, number: int, *, for_change: bool = False) -> StepProgress:
    assessment = get_assessment_for_user(request, pk, for_change=for_change)
    progress = get_object_or_404(
        StepProgress.objects.select_related("step__indicator__round", "changed_by"),
        assessment=assessment,
        step__number=number,
    )
    progress.assessment = assessment
    return progress


def _get_file(request: HttpRequest, pk: int, *, for_change: bool = False) -> EvidenceFile:
    evidence = get_object_or_404(EvidenceFile.objects.select_related("progress__step"), pk=pk)
    evidence.progress.assessment = get_assessment_for_user(
        request, evidence.progress.assessment_id, for_change=for_change
    )
    return evidence


def _step_url(progress: StepProgress) -> str:
    return reverse("step-detail", args=[progress.assessment_id, progress.step.number])


def _render_step(request: HttpRequest, progress: StepProgress, *, forms=None, upload_form=None, status=200):
    context = step_page(progress, request.user, timezone.now())
    if context["editable"]:
        kind = context["kind"]
        context.update(forms if forms is not None else kind.forms(progress))
        context["upload_form"] = upload_form or evidence_forms.UploadForm(work_items=kind.upload_items(progress))
    return render(request, "evidence/step_detail.html", context, status=status)


@login_required
@require_GET
def step_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _render_step(request, _get_progress(request, pk, number))


@login_required
@require_POST
def step_save(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    progress = _get_progress(request, pk, number, for_change=True)
    kind = kind_of(progress.step)
    forms = kind.forms(progress, request.POST)
    content = kind.cleaned(forms) if kind.has_form else None
    if content is None:
        messages.error(request, _("ยังบันทึกไม่ได้ กรุณาแก้ไขข้อมูลตามที่แจ้งไว้ในแบบฟอร์ม"))
        return _render_step(request, progress, forms=forms, status=200)
    try:
        step_content_save(progress=progress, user=request.user, content=content, request=request)
    except StepRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("บันทึกข้อมูลแล้ว"))
    return redirect(_step_url(progress))


@csrf_exempt
@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    # Who may upload, to which step, how much: all decided before the body is read (a viewer or
    # another unit's staff never makes the server spool anything). Then the streaming handler goes
    # in place, before anything reads the body, CSRF included.
    progress = _get_progress(request, pk, number, for_change=True)
    try:
        upload_precheck(progress=progress, user=request.user, content_length=_content_length(request))
    except (EvidenceRefused, StepRefused) as refused:
        messages.error(request, "; ".join(refused.messages) if isinstance(refused, StepRefused) else str(refused))
        return _after_upload(request, progress)
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return _evidence_upload(request, progress)
    finally:
        handler.cleanup()  # a file the parser gave up on half-way: its threads and spool file


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0  # Django then reads no body at all


@csrf_protect
def _evidence_upload(request: HttpRequest, progress: StepProgress) -> HttpResponse:
    work_items = kind_of(progress.step).upload_items(progress)
    form = evidence_forms.UploadForm(request.POST, request.FILES, work_items=work_items)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _after_upload(request, progress)
    work_item = next((i for i in work_items if i.pk == form.cleaned_data.get("work_item")), None)
    requirements = list(progress.step.requirements.filter(is_report=False))
    for upload in form.cleaned_data["files"]:
        try:
            evidence_add(
                progress=progress,
                user=request.user,
                upload=upload,
                evidence_date=form.cleaned_data["evidence_date"],
                work_item=work_item,
                requirement=requirements[0] if len(requirements) == 1 else None,
                description=form.cleaned_data.get("description", ""),
                request=request,
            )
        except DuplicateEvidence as duplicate:
            messages.warning(
                request,
                _("“%(name)s” มีอยู่แล้วในขั้นตอนนี้ (ไฟล์ “%(existing)s”) จึงไม่บันทึกซ้ำ")
                % {"name": upload.name, "existing": duplicate.existing.original_name},
            )
        except (EvidenceRefused, StepRefused) as refused:
            text = "; ".join(refused.messages) if isinstance(refused, StepRefused) else str(refused)
            messages.error(request, _("ไม่รับไฟล์ “%(name)s”: %(reason)s") % {"name": upload.name, "reason": text})
        else:
            messages.success(request, _("อัปโหลด “%(name)s” แล้ว") % {"name": upload.name})
    return _after_upload(request, progress)


def _after_upload(request: HttpRequest, progress: StepProgress) -> HttpResponse:
    """A redirect to the step page; upload.js gets the address as JSON instead, so that the
    messages are shown on the page it then loads rather than consumed by a followed redirect."""
    url = _step_url(progress)
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"redirect": url})
    return redirect(url)


@login_required
@require_POST
def evidence_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _get_file(request, pk, for_change=True)
    try:
        evidence_remove(evidence=evidence, user=request.user, request=request)
    except StepRefused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("นำ “%(name)s” ออกแล้ว (ยังเก็บไว้ในประวัติ)") % {"name": evidence.original_name})
    return redirect(_step_url(evidence.progress))


@login_required
@require_POST
def step_submit_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    progress = _get_progress(request, pk, number, for_change=True)
    try:
        submission = step_submit(progress=progress, user=request.user, request=request)
    except StepRefused as refused:
        messages.error(request, _("ยังส่งขั้นตอนนี้ไม่ได้:"))
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("ส่งขั้นตอนที่ %(step)s แล้ว (ครั้งที่ %(number)s) รอ%(group)sตรวจ")
            % {
                "step": progress.step.number,
                "number": submission.number,
                "group": progress.assessment.indicator.group.name,
            },
        )
    return redirect(_step_url(progress))


def content_disposition(disposition: str, name: str) -> str:
    """RFC 6266/5987: an ASCII fallback and the real (Thai) name as filename*=UTF-8''..."""
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in name)
    if fallback.strip("_. ") == "" or fallback.replace("_", "") in {"", "." + extension}:
        fallback = f"evidence.{extension}" if extension else "evidence"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _serve(request: HttpRequest, evidence: EvidenceFile, *, inline: bool) -> HttpResponse:
    """The file's bytes. A download from S3 is a redirect to a short-lived presigned URL; a preview
    always goes through the app, so that it carries our nosniff and sandbox headers (S3 cannot
    send them)."""
    storage = evidence_storage()
    disposition = content_disposition("inline" if inline else "attachment", evidence.original_name)
    if not is_local(storage) and not inline:
        parameters = {
            "ResponseContentDisposition": disposition,
            "ResponseContentType": evidence.content_type,
            "ResponseCacheControl": "private, no-store",
        }
        return HttpResponseRedirect(storage.url(evidence.stored_name, parameters=parameters))
    try:
        stream = open_for_streaming(storage, evidence.stored_name)
    except storage_errors():
        return _storage_unavailable(request)
    response = FileResponse(stream, content_type=evidence.content_type)
    response.block_size = 256 * 1024  # Django's 4 KB blocks make a 100 MB download 25,000 writes
    response["Content-Disposition"] = disposition
    response["Content-Length"] = str(evidence.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _storage_unavailable(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_("ระบบจัดเก็บไฟล์ขัดข้องชั่วคราว กรุณาลองใหม่อีกครั้งในอีกสักครู่"), status=503)
    response["Content-Type"] = "text/plain; charset=utf-8"
    response["Retry-After"] = "15"
    return response


def _audit_download(request: HttpRequest, evidence: EvidenceFile, *, inline: bool) -> None:
    """Every download and inline preview is in the audit log (who saw which file, when, from where)."""
    data = {"step": evidence.progress.step.number}
    if inline:
        data["inline"] = True
    audit_record(
        action=AuditAction.EVIDENCE_DOWNLOAD,
        request=request,
        unit=evidence.progress.assessment.unit,
        obj=evidence,
        message=evidence.original_name,
        data=data,
    )


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _get_file(request, pk)
    _audit_download(request, evidence, inline=False)
    return _serve(request, evidence, inline=False)


@login_required
@require_GET
def evidence_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """PDFs and images shown inline (the review page embeds this); anything else is a download."""
    evidence = _get_file(request, pk)
    if evidence.content_type not in PREVIEWABLE_CONTENT_TYPES:
        raise PermissionDenied(_("ไฟล์ชนิดนี้แสดงตัวอย่างไม่ได้ กรุณาดาวน์โหลด"))
    _audit_download(request, evidence, inline=True)
    response = _serve(request, evidence, inline=True)
    response["X-Content-Type-Options"] = "nosniff"
    # The bytes were verified as a PDF or an image at upload and go out with nosniff, so the
    # browser cannot treat them as a page, and under a sandbox, so that even a file that slipped
    # through runs no script with our origin. Chromium's PDF viewer starts under a sandboxing CSP
    # (checked with Chromium 156; bug 413851 is fixed).
    if evidence.content_type == "application/pdf":
        response["Content-Security-Policy"] = "sandbox; frame-ancestors 'self'"
    else:
        response["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
        )
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
