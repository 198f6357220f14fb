"""Writes on a step's evidence: adding and removing files, saving the step form's content.

Each function locks the step (milestones.services.steps.step_lock_for_change),
checks the rules, writes, moves a not-started step to draft and audits, all in
one transaction.

A file is saved to storage first and its row created after; if anything fails
before the transaction commits, the stored file is deleted again, so there is
never a row without a file nor a file without a row.
"""

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.models import EvidenceFile, WorkItem
from evidence.storage import evidence_storage, hash_stream, make_durable, max_upload_bytes, stored_name
from evidence.validation import EvidenceRefused, clean_name, sniff
from milestones.models import AuditAction, EvidenceRequirement, StepProgress
from milestones.services.audit import audit_record
from milestones.services.steps import StepRefused, step_lock_for_change, step_mark_draft

logger = logging.getLogger(__name__)


class DuplicateEvidence(Exception):
    """The same content is already a current file of this step."""

    def __init__(self, existing: EvidenceFile):
        self.existing = existing
        super().__init__(existing.original_name)


def _size_label(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


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

    Raises EvidenceRefused (type, size, name), DuplicateEvidence (same sha256 already
    current in the step), StepRefused (not editable, past the deadline) or PermissionDenied.

    The transaction is opened here rather than by a decorator so that the stored
    file is deleted whenever the transaction does not commit, the commit itself
    included. (Nested inside a caller's transaction that later rolls back, the
    file would stay: the views call this at the top level, one file per transaction.)
    """
    stored: list[tuple] = []
    try:
        with transaction.atomic():
            return _evidence_add(
                progress=progress,
                user=user,
                upload=upload,
                evidence_date=evidence_date,
                work_item=work_item,
                requirement=requirement,
                description=description,
                request=request,
                now=now or timezone.now(),
                stored=stored,
            )
    except IntegrityError:
        for storage, name in stored:
            _delete_quietly(storage, name)
        # Another request stored the same content in this step a moment ago.
        existing = (
            EvidenceFile.objects.current().filter(progress=progress, sha256=getattr(upload, "sha256", "")).first()
        )
        if existing is not None:
            raise DuplicateEvidence(existing) from None
        raise
    except BaseException:
        for storage, name in stored:
            _delete_quietly(storage, name)
        raise


def _evidence_add(*, progress, user, upload, evidence_date, work_item, requirement, description, request, now, stored):
    progress = step_lock_for_change(progress=progress, user=user, now=now)
    original_name = clean_name(getattr(upload, "full_name", upload.name))
    if getattr(upload, "sha256", ""):
        sha256, size = upload.sha256, upload.size
    else:
        sha256, size = hash_stream(upload)
    if getattr(upload, "too_large", False) or size > max_upload_bytes():
        raise EvidenceRefused(
            _("ไฟล์ “%(name)s” มีขนาด %(size)s เกินขนาดสูงสุด %(limit)s MB ต่อไฟล์")
            % {"name": original_name, "size": _size_label(size), "limit": max_upload_bytes() // (1024 * 1024)}
        )
    file_type = sniff(upload, original_name)
    if work_item is not None and (work_item.progress_id != progress.pk or work_item.removed_at is not None):
        raise StepRefused(_("ไม่พบชิ้นงานที่เลือกในขั้นตอนนี้"))
    if requirement is not None and not requirement.steps.filter(pk=progress.step_id).exists():
        raise StepRefused(_("หลักฐานข้อที่เลือกไม่ใช่ของขั้นตอนนี้"))
    existing = EvidenceFile.objects.current().filter(progress=progress, sha256=sha256).first()
    if existing is not None:
        raise DuplicateEvidence(existing)

    storage = evidence_storage()
    upload.seek(0)
    name = storage.save(stored_name(file_type.extensions[0], now), upload)
    stored.append((storage, name))
    make_durable(storage, name)
    evidence = EvidenceFile.objects.create(
        progress=progress,
        requirement=requirement,
        work_item=work_item,
        stored_name=name,
        original_name=original_name,
        size=size,
        content_type=file_type.content_type,
        sha256=sha256,
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
        message=_("อัปโหลด “%(name)s” ในขั้นตอนที่ %(step)s") % {"name": original_name, "step": progress.step.number},
        data={"step": progress.step.number, "sha256": sha256, "size": size, "stored_name": name},
    )
    return evidence


def _delete_quietly(storage, name: str) -> None:
    try:
        storage.delete(name)
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
