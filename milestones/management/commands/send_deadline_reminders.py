"""Mail the units that have not reached the last step when their deadline is near.

`python manage.py send_deadline_reminders --days 7`, run daily from cron. A unit is
mailed at most once a day: the Reminder row (unique per assessment, kind and day)
is inserted first and is the claim; a second run the same day finds it and skips.
The insert, the mail and the audit record share one transaction, so a failed mail
leaves no claim behind and the next run tries again.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from kpi_tracker.lib import thai
from milestones import notifications
from milestones.models import Assessment, AuditAction, Reminder
from milestones.services.audit import audit_record

KIND = "deadline"


class Command(BaseCommand):
    help = "Mail units that have not reached the last step when their deadline is within --days days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7)

    def handle(self, *args, **options):
        if options["days"] < 0:
            raise CommandError("--days ต้องไม่ติดลบ")
        now = timezone.now()
        sent = sum(self.remind(assessment=a, now=now) for a in self.due(now=now, days=options["days"]))
        self.stdout.write(f"ส่งอีเมลแจ้งเตือน {sent} หน่วยงาน")

    def due(self, *, now: dt.datetime, days: int) -> list[Assessment]:
        """Open rounds' assessments below the last step whose effective deadline is 0..days days away."""
        today = now.astimezone(thai.BANGKOK).date()
        assessments = (
            Assessment.objects.filter(indicator__round__is_open=True, unit__is_active=True)
            .select_related("unit", "indicator__round")
            .annotate(last_step=Max("indicator__steps__number"))
            .order_by("unit__kind", "unit__code")
        )
        return [a for a in assessments if a.level < (a.last_step or 0) and 0 <= (a.deadline - today).days <= days]

    def remind(self, *, assessment: Assessment, now: dt.datetime) -> bool:
        """Claim today's reminder for the unit and mail its staff; False if already sent today or nobody to mail."""
        recipients = notifications.unit_staff_emails(assessment.unit_id)
        if not recipients:
            return False
        today = now.astimezone(thai.BANGKOK).date()
        with transaction.atomic():
            try:
                with transaction.atomic():
                    Reminder.objects.create(assessment=assessment, kind=KIND, sent_on=today, sent_at=now)
            except IntegrityError:
                return False
            days_left = (assessment.deadline - today).days
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
