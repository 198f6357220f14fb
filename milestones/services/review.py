"""The management-systems group's writes: deciding steps, reopening them, extensions.

Every function runs in one transaction, locks the row it decides on, records the
audit event in the same transaction and queues its mail with on_commit, so a
mail goes out only for a decision that was saved.
"""

import datetime as dt
from functools import partial

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from milestones import notifications
from milestones.models import (
    Assessment,
    AuditAction,
    Decision,
    DecisionKind,
    Extension,
    ExtensionStatus,
    Indicator,
    StepProgress,
    StepStatus,
)
from milestones.rules.access import can_change_assessment, can_reopen, can_review, can_review_indicator
from milestones.rules.editing import round_refusal
from milestones.services.audit import audit_record
from milestones.services.errors import ServiceError


class ReviewError(ServiceError):
    """A decision that cannot be made; the message is Thai and shown to the user as is."""


class AlreadyDecided(ReviewError):
    default_message = _("ขั้นตอนนี้ได้รับการพิจารณาแล้ว โดยผู้ตรวจประเมินอีกท่านหนึ่ง กรุณาตรวจสอบผลล่าสุดด้านล่าง")


class CommentRequired(ReviewError):
    default_field = "comment"
    default_message = _("กรุณาระบุสิ่งที่หน่วยงานต้องแก้ไข")


class NotAccepted(ReviewError):
    default_message = _("เปิดให้แก้ไขใหม่ได้เฉพาะขั้นตอนที่ผ่านการพิจารณาแล้ว")


class ExtensionError(ReviewError):
    pass


def _check_reviewer_and_round(user, indicator: Indicator) -> None:
    """A decision on an indicator is its supervising group's (or an admin's), in an open round."""
    if not can_review_indicator(user, indicator):
        raise PermissionDenied(_("เฉพาะผู้กำกับตัวชี้วัดนี้เท่านั้นที่พิจารณาได้"))
    if refusal := round_refusal(indicator.round):
        raise ReviewError(refusal)


def _recalculate(assessment_id: int) -> Assessment:
    """Lock the assessment and set its level and scores from its steps (same transaction)."""
    assessment = Assessment.objects.select_for_update(of=("self",)).select_related("unit").get(pk=assessment_id)
    assessment.indicator = Indicator.objects.prefetch_related("weights", "targets").get(pk=assessment.indicator_id)
    assessment.recalculate()
    assessment.save(update_fields=["level", "score", "weight", "weighted_score", "updated_at"])
    return assessment


