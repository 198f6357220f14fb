"""Saving a step form's content: the step locked, the kind's rows written, the step moved to draft, audited."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.kinds import kind_of
from milestones.models import AuditAction, StepProgress
from milestones.services.audit import audit_record
from milestones.services.steps import step_lock_for_change, step_mark_draft


@transaction.atomic
def step_content_save(
    *, progress: StepProgress, user, content: dict, request=None, now: dt.datetime | None = None
) -> None:
    """Save the step form's content (already validated by its form); content's keys follow the
    kind's snapshot content. A kind without a form refuses (StepRefused)."""
    now = now or timezone.now()
    progress = step_lock_for_change(progress=progress, user=user, now=now)
    kind_of(progress.step).save(progress, user, content, now)
    step_mark_draft(progress=progress, user=user, now=now)
    audit_record(
        action=AuditAction.STEP_SAVE,
        user=user,
        request=request,
        unit=progress.assessment.unit,
        obj=progress,
        message=_("บันทึกข้อมูลขั้นตอนที่ %(step)s") % {"step": progress.step.number},
        data={"step": progress.step.number, "form_kind": progress.step.form_kind},
    )
