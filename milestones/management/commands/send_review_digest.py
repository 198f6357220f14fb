"""Mail the reviewers one digest of the steps submitted since the last digest.

Run it from cron (e.g. hourly). Each submission is claimed with a conditional
UPDATE (reviewers_notified_at IS NULL → now) before the mail goes out, so two runs
at the same time never mail the same submission twice; if sending fails the
claims are released and the next run tries again.
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import timezone

from milestones import notifications
from milestones.models import AuditAction, Submission
from milestones.services.audit import audit_record


class Command(BaseCommand):
    help = "Mail reviewers a digest of newly submitted steps (each submission at most once)."

    def handle(self, *args, **options):
        claimed = self.run(now=timezone.now())
        self.stdout.write(f"แจ้งผู้ตรวจประเมิน {len(claimed)} รายการ")

    def run(self, *, now: dt.datetime) -> list[Submission]:
        recipients = notifications.reviewer_emails()
        if not recipients:
            return []  # leave them unclaimed until there is someone to tell
        claimed = self.claim(now=now)
        if not claimed:
            return []
        try:
            self.send(claimed, recipients)
        except Exception:
            Submission.objects.filter(pk__in=[s.pk for s in claimed], reviewers_notified_at=now).update(
                reviewers_notified_at=None
            )
            raise
        audit_record(
            action=AuditAction.DIGEST_SEND,
            message=f"แจ้งผู้ตรวจประเมิน {len(claimed)} รายการที่ส่งเข้ามาใหม่",
            data={"recipients": len(recipients), "submissions": [s.pk for s in claimed]},
        )
        return claimed

    def claim(self, *, now: dt.datetime, limit: int = 500) -> list[Submission]:
        """Claim unnotified submissions one conditional UPDATE each; only rows this run updated are its own."""
        candidates = Submission.objects.filter(reviewers_notified_at__isnull=True).order_by("submitted_at", "pk")
        mine = [
            pk
            for pk in candidates.values_list("pk", flat=True)[:limit]
            if Submission.objects.filter(pk=pk, reviewers_notified_at__isnull=True).update(reviewers_notified_at=now)
        ]
        return list(
            Submission.objects.filter(pk__in=mine)
            .select_related("progress__step", "progress__assessment__unit")
            .order_by("submitted_at", "pk")
        )

    def send(self, submissions: list[Submission], recipients: list[str]) -> int:
        for s in submissions:
            s.url = notifications.site_url(reverse("review-step", args=[s.progress_id]))
        context = {"submissions": submissions, "queue_url": notifications.site_url(reverse("review-queue"))}
        return notifications.send("review_digest", context, recipients)
