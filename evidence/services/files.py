"""Writes on a step's evidence: adding and removing files.

Each function locks the step (milestones.services.steps.step_lock_for_change),
checks the rules, writes, moves a not-started step to draft and audits, all in
one transaction.

A file is saved to storage first and its row created after; if anything fails
before the transaction commits, a newly stored file is deleted again, so there is
never a row without a file nor a file without a row. Stored objects are shared by
rows of the same unit with the same bytes (see evidence_add) and never deleted.

Bounds (settings, docs/deploy.md): EVIDENCE_UNIT_QUOTA_MB per unit (every stored object
counts once, removed files' included), EVIDENCE_UPLOADS_PER_HOUR per user, and
EVIDENCE_MAX_REQUEST_MB per request, refused before the body is read (upload_precheck).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.models import EvidenceFile, WorkItem
from evidence.storage import (
    delete_later,
    evidence_storage,
    hash_stream,
    make_durable,
    max_upload_bytes,
    storage_errors,
    stored_name,
)
from evidence.validation import EvidenceRefused, FileType, clean_name, sniff
from milestones.models import AuditAction, EvidenceRequirement, StepProgress, Unit
from milestones.services.audit import audit_record
from milestones.services.steps import StepRefused, step_check_change, step_lock_for_change, step_mark_draft

logger = logging.getLogger(__name__)
MB = 1024 * 1024
RATE_WINDOW = dt.timedelta(hours=1)


class DuplicateEvidence(Exception):
    """The same content is already a current file of this step."""

    def __init__(self, existing: EvidenceFile):
        self.existing = existing
        super().__init__(existing.original_name)


class EvidenceStorageError(EvidenceRefused):
    """The storage could not take the file (S3 unreachable, a full disk): nothing was kept."""

    def __init__(self):
        super().__init__(_("ระบบจัดเก็บไฟล์ขัดข้องชั่วคราวหรือพื้นที่เต็ม ไฟล์นี้ยังไม่ถูกบันทึก กรุณาลองอัปโหลดใหม่อีกครั้งในอีกสักครู่"))


def _size_label(size: int) -> str:
    return f"{size / MB:.1f} MB"


def _max_request_bytes() -> int:
    return settings.EVIDENCE_MAX_REQUEST_MB * MB


def _unit_quota_bytes() -> int:
    return settings.EVIDENCE_UNIT_QUOTA_MB * MB


def _check_rate(user, now: dt.datetime) -> None:
    limit = settings.EVIDENCE_UPLOADS_PER_HOUR
    if EvidenceFile.objects.uploaded_by_since(user, now - RATE_WINDOW) >= limit:
        raise EvidenceRefused(_("คุณอัปโหลดครบ %(limit)s ไฟล์ภายในหนึ่งชั่วโมงแล้ว กรุณารอสักครู่แล้วอัปโหลดใหม่") % {"limit": limit})


def _check_quota(unit_id: int, size: int | None) -> None:
    """Room for a file of `size` bytes in the unit's storage (None: any room left at all)."""
    used, quota = EvidenceFile.objects.stored_bytes_of_unit(unit_id), _unit_quota_bytes()
    if (used >= quota) if size is None else (used + size > quota):
        message = _(
            "พื้นที่เก็บหลักฐานของหน่วยงานไม่พอ: ใช้ไปแล้ว %(used)s จาก %(quota)s MB (นับทุกไฟล์ที่เคยอัปโหลด "
            "รวมไฟล์ที่นำออกแล้ว) กรุณาติดต่อผู้ดูแลระบบ"
        ) % {"used": _size_label(used), "quota": quota // MB}
        if size is not None:
            message += " " + _("(ไฟล์นี้ %(size)s)") % {"size": _size_label(size)}
        raise EvidenceRefused(message)


def upload_precheck(*, progress: StepProgress, user, content_length: int, now: dt.datetime | None = None) -> None:
    """Refuse an upload request before its body is read: the step cannot take files now, the
    request is larger than EVIDENCE_MAX_REQUEST_MB, the user has reached the hourly limit, or the
    unit's storage is full. Raises PermissionDenied, StepRefused or EvidenceRefused; each file is
    checked again, under the locks, by evidence_add."""
    now = now or timezone.now()
    step_check_change(progress=progress, user=user, now=now)
    if content_length > _max_request_bytes():
        raise EvidenceRefused(
            _("ไฟล์ที่ส่งในครั้งเดียวมีขนาดรวม %(size)s เกิน %(limit)s MB กรุณาแบ่งอัปโหลดเป็นหลายครั้ง")
            % {"size": _size_label(content_length), "limit": settings.EVIDENCE_MAX_REQUEST_MB}
        )
    _check_rate(user, now)
    _check_quota(progress.assessment.unit_id, None)


@dataclass(frozen=True)
class Inspected:
    original_name: str
    sha256: str
    size: int
    file_type: FileType


def inspect_upload(upload) -> Inspected:
    """Name, sha256, size and type of an upload, and every content check (validation.sniff):
    everything that reads the file, done before any lock is taken."""
    if getattr(upload, "write_error", None) is not None:  # the spool could not be written (disk full)
        raise EvidenceStorageError()
    original_name = clean_name(getattr(upload, "full_name", upload.name))
    if getattr(upload, "sha256", ""):
        sha256, size = upload.sha256, upload.size
    else:
        sha256, size = hash_stream(upload)
    if getattr(upload, "too_large", False) or size > max_upload_bytes():
        raise EvidenceRefused(
            _("ไฟล์ “%(name)s” มีขนาด %(size)s เกินขนาดสูงสุด %(limit)s MB ต่อไฟล์")
            % {"name": original_name, "size": _size_label(size), "limit": max_upload_bytes() // MB}
        )
    return Inspected(original_name, sha256, size, sniff(upload, original_name))


def evidence_add(
    *,
    progress: StepProgress,
    user,
    upload,
    evidence_date: dt.date | None = None,
    work_item: WorkItem | None = None,
    requirement: EvidenceRequirement | None = None,
    description: str = "",
    request=None,
    now: dt.datetime | None = None,
) -> EvidenceFile:
    """Store one uploaded file as evidence of a step.

    Raises EvidenceRefused (type, size, name, active content, quota, rate; EvidenceStorageError
    when the storage fails), DuplicateEvidence (same sha256 already current in the step),
    StepRefused (not editable, past the deadline) or PermissionDenied.

    The file is inspected first, outside the transaction and its locks (parsing a large
    document must not hold the step's row). The same bytes uploaded again to the unit, also
    after they were removed, reuse the stored object instead of storing a second copy: rows are
    never changed, so every version stays listed, and nothing is ever overwritten.

    The transaction is opened here rather than by a decorator so that a newly stored file is
    deleted whenever the transaction does not commit, the commit itself included. (Nested inside
    a caller's transaction that later rolls back, the file would stay: the views call this at
    the top level, one file per transaction.)
    """
    now = now or timezone.now()
    inspected = inspect_upload(upload)
    stored: list[tuple] = []
    try:
        with transaction.atomic():
            return _evidence_add(
                progress=progress,
                user=user,
                upload=upload,
                inspected=inspected,
                evidence_date=evidence_date,
                work_item=work_item,
                requirement=requirement,
                description=description,
                request=request,
                now=now,
                stored=stored,
            )
    except IntegrityError:
        for storage, name in stored:
            _delete_quietly(storage, name)
        # Another request stored the same content in this step a moment ago.
        existing = EvidenceFile.objects.current().filter(progress=progress, sha256=inspected.sha256).first()
        if existing is not None:
            raise DuplicateEvidence(existing) from None
        raise
    except BaseException:
        for storage, name in stored:
            _delete_quietly(storage, name)
        raise


def _evidence_add(
    *, progress, user, upload, inspected, evidence_date, work_item, requirement, description, request, now, stored
):
    progress = step_lock_for_change(progress=progress, user=user, now=now)
    if work_item is not None and (work_item.progress_id != progress.pk or work_item.removed_at is not None):
        raise StepRefused(_("ไม่พบชิ้นงานที่เลือกในขั้นตอนนี้"))
    if requirement is not None and not requirement.steps.filter(pk=progress.step_id).exists():
        raise StepRefused(_("หลักฐานข้อที่เลือกไม่ใช่ของขั้นตอนนี้"))
    existing = EvidenceFile.objects.current().filter(progress=progress, sha256=inspected.sha256).first()
    if existing is not None:
        raise DuplicateEvidence(existing)
    unit_id = progress.assessment.unit_id
    # One upload at a time per unit from here to the commit: the quota, the rate and the reuse of
    # stored objects are read and written consistently (the unit's steps have their own locks).
    Unit.objects.select_for_update().filter(pk=unit_id).exists()
    _check_rate(user, now)
    name = EvidenceFile.objects.stored_object_of_unit(unit_id, inspected.sha256, inspected.size)
    reused = name is not None
    if not reused:
        _check_quota(unit_id, inspected.size)
        name = _store(upload, inspected.file_type.extensions[0], now, stored)
    evidence = EvidenceFile.objects.create(
        progress=progress,
        requirement=requirement,
        work_item=work_item,
        stored_name=name,
        original_name=inspected.original_name,
        size=inspected.size,
        content_type=inspected.file_type.content_type,
        sha256=inspected.sha256,
        evidence_date=evidence_date,
        description=description,
        uploaded_at=now,
        uploaded_by=user,
    )
    step_mark_draft(progress=progress, user=user, now=now)
    audit_record(
        action=AuditAction.EVIDENCE_UPLOAD,
        user=user,
        request=request,
        unit=progress.assessment.unit,
        obj=evidence,
        message=_("อัปโหลด “%(name)s” ในขั้นตอนที่ %(step)s")
        % {"name": inspected.original_name, "step": progress.step.number},
        data={
            "step": progress.step.number,
            "sha256": inspected.sha256,
            "size": inspected.size,
            "stored_name": name,
            "reused": reused,
        },
    )
    return evidence


def _store(upload, extension: str, now: dt.datetime, stored: list) -> str:
    """Save the bytes under a new generated name (listed in `stored` before the write, so that a
    write whose answer was lost is deleted too) and make them durable."""
    storage = evidence_storage()
    name = stored_name(extension, now)
    stored.append((storage, name))
    upload.seek(0)
    try:
        saved = storage.save(name, upload)
        if saved != name:  # never expected with uuid names; the storage chose another
            stored.append((storage, saved))
        make_durable(storage, saved)
    except storage_errors() as error:
        logger.error("evidence storage failed, upload refused: %s", error)
        raise EvidenceStorageError() from error
    return saved


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
    except storage_errors():  # unreachable now (S3 down): retried in the background
        logger.warning("could not delete stored evidence %s after a failed upload; retrying later", name)
        delete_later(storage, name)
    except Exception:  # the file may not have been written at all
        logger.exception("could not delete stored evidence %s after a failed upload", name)


@transaction.atomic
def evidence_remove(*, evidence: EvidenceFile, user, request=None, now: dt.datetime | None = None) -> EvidenceFile:
    """Take a file out of a draft step: it stays stored and in the history, with removed_at set."""
    now = now or timezone.now()
    progress = step_lock_for_change(progress=evidence.progress, user=user, now=now)
    evidence = EvidenceFile.objects.select_for_update(of=("self",)).get(pk=evidence.pk)
    if evidence.removed_at is not None:
        raise StepRefused(_("ไฟล์นี้ถูกนำออกไปแล้ว"))
    evidence.removed_at = now
    evidence.removed_by = user
    evidence.save(update_fields=["removed_at", "removed_by"])
    step_mark_draft(progress=progress, user=user, now=now)
    audit_record(
        action=AuditAction.EVIDENCE_REMOVE,
        user=user,
        request=request,
        unit=progress.assessment.unit,
        obj=evidence,
        message=_("นำ “%(name)s” ออกจากขั้นตอนที่ %(step)s")
        % {"name": evidence.original_name, "step": progress.step.number},
        data={"step": progress.step.number, "sha256": evidence.sha256},
    )
    return evidence
