"""Submitting a step for review.

This lives with the evidence because a step's completeness and its snapshot depend on the step's
kind (evidence/kinds/) and its files (evidence.selectors); the rules on who may submit and until
when are milestones' (milestones.services.steps.step_lock_for_change, milestones.rules.editing).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.selectors import build_snapshot, missing_for_submission
from milestones.models import AuditAction, StepProgress, StepStatus, Submission
from milestones.rules import deadlines
from milestones.services.audit import audit_record
from milestones.services.steps import StepRefused, step_lock_for_change


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
