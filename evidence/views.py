"""Unit staff's step pages: the step form, uploads, removal, submission, and file download/preview.

Access goes through milestones.rules.access: a step or file of a unit the user may
not see is a 404; a change by someone who may only look is a 403. The rules
(editable, deadline, requirements) are enforced again in the services.
"""

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from evidence import forms as evidence_forms
from evidence.content import plan_fiscal_year, plan_month_choices
from evidence.models import EvidenceFile, Feedback, PlanRow, StepSummary, WorkItem, WorkProcess
from evidence.services import DuplicateEvidence, evidence_add, evidence_remove, step_content_save
from evidence.storage import EvidenceUploadHandler, evidence_storage, is_local
from evidence.validation import PREVIEWABLE_CONTENT_TYPES, EvidenceRefused
from milestones.models import Assessment, AuditAction, Decision, FormKind, StepProgress, Submission
from milestones.rules.access import can_change_assessment, get_assessment_for_user
from milestones.services.audit import audit_record
from milestones.services.steps import StepRefused, step_submit


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


def _content_forms(progress: StepProgress, data=None) -> dict:
    """The form(s) the step's form_kind asks for, bound to data or filled from the saved content."""
    kind = progress.step.form_kind
    if kind == FormKind.REVIEW:
        summary = StepSummary.objects.filter(progress=progress).first()
        return {"summary_form": evidence_forms.SummaryForm(data, initial={"summary": summary.text if summary else ""})}
    if kind == FormKind.PROCESSES:
        initial = list(WorkProcess.objects.filter(progress=progress).values("name", "digital_use", "is_chosen"))
        return {"formset": evidence_forms.ProcessFormSet(data, initial=initial, prefix="processes")}
    if kind == FormKind.WORK_ITEMS:
        fields = [
            "id",
            "date",
            "kind",
            "platform",
            "platform_other",
            "topic",
            "participants",
            "participant_count",
            "link",
        ]
        initial = list(WorkItem.objects.current().filter(progress=progress).values(*fields))
        return {"formset": evidence_forms.WorkItemFormSet(data, initial=initial, prefix="work_items")}
    if kind == FormKind.PLAN:
        fiscal_year = plan_fiscal_year(progress.step.indicator.round)
        fields = ["process", "digital_system", "activity", "target", "months", "responsible"]
        initial = list(PlanRow.objects.filter(progress=progress).values(*fields))
        formset = evidence_forms.PlanRowFormSet(
            data, initial=initial, prefix="plan", form_kwargs={"month_choices": plan_month_choices(fiscal_year)}
        )
        return {"formset": formset, "plan_fiscal_year": fiscal_year}
    if kind == FormKind.FEEDBACK:
        initial = {
            fb.topic: {k: getattr(fb, k) for k in ("opinions", "suggestions", "problems", "solutions")}
            for fb in Feedback.objects.filter(progress=progress)
        }
        return {"feedback_forms": evidence_forms.feedback_forms(data, initial)}
    return {}


def _content_from_forms(progress: StepProgress, forms: dict) -> dict | None:
    """The content dict for step_content_save, or None when a form is invalid."""
    kind = progress.step.form_kind
    if kind == FormKind.REVIEW:
        form = forms["summary_form"]
        return {"summary": form.cleaned_data["summary"]} if form.is_valid() else None
    if kind == FormKind.FEEDBACK:
        pairs = forms["feedback_forms"]
        if not all(form.is_valid() for _, _, form in pairs):
            return None
        return {"feedback": [{"topic": topic, **form.cleaned_data} for topic, _, form in pairs]}
    formset = forms["formset"]
    if not formset.is_valid():
        return None
    key = {FormKind.PROCESSES: "processes", FormKind.WORK_ITEMS: "work_items", FormKind.PLAN: "plan"}[kind]
    return {key: formset.rows(with_deleted=kind == FormKind.WORK_ITEMS)}


def _render_step(request: HttpRequest, progress: StepProgress, *, forms=None, upload_form=None, status=200):
    assessment: Assessment = progress.assessment
    now = timezone.now()
    may_change = can_change_assessment(request.user, assessment)
    past_deadline = assessment.is_past_deadline(now)
    editable = may_change and progress.is_editable and not past_deadline
    files = list(
        EvidenceFile.objects.filter(progress=progress).select_related(
            "uploaded_by", "removed_by", "work_item", "requirement"
        )
    )
    work_items = list(WorkItem.objects.current().filter(progress=progress))
    for item in work_items:
        item.current_files = [f for f in files if f.work_item_id == item.pk and f.removed_at is None]
    submissions = list(
        Submission.objects.filter(progress=progress)
        .select_related("submitted_by")
        .prefetch_related(Prefetch("decisions", queryset=Decision.objects.select_related("decided_by")))
        .order_by("-number")
    )
    context = {
        "assessment": assessment,
        "progress": progress,
        "step": progress.step,
        "form_kind": progress.step.form_kind,
        "may_change": may_change,
        "editable": editable,
        "past_deadline": past_deadline,
        "current_files": [f for f in files if f.removed_at is None and f.work_item_id is None],
        "removed_files": [f for f in files if f.removed_at is not None],
        "work_items": work_items,
        "submissions": submissions,
        "requirements": list(progress.step.requirements.filter(is_report=False).order_by("number")),
        "missing": progress.missing_requirements() if editable else [],
        "max_upload_mb": settings.EVIDENCE_MAX_UPLOAD_MB,
    }
    if editable:
        context.update(forms if forms is not None else _content_forms(progress))
        context["upload_form"] = upload_form or evidence_forms.UploadForm(work_items=work_items)
    return render(request, "evidence/step_detail.html", context, status=status)


@login_required
@require_GET
def step_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    return _render_step(request, _get_progress(request, pk, number))


@login_required
@require_POST
def step_save(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    progress = _get_progress(request, pk, number, for_change=True)
    forms = _content_forms(progress, request.POST)
    content = _content_from_forms(progress, forms) if forms else None
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
    # The streaming handler must be in place before anything reads the body, CSRF included.
    handler = EvidenceUploadHandler(request)
    request.upload_handlers = [handler]
    try:
        return _evidence_upload(request, pk, number)
    finally:
        handler.cleanup()  # a file the parser gave up on half-way: its threads and spool file


@csrf_protect
def _evidence_upload(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    progress = _get_progress(request, pk, number, for_change=True)
    work_items = list(WorkItem.objects.current().filter(progress=progress))
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
            _("ส่งขั้นตอนที่ %(step)s แล้ว (ครั้งที่ %(number)s) รอกลุ่มพัฒนาระบบบริหารตรวจ")
            % {"step": progress.step.number, "number": submission.number},
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
    storage = evidence_storage()
    disposition = content_disposition("inline" if inline else "attachment", evidence.original_name)
    if not is_local(storage):
        url = storage.url(
            evidence.stored_name,
            parameters={"ResponseContentDisposition": disposition, "ResponseContentType": evidence.content_type},
        )
        return HttpResponseRedirect(url)
    response = FileResponse(storage.open(evidence.stored_name, "rb"), content_type=evidence.content_type)
    response.block_size = 256 * 1024  # Django's 4 KB blocks make a 100 MB download 25,000 writes
    response["Content-Disposition"] = disposition
    response["Content-Length"] = str(evidence.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
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
    # browser cannot treat them as a page. Images also get a sandbox; PDFs cannot: Chrome
    # refuses to start its built-in PDF viewer under a sandboxing CSP (chromium bug 413851).
    if evidence.content_type == "application/pdf":
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    else:
        response["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
        )
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
