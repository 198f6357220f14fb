"""Documents built by the background worker, never on a web request: the department summaries, the
round's workbook, a round backup started from the admin.

A page asks for one with request_document(): the job is keyed on the document and the data
version, so two requests for the same unchanged document share one job (one build), and it is
queued on the database task queue (django-tasks, settings.TASKS). `manage.py run_worker` runs
build_document() for each; the page follows the job's progress and offers the file when it is
ready. A worker killed mid-job leaves the job running without a heartbeat: the next worker, or
the next request for it, queues it again (milestones.services.documents).

Each kind says what it builds, who may ask for it (the same rule as the page it comes from) and
its file name; the files are kept in the default storage under documents/<key>.<ext>.
"""

import hashlib
import json
import logging
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django_tasks import task

from kpi_tracker.lib.pdf import render_pdf
from milestones.models import DocumentJob, DocumentStatus, Indicator, Round
from milestones.reporting import reports, round_exports
from milestones.rules.access import can_reopen, sees_every_unit, visible_indicators
from milestones.selectors.rounds import round_indicators
from milestones.selectors.versions import data_version
from milestones.services import documents as jobs

logger = logging.getLogger(__name__)
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Built:
    content: bytes | Path  # bytes, or a file on disk to store (large archives)
    filename: str
    content_type: str


@dataclass(frozen=True)
class DocumentKind:
    name: str
    build: Callable[[dict, Progress], Built]
    allowed: Callable[[object, dict], bool]  # (user, params)


def _indicator_summary(params: dict, progress: Progress) -> Built:
    indicator = Indicator.objects.select_related("round", "group").get(pk=params["indicator"])
    data = reports.department_summary(indicator)
    progress(30)
    pdf = render_pdf("reports/department_summary.html", data, thai_digits=params.get("digits") == "thai")
    return Built(pdf, f"สรุปผลตัวชี้วัดที่-{indicator.number}-{indicator.round.fiscal_year}.pdf", PDF)


def _round_workbook(params: dict, progress: Progress) -> Built:
    round_ = Round.objects.get(fiscal_year=params["round"])
    indicators = list(Indicator.objects.filter(pk__in=params["indicators"]).select_related("round").order_by("number"))
    rows = round_exports.round_rows(indicators)
    progress(40)
    return Built(
        round_exports.as_xlsx(indicators, rows, title=str(round_)), f"kpi-{round_.fiscal_year}-round-scores.xlsx", XLSX
    )


def _backup(params: dict, progress: Progress) -> Built:
    from milestones.ops.backup import export_round

    path = Path(tempfile.mkdtemp(prefix="kpi-backup-")) / "round.zip"
    export_round(fiscal_year=params["round"], path=path)
    return Built(path, f"kpi-round-{params['round']}-backup.zip", "application/zip")


def _sees_indicator(user, params: dict) -> bool:
    return visible_indicators(user).filter(pk=params.get("indicator")).exists()


def _sees_indicators(user, params: dict) -> bool:
    wanted = set(params.get("indicators", []))
    return sees_every_unit(user) and wanted <= set(visible_indicators(user).values_list("pk", flat=True))


KINDS: dict[str, DocumentKind] = {
    kind.name: kind
    for kind in (
        DocumentKind("indicator-summary", _indicator_summary, _sees_indicator),
        DocumentKind("round-workbook", _round_workbook, _sees_indicators),
        DocumentKind("round-backup", _backup, lambda user, params: can_reopen(user)),
    )
}


def round_workbook_params(round_: Round, user) -> dict:
    """The round's workbook as this user may see it: the round's indicators their groups supervise."""
    return {
        "round": round_.fiscal_year,
        "indicators": [i.pk for i in round_indicators(round_, visible_indicators(user))],
    }


def job_key(kind: str, params: dict) -> str:
    """The document and the version of the data: a change of data makes a new document."""
    return hashlib.sha256(json.dumps([kind, params, list(data_version())], sort_keys=True).encode()).hexdigest()


def request_document(*, kind: str, params: dict, user) -> DocumentJob:
    """The job for this document as the data stands: an existing one (being built, built, or failed and
    now queued again), or a new one on the queue. The caller has checked KINDS[kind].allowed."""
    key = job_key(kind, params)
    job = DocumentJob.objects.filter(key=key).first()
    if job is None:
        try:
            # The job and its task are written together: never a queued job without a task.
            with transaction.atomic():
                job = DocumentJob.objects.create(kind=kind, params=params, key=key, created_by=user)
                build_document.enqueue(job.pk)
        except IntegrityError:  # another request created it a moment ago: share it
            return DocumentJob.objects.get(key=key)
    elif job.status == DocumentStatus.FAILED:
        with transaction.atomic():
            if jobs.document_requeue(job_id=job.pk):
                build_document.enqueue(job.pk)
    else:
        requeue_stale()
    job.refresh_from_db()
    return job


def requeue_stale() -> int:
    """Queue again the jobs whose worker died; returns how many."""
    with transaction.atomic():
        ids = jobs.documents_stale()
        for job_id in ids:
            build_document.enqueue(job_id)
    return len(ids)


@task()
def build_document(job_id: int) -> None:
    """Run by `manage.py run_worker`: build one job's document and store it (the task's own result is
    only bookkeeping; the job row is what pages read)."""
    if not jobs.document_claim(job_id=job_id):
        return  # another worker has it, or it is done
    job = DocumentJob.objects.get(pk=job_id)
    with _heartbeat(job_id):
        _build(job)


@contextmanager
def _heartbeat(job_id: int):
    """Beat on a thread of its own while the job is built: one render may take longer than the time
    after which a silent job counts as abandoned."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(max(1, settings.DOCUMENT_JOB_STALE_SECONDS // 3)):
                jobs.document_beat(job_id=job_id)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"document-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _build(job: DocumentJob) -> None:
    job_id = job.pk
    try:
        built = KINDS[job.kind].build(
            job.params, lambda percent: jobs.document_progress(job_id=job_id, progress=percent)
        )
        jobs.document_progress(job_id=job_id, progress=95)
        extension = Path(built.filename).suffix
        name = f"documents/{job.key}{extension}"
        if default_storage.exists(name):
            default_storage.delete(name)  # a half-written copy from a worker that died
        if isinstance(built.content, Path):
            with built.content.open("rb") as source:
                stored = default_storage.save(name, File(source, name=name))
            built.content.unlink()
        else:
            stored = default_storage.save(name, ContentFile(built.content))
    except Exception:
        logger.exception("document job %s (%s) failed", job_id, job.kind)
        jobs.document_fail(job_id=job_id)
        return
    if not jobs.document_finish(
        job_id=job_id, stored_name=stored, filename=built.filename, content_type=built.content_type
    ):
        default_storage.delete(stored)  # the job was given to another worker meanwhile
