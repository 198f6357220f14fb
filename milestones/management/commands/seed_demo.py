"""Demo accounts for `make run`. Refuses to run with DEBUG off: in production it would create an
`admin` superuser and accounts whose password is published in the README."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

from milestones.models import Assessment, Indicator, Profile, Role, Unit
from milestones.ops import demo

DEMO_PASSWORD = "demo-kpi-2563"
DEMO_USERS = [
    # username, role, unit code, Thai display name
    ("central", Role.STAFF, "C-ICT", "สมชาย ใจดี"),
    ("regional", Role.STAFF, "P-90", "สมหญิง รักทะเล"),
    ("reviewer", Role.REVIEWER, "C-PSDG", "ผู้ตรวจ กลุ่มพัฒนาระบบบริหาร"),
    ("viewer", Role.VIEWER, None, "ผู้บริหาร กรมประมง"),
    ("admin", Role.ADMIN, None, "ผู้ดูแลระบบ"),
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
        for username, role, unit_code, _ in DEMO_USERS:
            unit = f" – {Unit.objects.get(code=unit_code).name}" if unit_code else ""
            self.stdout.write(f"  {username:<10} {Role(role).label}{unit}")

    @transaction.atomic
    def seed(self) -> None:
        User = get_user_model()
        for username, role, unit_code, full_name in DEMO_USERS:
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
            Profile.objects.update_or_create(user=user, defaults={"role": role, "unit": unit})
        self.seed_review_data()

    def seed_review_data(self) -> None:
        """The demo units' extension and a mix of statuses for other sample units (see milestones/ops/demo.py)."""
        indicator = Indicator.objects.current()
        if indicator is None:
            self.stdout.write("No rubric loaded: run load_rubric first for the demo's progress data.")
            return
        User = get_user_model()
        reviewer = User.objects.get(username="reviewer")
        today = demo.today_in_bangkok()
        demo_codes = set()
        for username, role, unit_code, _ in DEMO_USERS:
            if role != Role.STAFF:
                continue
            demo_codes.add(unit_code)
            assessment = Assessment.objects.filter(unit__code=unit_code, indicator=indicator).first()
            if assessment is not None and demo.demo_extension(
                assessment=assessment, staff=User.objects.get(username=username), reviewer=reviewer, today=today
            ):
                self.stdout.write(f"  {unit_code}: extension granted ({demo.DEMO_EXTENSION_DAYS} days from today)")
        filled = demo.sample_progress(indicator=indicator, reviewer=reviewer, exclude_codes=demo_codes | {"C-PSDG"})
        if filled:
            self.stdout.write(f"  {filled} sample units given a mix of step statuses")
