"""Mail that commands send on a schedule: the deadline reminder to a unit, the review digest to the
group. Each claims its work first so that two runs at once never send twice.

- reminder_send: the Reminder row (unique per assessment, kind and day) is inserted first and
  is the claim; the insert, the mail and the audit record share one transaction, so a failed
  mail leaves no claim behind and the next run tries again.
- review_digest_send: each submission is claimed with a conditional UPDATE
  (reviewers_notified_at IS NULL → now) before the mail goes out; if sending fails the claims
  are released.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse

from milestones import notifications
from milestones.models import Assessment, AuditAction, Reminder, Submission
from milestones.rules import deadlines
from milestones.services.audit import audit_record

DEADLINE = "deadline"


def reminder_send(*, assessment: Assessment, now: dt.datetime) -> bool:
    """Claim today's reminder for the unit and mail its staff; False if already sent today or nobody to mail."""
    recipients = notifications.unit_staff_emails(assessment.unit_id)
    if not recipients:
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                Reminder.objects.create(assessment=assessment, kind=DEADLINE, sent_on=deadlines.today(now), sent_at=now)
        except IntegrityError:
            return False
        days_left = deadlines.days_left(assessment.deadline, now)
        progresses = list(assessment.steps.select_related("step").order_by("step__number"))
        context = {
            "assessment": assessment,
            "unit": assessment.unit,
            "days_left": days_left,
            "progresses": progresses,
            "steps_total": len(progresses),
            "url": notifications.site_url(reverse("assessment-detail", args=[assessment.pk])),
        }
        notifications.send("deadline_reminder", context, recipients)
        audit_record(
            action=AuditAction.REMINDER_SEND,
            unit=assessment.unit,
            obj=assessment,
            message=f"แจ้งเตือนกำหนดส่ง เหลือ {days_left} วัน",
            data={
                "recipients": len(recipients),
                "deadline": assessment.deadline.isoformat(),
                "level": assessment.level,
            },
        )
    return True


def review_digest_claim(*, now: dt.datetime, limit: int = 500) -> list[Submission]:
    """Claim unnotified submissions one conditional UPDATE each; only rows this run updated are its own."""
    candidates = Submission.objects.filter(reviewers_notified_at__isnull=True).order_by("submitted_at", "pk")
    mine = [
        pk
        for pk in candidates.values_list("pk", flat=True)[:limit]
        if Submission.objects.filter(pk=pk, reviewers_notified_at__isnull=True).update(reviewers_notified_at=now)
    ]
    return list(
        Submission.objects.filter(pk__in=mine)
        .select_related("progress__step", "progress__assessment__unit", "progress__assessment__indicator__group")
        .order_by("submitted_at", "pk")
    )


def review_digest_send(*, now: dt.datetime) -> list[Submission]:
    """One mail to each supervising group's reviewers listing the submissions on its indicators since
    the last digest; returns the submissions mailed. Submissions of a group with no reviewer to tell
    stay unclaimed until it has one."""
    claimed = review_digest_claim(now=now)
    by_group: dict[int, list[Submission]] = {}
    for s in claimed:
        by_group.setdefault(s.progress.assessment.indicator.group_id, []).append(s)
    mailed: list[Submission] = []
    recipients_count = 0
    try:
        for group_id, submissions in by_group.items():
            recipients = notifications.reviewer_emails(group_id)
            if not recipients:
                _release(submissions, now)
                continue
            for s in submissions:
                s.url = notifications.site_url(reverse("review-step", args=[s.progress_id]))
            context = {
                "submissions": submissions,
                "group": submissions[0].progress.assessment.indicator.group,
                "queue_url": notifications.site_url(reverse("review-queue")),
            }
            notifications.send("review_digest", context, recipients)
            mailed += submissions
            recipients_count += len(recipients)
    except Exception:
        _release([s for s in claimed if s not in mailed], now)
        raise
    finally:
        if mailed:  # the mails that did go out are recorded, whatever happened to the others
            audit_record(
                action=AuditAction.DIGEST_SEND,
                message=f"แจ้งผู้ตรวจประเมิน {len(mailed)} รายการที่ส่งเข้ามาใหม่",
                data={"recipients": recipients_count, "submissions": [s.pk for s in mailed]},
            )
    return mailed


def _release(submissions: list[Submission], now: dt.datetime) -> None:
    Submission.objects.filter(pk__in=[s.pk for s in submissions], reviewers_notified_at=now).update(
        reviewers_notified_at=None
    )
