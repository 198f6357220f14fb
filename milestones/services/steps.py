"""Unit staff's writes on a step: the shared lock-and-check every change of content goes through.

Every change to a step's content or files (evidence.services) and its submission
(evidence.services.submission.step_submit) goes through step_lock_for_change(), which locks the
progress row (so a submission and an upload cannot interleave) and refuses, in Thai, what
milestones.rules.editing does not allow.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from milestones.models import StepProgress, StepStatus
from milestones.rules.access import can_change_assessment
from milestones.rules.editing import edit_refusal


class StepRefused(Exception):
    """A change the rules refuse; messages are Thai, one per reason, shown to the user."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("; ".join(self.messages))


def step_lock_for_change(*, progress: StepProgress, user, now: dt.datetime | None = None) -> StepProgress:
    """The progress row, locked for the rest of the transaction, if this user may change it now.

    Must run inside a transaction. Raises PermissionDenied for anyone but the unit's own
    staff, and StepRefused when the step is not editable or the deadline has passed.
    """
    now = now or timezone.now()
    locked = (
        StepProgress.objects.select_for_update(of=("self",))
        .select_related("assessment__unit", "assessment__indicator__round", "step__indicator__round")
        .get(pk=progress.pk)
    )
    step_check_change(progress=locked, user=user, now=now)
    return locked


def step_check_change(*, progress: StepProgress, user, now: dt.datetime) -> None:
    """The rules of step_lock_for_change on a row as read, without a lock: for refusing a request
    early (an upload before its body is read); the locked check still decides."""
    if not can_change_assessment(user, progress.assessment):
        raise PermissionDenied(_("คุณไม่มีสิทธิ์แก้ไขข้อมูลของหน่วยงานนี้"))
    refusal = edit_refusal(progress, now)
    if refusal:
        raise StepRefused(refusal)


def step_mark_draft(*, progress: StepProgress, user, now: dt.datetime | None = None) -> None:
    """Saving content or files moves a step that was not started to draft (call with the row locked)."""
    if progress.status == StepStatus.NOT_STARTED:
        progress.status = StepStatus.DRAFT
        progress.changed_at = now or timezone.now()
        progress.changed_by = user
        progress.save(update_fields=["status", "changed_at", "changed_by"])
