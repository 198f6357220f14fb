"""Submitting a step for review: what it still lacks, the snapshot of what is sent, and step_submit.

This lives with the evidence because a step's completeness and its snapshot depend on the step's
kind (evidence/kinds/) and its files; the rules on who may submit and until when are milestones'
(milestones.services.steps.step_lock_for_change, milestones.rules.deadlines).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.kinds import kind_of
from evidence.models import EvidenceFile
from milestones.models import AuditAction, EvidenceRequirement, StepProgress, StepStatus, Submission
from milestones.rules import deadlines
from milestones.rules.editing import may_edit_now
from milestones.services.audit import audit_record
from milestones.services.steps import StepRefused, step_lock_for_change


def current_files(progress: StepProgress) -> list[EvidenceFile]:
    return list(EvidenceFile.objects.current().filter(progress=progress).select_related("requirement", "uploaded_by"))


def step_requirements(progress: StepProgress) -> list[EvidenceRequirement]:
    return list(EvidenceRequirement.objects.filter(steps=progress.step_id, is_report=False).order_by("number"))


def display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def file_entry(f: EvidenceFile) -> dict:
    """One file as a snapshot holds it."""
    return {
        "id": f.pk,
        "original_name": f.original_name,
        "size": f.size,
        "content_type": f.content_type,
        "sha256": f.sha256,
        "evidence_date": f.evidence_date.isoformat() if f.evidence_date else None,
        "requirement": f.requirement.number if f.requirement_id else None,
        "uploaded_at": f.uploaded_at.isoformat(),
        "uploaded_by": display_name(f.uploaded_by),
    }


def build_snapshot(progress: StepProgress) -> dict:
    """What is sent: the kind's content and the current files (format: evidence/kinds/base.py)."""
    files = current_files(progress)
    return {
        "form_kind": progress.step.form_kind,
        "content": kind_of(progress.step).content(progress, files),
        "files": [file_entry(f) for f in files],
    }


def missing_for_submission(progress: StepProgress) -> list[str]:
    """Everything the step still lacks before it may be submitted, in Thai; empty when complete."""
    kind = kind_of(progress.step)
    files = current_files(progress)
    missing = kind.missing(progress, files)
    if kind.files_required and not files:
        missing.append(_("ยังไม่ได้แนบไฟล์หลักฐาน"))
    pieces = kind.pieces(progress, files)
    for requirement in step_requirements(progress):
        if requirement.min_count and pieces < requirement.min_count:
            missing.append(
                _("หลักฐานข้อ %(number)s ต้องมีอย่างน้อย %(need)s ชิ้นงาน ขณะนี้มี %(have)s ชิ้นงาน")
                % {"number": requirement.number, "need": requirement.min_count, "have": pieces}
            )
    return missing


def can_submit(progress: StepProgress, user, now: dt.datetime | None = None) -> bool:
    """The user may change the step now (milestones.rules.editing) and it is complete."""
    return may_edit_now(user, progress, now or timezone.now()) and not missing_for_submission(progress)


@transaction.atomic
def step_submit(*, progress: StepProgress, user, now: dt.datetime | None = None, request=None) -> Submission:
    """Send a step for review: check the rules and requirements, snapshot what is sent, lock the content.

    is_late marks a submission after the round's own deadline, which only an extension
    allows. Raises StepRefused listing everything that is missing.
    """
    now = now or timezone.now()
    progress = step_lock_for_change(progress=progress, user=user, now=now)
    missing = missing_for_submission(progress)
    if missing:
        raise StepRefused(missing)
    last = progress.submissions.order_by("-number").values_list("number", flat=True).first() or 0
    is_late = deadlines.is_late(progress.assessment.indicator.round.deadline, now)
    submission = Submission.objects.create(
        progress=progress,
        number=last + 1,
        submitted_at=now,
        submitted_by=user,
        is_late=is_late,
        snapshot=build_snapshot(progress),
    )
    progress.status = StepStatus.SUBMITTED
    progress.submitted_at = now
    progress.changed_at = now
    progress.changed_by = user
    progress.is_late = is_late
    progress.save(update_fields=["status", "submitted_at", "changed_at", "changed_by", "is_late"])
    audit_record(
        action=AuditAction.STEP_SUBMIT,
        user=user,
        request=request,
        unit=progress.assessment.unit,
        obj=submission,
        message=_("ส่งขั้นตอนที่ %(step)s ครั้งที่ %(number)s") % {"step": progress.step.number, "number": submission.number},
        data={"step": progress.step.number, "submission": submission.number, "is_late": is_late},
    )
    return submission
