"""A document the background worker builds: its progress page, its status for the page's script,
and its file once ready. Whoever may see the page the document comes from may follow and fetch it
(milestones.reporting.documents.KINDS[kind].allowed); anyone else gets 404."""

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from milestones.models import AuditAction, DocumentJob, DocumentStatus
from milestones.reporting.documents import KINDS, requeue_stale
from milestones.services.audit import audit_record


def _get_job(request: HttpRequest, pk: int) -> DocumentJob:
    job = DocumentJob.objects.filter(pk=pk).first()
    if job is None or not KINDS[job.kind].allowed(request.user, job.params):
        raise Http404("ไม่พบข้อมูล")
    return job


@login_required
@require_GET
def document_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress bar; static/js/document-job.js follows the status and offers the file."""
    return render(request, "reports/document.html", {"job": _get_job(request, pk)})


@login_required
@require_GET
def document_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _get_job(request, pk)
    if job.status == DocumentStatus.RUNNING:
        requeue_stale()  # a page still waiting is how a dead worker's job gets noticed soonest
        job.refresh_from_db()
    return JsonResponse(
        {
            "status": job.status,
            "label": str(job.get_status_display()),
            "progress": job.progress,
            "error": job.error,
            "download": reverse("document-download", args=[job.pk]) if job.status == DocumentStatus.DONE else None,
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_GET
def document_download(request: HttpRequest, pk: int) -> FileResponse:
    job = _get_job(request, pk)
    if job.status != DocumentStatus.DONE:
        raise Http404("เอกสารยังไม่พร้อม")
    audit_record(
        action=AuditAction.REPORT_EXPORT,
        request=request,
        message=job.filename,
        data={"report": job.kind, **job.params},
    )
    response = FileResponse(default_storage.open(job.stored_name, "rb"), content_type=job.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=job.filename)
    response["Cache-Control"] = "private, no-store"
    return response