@transaction.atomic
def step_review(
    *,
    progress: StepProgress,
    user,
    kind: str,
    comment: str = "",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Accept or return the step's latest submission.

    Raises AlreadyDecided when the step is no longer awaiting a decision (another
    reviewer decided first): the row lock serialises two reviewers, and the
    one-decision-per-submission constraint is the last line of defence.
    """
    if not can_review(user):
        raise PermissionDenied("เฉพาะผู้ตรวจประเมินเท่านั้น")
    if kind not in {DecisionKind.ACCEPTED, DecisionKind.RETURNED}:
        raise ValueError(f"unknown decision kind {kind!r}")
    comment = (comment or "").strip()
    if kind == DecisionKind.RETURNED and not comment:
        raise CommentRequired()
    now = now or timezone.now()

    locked = (
        StepProgress.objects.select_for_update(of=("self",))
        .select_related("step", "assessment__indicator__round")
        .get(pk=progress.pk)
    )
    _check_reviewer_and_round(user, locked.assessment.indicator)
    if locked.status != StepStatus.SUBMITTED:
        raise AlreadyDecided()
    submission = locked.submissions.order_by("-number").first()
    if submission is None:
        raise AlreadyDecided()
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                progress=locked, submission=submission, kind=kind, comment=comment, decided_by=user, decided_at=now
            )
    except IntegrityError:
        raise AlreadyDecided() from None

    locked.status = StepStatus.ACCEPTED if kind == DecisionKind.ACCEPTED else StepStatus.RETURNED
    locked.accepted_at = now if kind == DecisionKind.ACCEPTED else None
    locked.changed_at = now
    locked.changed_by = user
    locked.save(update_fields=["status", "accepted_at", "changed_at", "changed_by"])
    assessment = _recalculate(locked.assessment_id)

    audit_record(
        action=AuditAction.STEP_ACCEPT if kind == DecisionKind.ACCEPTED else AuditAction.STEP_RETURN,
        user=user,
        request=request,
        unit=assessment.unit,
        obj=decision,
        message=f"ขั้นตอนที่ {locked.step.number} ครั้งที่ {submission.number}: {decision.get_kind_display()}",
        data={
            "progress": locked.pk,
            "submission": submission.pk,
            "comment": comment,
            "level": assessment.level,
            "weighted_score": str(assessment.weighted_score),
        },
    )
    transaction.on_commit(partial(notifications.notify_step_decided, decision.pk))
    progress.refresh_from_db()
    return decision


@transaction.atomic
def step_reopen(
    *,
    progress: StepProgress,
    user,
    reason: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """An admin sends an accepted step back to the unit (accepted → returned), giving a reason."""
    if not can_reopen(user):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบเท่านั้น")
    reason = (reason or "").strip()
    if not reason:
        raise CommentRequired(_("กรุณาระบุเหตุผลที่เปิดให้แก้ไขใหม่"))
    now = now or timezone.now()

    locked = (
        StepProgress.objects.select_for_update(of=("self",))
        .select_related("step", "assessment__indicator__round")
        .get(pk=progress.pk)
    )
    if refusal := round_refusal(locked.assessment.indicator.round):
        raise ReviewError(refusal)
    if locked.status != StepStatus.ACCEPTED:
        raise NotAccepted()
    submission = locked.submissions.order_by("-number").first()
    if submission is None:
        raise NotAccepted()
    decision = Decision.objects.create(
        progress=locked,
        submission=submission,
        kind=DecisionKind.REOPENED,
        comment=reason,
        decided_by=user,
        decided_at=now,
    )
    locked.status = StepStatus.RETURNED
    locked.accepted_at = None
    locked.changed_at = now
    locked.changed_by = user
    locked.save(update_fields=["status", "accepted_at", "changed_at", "changed_by"])
    assessment = _recalculate(locked.assessment_id)

    audit_record(
        action=AuditAction.STEP_REOPEN,
        user=user,
        request=request,
        unit=assessment.unit,
        obj=decision,
        message=f"ขั้นตอนที่ {locked.step.number}: เปิดให้แก้ไขใหม่",
        data={"progress": locked.pk, "reason": reason, "level": assessment.level},
    )
    transaction.on_commit(partial(notifications.notify_step_decided, decision.pk))
    progress.refresh_from_db()
    return decision


@transaction.atomic
def extension_request(
    *,
    assessment: Assessment,
    user,
    reason: str,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Extension:
    """The unit's staff ask for more time. One pending request per assessment."""
    if not can_change_assessment(user, assessment):
        raise PermissionDenied("คุณไม่มีสิทธิ์ขอขยายเวลาให้หน่วยงานนี้")
    # Locked and read afresh: the round may have closed since the caller read the assessment.
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("unit", "indicator__round")
        .get(pk=assessment.pk)
    )
    if refusal := round_refusal(assessment.indicator.round):
        raise ExtensionError(refusal)
    reason = (reason or "").strip()
    if not reason:
        raise ExtensionError(_("กรุณาระบุเหตุผลที่ขอขยายเวลา"), field="reason")
    now = now or timezone.now()
    if Extension.objects.filter(assessment=assessment, status=ExtensionStatus.PENDING).exists():
        raise ExtensionError(_("หน่วยงานมีคำขอขยายเวลาที่รอพิจารณาอยู่แล้ว"))
    try:
        with transaction.atomic():
            extension = Extension.objects.create(
                assessment=assessment, reason=reason, requested_by=user, requested_at=now
            )
    except IntegrityError:
        raise ExtensionError(_("หน่วยงานมีคำขอขยายเวลาที่รอพิจารณาอยู่แล้ว")) from None
    audit_record(
        action=AuditAction.EXTENSION_REQUEST,
        user=user,
        request=request,
        unit=assessment.unit,
        obj=extension,
        message=reason[:200],
        data={"assessment": assessment.pk, "current_deadline": assessment.deadline.isoformat()},
    )
    return extension


@transaction.atomic
def extension_decide(
    *,
    extension: Extension,
    user,
    grant: bool,
    new_deadline: dt.date | None = None,
    note: str = "",
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Extension:
    """A reviewer grants (with a new date later than the current deadline) or refuses (with a note)."""
    if not can_review(user):
        raise PermissionDenied("เฉพาะผู้ตรวจประเมินเท่านั้น")
    note = (note or "").strip()
    now = now or timezone.now()
    locked = Extension.objects.select_for_update().get(pk=extension.pk)
    if locked.status != ExtensionStatus.PENDING:
        raise ExtensionError(_("คำขอนี้ได้รับการพิจารณาแล้ว"))
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("unit", "indicator__round")
        .get(pk=locked.assessment_id)
    )
    _check_reviewer_and_round(user, assessment.indicator)
    if grant:
        if new_deadline is None:
            raise ExtensionError(_("กรุณาระบุกำหนดส่งใหม่"), field="new_deadline")
        if new_deadline <= assessment.deadline:
            raise ExtensionError(_("กำหนดส่งใหม่ต้องหลังกำหนดส่งปัจจุบัน"), field="new_deadline")
    elif not note:
        raise ExtensionError(_("กรุณาระบุเหตุผลที่ไม่อนุมัติ"), field="note")

    locked.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    locked.new_deadline = new_deadline if grant else None
    locked.decided_by = user
    locked.decided_at = now
    locked.decision_note = note
    locked.save(update_fields=["status", "new_deadline", "decided_by", "decided_at", "decision_note"])
    if grant:
        assessment.extended_deadline = new_deadline
        assessment.save(update_fields=["extended_deadline", "updated_at"])
    audit_record(
        action=AuditAction.EXTENSION_GRANT if grant else AuditAction.EXTENSION_REFUSE,
        user=user,
        request=request,
        unit=assessment.unit,
        obj=locked,
        message=(f"กำหนดส่งใหม่ {new_deadline.isoformat()}" if grant else note[:200]),
        data={"assessment": assessment.pk, "new_deadline": new_deadline.isoformat() if grant else None, "note": note},
    )
    transaction.on_commit(partial(notifications.notify_extension_decided, locked.pk))
    extension.refresh_from_db()
    return locked
