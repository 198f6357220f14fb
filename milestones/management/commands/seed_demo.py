"""Demo accounts for `make run`. Refuses to run with DEBUG off: in production it would create an
`admin` superuser and accounts whose password is published in the README."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from milestones.models import Assessment, Profile, Role, Round, SupervisingGroup, Unit
from milestones.ops import demo

DEMO_PASSWORD = "demo-kpi-2563"
DEMO_USERS = [
    # username, role, unit code, Thai display name, supervising groups (reviewers)
    ("central", Role.STAFF, "C-ICT", "สมชาย ใจดี", ()),
    ("regional", Role.STAFF, "P-90", "สมหญิง รักทะเล", ()),
    ("reviewer", Role.REVIEWER, "C-PSDG", "ผู้ตรวจ กลุ่มพัฒนาระบบบริหาร", ("PSDG",)),
    ("reviewer_fin", Role.REVIEWER, "C-FIN", "ผู้ตรวจ กองคลัง", ("FIN",)),
    ("reviewer_hr", Role.REVIEWER, "C-HR", "ผู้ตรวจ กองการเจ้าหน้าที่", ("HR",)),
    ("viewer", Role.VIEWER, None, "ผู้บริหาร กรมประมง", ()),
    ("admin", Role.ADMIN, None, "ผู้ดูแลระบบ", ()),
]


class Command(BaseCommand):
    help = "Create the demo accounts (idempotent) and print their logins."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo สร้างบัญชีสาธิต (รวมผู้ดูแลระบบ admin) ด้วยรหัสผ่านที่เปิดเผย จึงใช้ได้เฉพาะเมื่อ DEBUG=1 "
                "(เครื่องพัฒนา/สาธิต) ไม่ใช่ฐานข้อมูลจริง: nothing was created"
            )
        # The demo's own submissions and decisions must never mail anyone, even where SMTP is
        # configured; and the logins are printed last, after the transaction has committed.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            self.seed()
        self.stdout.write(f"Demo logins (password for every account: {DEMO_PASSWORD}):")
        for username, role, unit_code, _name, _groups in DEMO_USERS:
            unit = f" – {Unit.objects.get(code=unit_code).name}" if unit_code else ""
            self.stdout.write(f"  {username:<10} {Role(role).label}{unit}")

    @transaction.atomic
    def seed(self) -> None:
        User = get_user_model()
        for username, role, unit_code, full_name, groups in DEMO_USERS:
            unit = None
            if unit_code:
                unit = Unit.objects.filter(code=unit_code).first()
                if unit is None:
                    raise CommandError(f"ไม่พบหน่วยงาน {unit_code}: run load_units first")
            first, _, last = full_name.partition(" ")
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.go.th"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.save()
            profile, _created = Profile.objects.update_or_create(user=user, defaults={"role": role, "unit": unit})
            profile.supervising_groups.set(SupervisingGroup.objects.filter(code__in=groups))
        self.seed_review_data()

    def seed_review_data(self) -> None:
        """On every indicator of the current round: the demo units' extension and a mix of statuses for
        other sample units, decided by a reviewer of the indicator's group (see milestones/ops/demo.py)."""
        round_ = Round.objects.current()
        if round_ is None:
            self.stdout.write("No rubric loaded: run load_rubric first for the demo's progress data.")
            return
        User = get_user_model()
        admin = User.objects.get(username="admin")
        today = demo.today_in_bangkok()
        demo_codes = {unit_code for _u, _r, unit_code, _n, _g in DEMO_USERS if unit_code}
        for indicator in round_.indicators.select_related("group", "round").order_by("number"):
            reviewer = (
                User.objects.filter(profile__role=Role.REVIEWER, profile__supervising_groups=indicator.group)
                .order_by("username")
                .first()
                or admin
            )
            for username, role, unit_code, _name, _groups in DEMO_USERS:
                if role != Role.STAFF:
                    continue
                assessment = Assessment.objects.filter(unit__code=unit_code, indicator=indicator).first()
                if assessment is not None and demo.demo_extension(
                    assessment=assessment, staff=User.objects.get(username=username), reviewer=reviewer, today=today
                ):
                    self.stdout.write(
                        f"  {unit_code}, indicator {indicator.number}: extension granted"
                        f" ({demo.DEMO_EXTENSION_DAYS} days from today)"
                    )
            filled = demo.sample_progress(indicator=indicator, reviewer=reviewer, exclude_codes=demo_codes)
            if filled:
                self.stdout.write(f"  indicator {indicator.number}: {filled} sample units given a mix of statuses")
