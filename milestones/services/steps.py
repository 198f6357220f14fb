"""Unit staff's writes on a step: the shared lock-and-check, and submitting a step for review.

Every change to a step's content or files goes through step_lock_for_change(),
which locks the progress row (so a submission and an upload cannot interleave)
and refuses, in Thai, what the rules do not allow: someone other than the
unit's staff, a step that is sent or accepted, a deadline that has passed
(an extension granted to the assessment counts).
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi_tracker.lib import thai
from milestones.models import AuditAction, StepProgress, StepStatus, Submission
from milestones.rules.access import can_change_assessment
from milestones.services.audit import audit_record


class StepRefused(Exception):
    """A change the rules refuse; messages are Thai, one per reason, shown to the user."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


def step_lock_for_change(*, progress: StepProgress, user, now: dt.datetime | None = None) -> StepProgress:
    """The progress row, locked for the rest of the transaction, if this user may change it now.

    Must run inside a transaction. Raises PermissionDenied for anyone but the
    unit's own staff, and StepRefused when the step is not editable or the
    deadline has passed.
    """
    now = now or timezone.now()
    locked = (
        StepProgress.objects.select_for_update(of=("self",))
        .select_related("assessment__unit", "assessment__indicator__round", "step__indicator__round")
        .get(pk=progress.pk)
    )
    if not can_change_assessment(user, locked.assessment):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์แก้ไขข้อมูลของหน่วยงานนี้"))
    if not locked.is_editable:
        raise StepRefused(_("ขั้นตอนนี้ส่งแล้วหรือผ่านแล้ว จึงแก้ไขไม่ได้"))
    if locked.assessment.is_past_deadline(now):
        raise StepRefused(
            _("พ้นกำหนดส่งแล้ว (%(deadline)s) ไม่สามารถแก้ไข อัปโหลด หรือส่งขั้นตอนได้ เว้นแต่ได้รับการขยายเวลา")
            % {"deadline": thai.thai_date(locked.assessment.deadline)}
        )
    return locked


def step_mark_draft(*, progress: StepProgress, user, now: dt.datetime | None = None) -> None:
    """Saving content or files moves a step that was not started to draft (call with the row locked)."""
    if progress.status == StepStatus.NOT_STARTED:
        progress.status = StepStatus.DRAFT
        progress.changed_at = now or timezone.now()
        progress.changed_by = user
        progress.save(update_fields=["status", "changed_at", "changed_by"])


@transaction.atomic
def step_submit(*, progress: StepProgress, user, now: dt.datetime | None = None, request=None) -> Submission:
    """Send a step for review: check the rules and requirements, snapshot what is sent, lock the content.

    is_late marks a submission after the round's own deadline, which only an
    extension allows. Raises StepRefused listing everything that is missing.
    """
    from evidence.content import build_snapshot

    now = now or timezone.now()
    progress = step_lock_for_change(progress=progress, user=user, now=now)
    missing = progress.missing_requirements()
    if missing:
        raise StepRefused(missing)
    last = progress.submissions.order_by("-number").values_list("number", flat=True).first() or 0
    is_late = thai.is_past_deadline(progress.assessment.indicator.round.deadline, now)
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
