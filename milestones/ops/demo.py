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

from kpi_tracker.lib import thai
from milestones.models import (
    Assessment,
    Extension,
    ExtensionStatus,
    FormKind,
    Indicator,
    Profile,
    Role,
    StepProgress,
    Submission,
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
    body = f"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {text}\ntrailer << >>\n%%EOF\n".encode()
    return SimpleUploadedFile(f"{text}.pdf", body, content_type="application/pdf")


def _content(kind: str, unit: Unit, day: dt.date) -> dict | None:
    if kind == FormKind.REVIEW:
        return {"summary": f"{unit.name} ทบทวนกระบวนการงานทั้งหมดในความรับผิดชอบ พบว่ามีงานที่นำเทคโนโลยีดิจิทัลมาใช้ได้ 3 กระบวนการ"}
    if kind == FormKind.PROCESSES:
        return {
            "processes": [
                {"name": "การรับคำขอใบอนุญาต", "digital_use": "รับคำขอผ่านระบบออนไลน์", "is_chosen": True},
                {"name": "การประชุมประจำเดือน", "digital_use": "ประชุมผ่าน Zoom", "is_chosen": False},
            ]
        }
    if kind == FormKind.WORK_ITEMS:
        return {
            "work_items": [
                {
                    "date": day - dt.timedelta(days=20 - 7 * i),
                    "kind": "e_meeting",
                    "platform": "zoom" if i == 0 else "line",
                    "platform_other": "",
                    "topic": f"ประชุมติดตามงานครั้งที่ {i + 1}",
                    "participants": "staff",
                    "participant_count": 12 + i,
                    "link": "",
                }
                for i in range(2)
            ]
        }
    if kind == FormKind.PLAN:
        return {
            "plan": [
                {
                    "process": "การรับคำขอใบอนุญาต",
                    "digital_system": "ระบบรับคำขอออนไลน์",
                    "activity": "พัฒนาแบบฟอร์มออนไลน์และอบรมเจ้าหน้าที่",
                    "target": "ร้อยละ 80 ของคำขอ",
                    "months": ["2020-11", "2020-12", "2021-01"],
                    "responsible": "หัวหน้าฝ่ายบริหารทั่วไป",
                }
            ]
        }
    if kind == FormKind.FEEDBACK:
        return {
            "feedback": [
                {
                    "topic": "processes",
                    "opinions": "การใช้ระบบออนไลน์ลดเวลาการให้บริการได้",
                    "suggestions": "ควรขยายผลไปยังงานอื่น",
                    "problems": "สัญญาณอินเทอร์เน็ตไม่เสถียรในพื้นที่",
                    "solutions": "จัดหาอุปกรณ์เครือข่ายสำรอง",
                }
            ]
        }
    return None


def _fill_and_submit(progress: StepProgress, staff, now: dt.datetime) -> None:
    from evidence.models import WorkItem
    from evidence.services import evidence_add, step_content_save
    from milestones.services.steps import step_submit

    unit = progress.assessment.unit
    kind = progress.step.form_kind
    content = _content(kind, unit, now.astimezone(thai.BANGKOK).date())
    if content is not None:
        step_content_save(progress=progress, user=staff, content=content, now=now)
    if kind == FormKind.WORK_ITEMS:
        for i, item in enumerate(WorkItem.objects.current().filter(progress=progress).order_by("pk")):
            evidence_add(
                progress=progress,
                user=staff,
                upload=_pdf(f"รายงานการประชุม {unit.code} {i + 1}"),
                evidence_date=item.date,
                work_item=item,
                now=now,
            )
    elif kind in {FormKind.FILES, FormKind.REVIEW}:
        evidence_add(
            progress=progress,
            user=staff,
            upload=_pdf(f"หลักฐานขั้นตอนที่ {progress.step.number} {unit.code}"),
            evidence_date=now.astimezone(thai.BANGKOK).date() - dt.timedelta(days=3),
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
    rng = random.Random(indicator.round.fiscal_year)
    deadline = indicator.round.deadline
    units = list(Unit.objects.active().filter(is_sample=True).exclude(code__in=exclude_codes).order_by("code")[:count])
    done = set(
        get_user_model()
        .objects.filter(username__in=[_sample_username(u) for u in units])
        .values_list("username", flat=True)
    )
    filled = 0
    for n, unit in enumerate(units):
        accepted = rng.choices(range(6), weights=[10, 15, 20, 25, 15, 15])[0]
        following = rng.choice(NEXT_STATES)
        assessment = Assessment.objects.filter(unit=unit, indicator=indicator).first()
        if assessment is None or _sample_username(unit) in done:
            continue  # a unit is seeded once: its sample staff account marks it
        if Submission.objects.filter(progress__assessment=assessment).exists():
            continue  # real work was done on this unit: leave it alone
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
                    content = _content(progress.step.form_kind, unit, at.date())
                    if content is None:
                        break
                    from evidence.services import step_content_save

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
