"""Mail the reviewers one digest of the steps submitted since the last digest.

Run it from cron (e.g. hourly); two runs at the same time never mail the same submission twice
(milestones.services.reminders.review_digest_send).
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from milestones.models import Submission
from milestones.services.reminders import review_digest_claim, review_digest_send


class Command(BaseCommand):
    help = "Mail reviewers a digest of newly submitted steps (each submission at most once)."

    def handle(self, *args, **options):
        claimed = self.run(now=timezone.now())
        self.stdout.write(f"แจ้งผู้ตรวจประเมิน {len(claimed)} รายการ")

    def run(self, *, now: dt.datetime) -> list[Submission]:
        return review_digest_send(now=now)

    def claim(self, *, now: dt.datetime, limit: int = 500) -> list[Submission]:
        return review_digest_claim(now=now, limit=limit)
