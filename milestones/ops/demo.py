"""Demo data for `make run`, built only through the real services (never for production).

- The two demo units (the "central" and "regional" accounts) get an extension to about
  60 days from today, so the demo can upload and submit although the round's deadline
  (15 September 2563) is long past.
- About 40 other sample units get a realistic mix of step statuses: their steps are filled
  (step_content_save, evidence_add with small real PDFs), submitted (step_submit) and
  decided (step_review) with historical timestamps inside the round, as if the year had run.

Everything is idempotent: a demo unit that already has a current extension, and a sample
unit that already has a submission, are left as they are.
"""

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from evidence.kinds import kind_of
from evidence.services import evidence_add, step_content_save, step_submit
from kpi_tracker.lib import thai
from milestones.models import (
    Assessment,
    Extension,
    ExtensionStatus,
    Indicator,
    Profile,
    Role,
    StepProgress,
    StepStatus,
    Unit,
)
from milestones.services import extension_decide, extension_request, step_review

DEMO_EXTENSION_REASON = "ขยายเวลาสำหรับการสาธิตระบบ"
DEMO_EXTENSION_DAYS = 60
SAMPLE_UNITS = 40
# How far each sample unit got: steps 1..k accepted, then the next step in this state.
NEXT_STATES = ["submitted", "returned", "draft", "not_started"]
RETURN_COMMENT = "กรุณาแนบหลักฐานให้ครบตามที่กำหนด และระบุวันที่ของหลักฐานให้ชัดเจน"


def demo_extension(*, assessment: Assessment, staff, reviewer, today: dt.date) -> bool:
    """Grant the unit an extension to today + 60 days unless it already has one that has not run out."""
    if assessment.extended_deadline and assessment.extended_deadline >= today:
        return False
    pending = Extension.objects.filter(assessment=assessment, status=ExtensionStatus.PENDING).first()
    if pending is None:
        pending = extension_request(assessment=assessment, user=staff, reason=DEMO_EXTENSION_REASON)
    extension_decide(
        extension=pending,
        user=reviewer,
        grant=True,
        new_deadline=today + dt.timedelta(days=DEMO_EXTENSION_DAYS),
        note=DEMO_EXTENSION_REASON,
    )
    return True


def _pdf(text: str) -> SimpleUploadedFile:
    """A one-page blank PDF (what a reader, and the upload's PDF check, can open), unique to text."""
    body = (
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        f"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n% {text}\n"
        "trailer << /Root 1 0 R >>\n%%EOF\n"
    ).encode()
    return SimpleUploadedFile(f"{text}.pdf", body, content_type="application/pdf")


def _fill_and_submit(progress: StepProgress, staff, now: dt.datetime) -> None:
    """Fill the step as its kind asks (evidence.kinds), attach the demo's files and submit it."""
    kind = kind_of(progress.step)
    day = now.astimezone(thai.BANGKOK).date()
    content = kind.demo_content(progress.assessment.unit, day, progress)
    if content is not None:
        step_content_save(progress=progress, user=staff, content=content, now=now)
    for evidence in kind.demo_evidence(progress, day):
        evidence_add(
            progress=progress,
            user=staff,
            upload=_pdf(evidence["name"]),
            evidence_date=evidence["evidence_date"],
            work_item=evidence.get("work_item"),
            now=now,
        )
    step_submit(progress=progress, user=staff, now=now)


def _sample_username(unit: Unit) -> str:
    return f"sample-{unit.code.lower()}"


def _sample_staff(unit: Unit):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=_sample_username(unit),
        defaults={"first_name": "เจ้าหน้าที่", "last_name": unit.code, "email": ""},
    )
    if created:
        user.set_unusable_password()  # sample units' staff exist to act through the services, not to log in
        user.save()
        Profile.objects.create(user=user, role=Role.STAFF, unit=unit)
    return user


def sample_progress(*, indicator: Indicator, reviewer, exclude_codes: set[str], count: int = SAMPLE_UNITS) -> int:
    """Give `count` sample units a mix of statuses; returns how many units were filled this run."""
    rng = random.Random(f"{indicator.round.fiscal_year}-{indicator.number}")
    deadline = indicator.round.deadline
    units = list(
        Unit.objects.active()
        .filter(is_sample=True, assessments__indicator=indicator)
        .exclude(code__in=exclude_codes)
        .order_by("code")[:count]
    )
    filled = 0
    for n, unit in enumerate(units):
        accepted = rng.choices(range(6), weights=[10, 15, 20, 25, 15, 15])[0]
        following = rng.choice(NEXT_STATES)
        assessment = Assessment.objects.get(unit=unit, indicator=indicator)
        if assessment.steps.exclude(status=StepStatus.NOT_STARTED).exists():
            continue  # seeded before, or real work was done on it: leave it alone
        staff = _sample_staff(unit)
        start = dt.datetime.combine(deadline - dt.timedelta(days=80 - n), dt.time(10, 0), tzinfo=thai.BANGKOK)
        progresses = list(assessment.steps.select_related("step", "assessment__unit").order_by("step__number"))
        for i, progress in enumerate(progresses):
            number = progress.step.number
            at = start + dt.timedelta(days=3 * i)
            if number <= accepted:
                _fill_and_submit(progress, staff, at)
                step_review(progress=progress, user=reviewer, kind="accepted", now=at + dt.timedelta(days=1))
            elif number == accepted + 1 and following != "not_started":
                if following == "draft":
                    content = kind_of(progress.step).demo_content(unit, at.date(), progress)
                    if content is None:
                        break
                    step_content_save(progress=progress, user=staff, content=content, now=at)
                else:
                    _fill_and_submit(progress, staff, at)
                    if following == "returned":
                        step_review(
                            progress=progress,
                            user=reviewer,
                            kind="returned",
                            comment=RETURN_COMMENT,
                            now=at + dt.timedelta(days=1),
                        )
                break
            else:
                break
        filled += 1
    return filled


def today_in_bangkok() -> dt.date:
    return timezone.now().astimezone(thai.BANGKOK).date()
