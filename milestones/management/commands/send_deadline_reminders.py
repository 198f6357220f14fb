"""Mail the units that have not reached the last step when their deadline is near.

`python manage.py send_deadline_reminders`, run daily from cron. "Near" is DEADLINE_NEAR_DAYS
(milestones/rules/deadlines.py) unless --days says otherwise. A unit is mailed at most once a day
(milestones.services.reminders.reminder_send).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from milestones.models import Assessment
from milestones.rules import deadlines
from milestones.selectors.reminders import reminder_targets
from milestones.services.reminders import reminder_send


class Command(BaseCommand):
    help = "Mail units that have not reached the last step when their deadline is within --days days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="default: DEADLINE_NEAR_DAYS")

    def handle(self, *args, **options):
        days = deadlines.near_days() if options["days"] is None else options["days"]
        if days < 0:
            raise CommandError("--days ต้องไม่ติดลบ")
        now = timezone.now()
        sent = sum(self.remind(assessment=a, now=now) for a in self.due(now=now, days=days))
        self.stdout.write(f"ส่งอีเมลแจ้งเตือน {sent} หน่วยงาน")

    def due(self, *, now: dt.datetime, days: int) -> list[Assessment]:
        return reminder_targets(now=now, days=days)

    def remind(self, *, assessment: Assessment, now: dt.datetime) -> bool:
        return reminder_send(assessment=assessment, now=now)
