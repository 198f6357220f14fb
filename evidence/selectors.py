"""Reads of a step's evidence: its current files, what it still lacks before it may be submitted,
the snapshot of what a submission sends, and what a step page shows.

Query cost: a fixed handful whatever the number of files (the step's files, its submissions
with their decisions, the requirements, and the kind's own rows).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.kinds import kind_of
from evidence.models import EvidenceFile
from milestones.models import EvidenceRequirement, StepProgress
from milestones.rules.access import can_change_assessment
from milestones.rules.editing import may_edit_now
from milestones.selectors.review import submissions_of


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


def step_page(progress: StepProgress, user, now: dt.datetime) -> dict:
    """The step page's context, except the forms: the kind, the flags, the files and the history."""
    assessment = progress.assessment
    kind = kind_of(progress.step)
    may_change = can_change_assessment(user, assessment)
    editable = may_edit_now(user, progress, now)
    files = list(
        EvidenceFile.objects.filter(progress=progress).select_related(
            "uploaded_by", "removed_by", "work_item", "requirement"
        )
    )
    return {
        "assessment": assessment,
        "progress": progress,
        "step": progress.step,
        "kind": kind,
        "may_change": may_change,
        "editable": editable,
        "past_deadline": assessment.is_past_deadline(now),
        "deadline_state": assessment.deadline_state(now),
        "current_files": [f for f in files if f.removed_at is None and f.work_item_id is None],
        "removed_files": [f for f in files if f.removed_at is not None],
        "submissions": submissions_of(progress),
        "requirements": list(progress.step.requirements.filter(is_report=False).order_by("number")),
        "missing": missing_for_submission(progress) if editable else [],
        "max_upload_mb": settings.EVIDENCE_MAX_UPLOAD_MB,
        **kind.page_context(progress, files),
    }
