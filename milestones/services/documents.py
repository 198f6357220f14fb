"""A background document's life: queued, claimed by one worker, beating while it is built, done or failed.

Every transition is a conditional UPDATE on the job's row, so two workers never build the same job
and a late heartbeat from a worker that lost its job changes nothing. What a document is and how it
is built: milestones.reporting.documents.
"""

import datetime as dt
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from milestones.models import DocumentJob, DocumentStatus

FAILED_MESSAGE = _("จัดทำเอกสารไม่สำเร็จ กรุณาขอจัดทำใหม่อีกครั้ง หากยังไม่สำเร็จ โปรดแจ้งผู้ดูแลระบบ")


def document_claim(*, job_id: int, now: dt.datetime | None = None) -> bool:
    """Take a queued job for this worker; False when another worker has it or it is not queued."""
    now = now or timezone.now()
    return bool(
        DocumentJob.objects.filter(pk=job_id, status=DocumentStatus.QUEUED).update(
            status=DocumentStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, progress=0
        )
    )


def document_progress(*, job_id: int, progress: int, now: dt.datetime | None = None) -> None:
    """The worker is alive and this far (0-100)."""
    DocumentJob.objects.filter(pk=job_id, status=DocumentStatus.RUNNING).update(
        progress=max(0, min(progress, 99)), heartbeat_at=now or timezone.now()
    )


def document_beat(*, job_id: int) -> None:
    """The worker is alive (between progress steps: a long render beats on its own thread)."""
    DocumentJob.objects.filter(pk=job_id, status=DocumentStatus.RUNNING).update(heartbeat_at=timezone.now())


def document_finish(*, job_id: int, stored_name: str, filename: str, content_type: str) -> bool:
    return bool(
        DocumentJob.objects.filter(pk=job_id, status=DocumentStatus.RUNNING).update(
            status=DocumentStatus.DONE,
            stored_name=stored_name,
            filename=filename,
            content_type=content_type,
            progress=100,
            finished_at=timezone.now(),
            error="",
        )
    )


def document_fail(*, job_id: int, message: str = "") -> None:
    DocumentJob.objects.filter(pk=job_id).exclude(status=DocumentStatus.DONE).update(
        status=DocumentStatus.FAILED, error=message or FAILED_MESSAGE, finished_at=timezone.now()
    )


def document_requeue(*, job_id: int) -> bool:
    """A failed job asked for again is queued again (the caller enqueues its task)."""
    return bool(
        DocumentJob.objects.filter(pk=job_id, status=DocumentStatus.FAILED).update(
            status=DocumentStatus.QUEUED, error="", progress=0, attempts=0, finished_at=None
        )
    )


def documents_stale(*, now: dt.datetime | None = None) -> list[int]:
    """Running jobs whose worker stopped beating (killed, machine lost): each is queued again, or
    failed once it has had DOCUMENT_JOB_ATTEMPTS tries. Returns the ids queued again (the caller
    enqueues their tasks)."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.DOCUMENT_JOB_STALE_SECONDS)
    stale = DocumentJob.objects.filter(status=DocumentStatus.RUNNING, heartbeat_at__lt=limit)
    requeued = []
    for job_id, attempts in stale.values_list("pk", "attempts"):
        if attempts >= settings.DOCUMENT_JOB_ATTEMPTS:
            DocumentJob.objects.filter(pk=job_id, status=DocumentStatus.RUNNING, heartbeat_at__lt=limit).update(
                status=DocumentStatus.FAILED, error=FAILED_MESSAGE, finished_at=now
            )
        elif DocumentJob.objects.filter(pk=job_id, status=DocumentStatus.RUNNING, heartbeat_at__lt=limit).update(
            status=DocumentStatus.QUEUED, progress=0
        ):
            requeued.append(job_id)
    return requeued
