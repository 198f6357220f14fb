"""What each step form holds, what it still lacks, and how it is written into a submission snapshot.

The form a step uses comes from Step.form_kind (rubric data); how many pieces a
requirement needs comes from EvidenceRequirement.min_count. Nothing here knows
step numbers.

Snapshot format (rendered by templates/evidence/_snapshot.html, the review page and the reports):
    {"form_kind": "...", "content": {...}, "files": [{"id", "original_name", "size", "content_type",
     "sha256", "evidence_date", "requirement", "uploaded_at", "uploaded_by"}]}
with content by kind: {"summary": str} | {"processes": [...]} | {"work_items": [...]} |
{"plan": [...]} | {"feedback": [...]} | {} for plain file steps.
"""

from django.utils.translation import gettext as _

from evidence.models import EvidenceFile, Feedback, PlanRow, StepSummary, WorkItem, WorkProcess
from kpi_tracker.lib import thai
from milestones.models import EvidenceRequirement, FormKind, Round, StepProgress

# Kinds whose structured rows are the evidence; for the others a file must be attached.
FILES_REQUIRED = {FormKind.FILES, FormKind.REVIEW}


def plan_month_choices(fiscal_year_be: int) -> list[tuple[str, str]]:
    """The twelve months of a fiscal year, October first: ("2020-10", "ต.ค. 2563"), ..."""
    first, _last = thai.fiscal_year_bounds(fiscal_year_be)
    months = []
    for i in range(12):
        month = (first.month - 1 + i) % 12 + 1
        year = first.year + (first.month - 1 + i) // 12
        months.append((f"{year:04d}-{month:02d}", f"{thai.THAI_MONTHS_SHORT[month - 1]} {thai.be_year(year)}"))
    return months


def plan_fiscal_year(round_: Round) -> int:
    """The plan is for the fiscal year after the round's."""
    return round_.next_fiscal_year


def month_labels(values: list[str]) -> list[str]:
    labels = []
    for value in values:
        year, month = (int(part) for part in value.split("-"))
        labels.append(f"{thai.THAI_MONTHS_SHORT[month - 1]} {thai.be_year(year)}")
    return labels


def current_files(progress: StepProgress):
    return EvidenceFile.objects.current().filter(progress=progress).select_related("requirement", "uploaded_by")


def step_requirements(progress: StepProgress) -> list[EvidenceRequirement]:
    return list(EvidenceRequirement.objects.filter(steps=progress.step_id, is_report=False).order_by("number"))


def display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def file_entry(f: EvidenceFile) -> dict:
    return {
        "id": f.pk,
        "original_name": f.original_name,
        "size": f.size,
        "content_type": f.content_type,
        "sha256": f.sha256,
        "evidence_date": f.evidence_date.isoformat() if f.evidence_date else None,
        "requirement": f.requirement.number if f.requirement_id else None,
        "uploaded_at": f.uploaded_at.isoformat(),
        "uploaded_by": display_name(f.uploaded_by),
    }


def work_item_entry(item: WorkItem, file_ids: list[int]) -> dict:
    return {
        "id": item.pk,
        "date": item.date.isoformat(),
        "kind": item.kind,
        "kind_label": str(item.get_kind_display()),
        "platform": item.platform,
        "platform_label": item.platform_label,
        "topic": item.topic,
        "participants": item.participants,
        "participants_label": str(item.get_participants_display()),
        "participant_count": item.participant_count,
        "link": item.link,
        "file_ids": file_ids,
    }


def content_of(progress: StepProgress, files: list[EvidenceFile]) -> dict:
    """The kind-specific part of a snapshot, from the step's current rows."""
    kind = progress.step.form_kind
    if kind == FormKind.REVIEW:
        summary = StepSummary.objects.filter(progress=progress).first()
        return {"summary": summary.text if summary else ""}
    if kind == FormKind.PROCESSES:
        return {
            "processes": [
                {"name": p.name, "digital_use": p.digital_use, "is_chosen": p.is_chosen}
                for p in WorkProcess.objects.filter(progress=progress)
            ]
        }
    if kind == FormKind.WORK_ITEMS:
        by_item: dict[int, list[int]] = {}
        for f in files:
            if f.work_item_id:
                by_item.setdefault(f.work_item_id, []).append(f.pk)
        return {
            "work_items": [
                work_item_entry(item, by_item.get(item.pk, []))
                for item in WorkItem.objects.current().filter(progress=progress)
            ]
        }
    if kind == FormKind.PLAN:
        return {
            "fiscal_year": plan_fiscal_year(progress.step.indicator.round),
            "plan": [
                {
                    "process": r.process,
                    "digital_system": r.digital_system,
                    "activity": r.activity,
                    "target": r.target,
                    "months": list(r.months),
                    "months_label": month_labels(r.months),
                    "responsible": r.responsible,
                }
                for r in PlanRow.objects.filter(progress=progress)
            ],
        }
    if kind == FormKind.FEEDBACK:
        return {
            "feedback": [
                {
                    "topic": fb.topic,
                    "topic_label": str(fb.get_topic_display()),
                    "opinions": fb.opinions,
                    "suggestions": fb.suggestions,
                    "problems": fb.problems,
                    "solutions": fb.solutions,
                }
                for fb in Feedback.objects.filter(progress=progress)
                if not fb.is_empty
            ]
        }
    return {}


def build_snapshot(progress: StepProgress) -> dict:
    files = list(current_files(progress))
    return {
        "form_kind": progress.step.form_kind,
        "content": content_of(progress, files),
        "files": [file_entry(f) for f in files],
    }


def missing_requirements(progress: StepProgress) -> list[str]:
    """Everything the step still lacks before it may be submitted, in Thai; empty when complete."""
    kind = progress.step.form_kind
    files = list(current_files(progress))
    missing: list[str] = []
    pieces = len(files)
    if kind == FormKind.REVIEW:
        summary = StepSummary.objects.filter(progress=progress).first()
        if summary is None or not summary.text.strip():
            missing.append(_("ยังไม่ได้กรอกสรุปผลการทบทวนกระบวนการงาน"))
    elif kind == FormKind.PROCESSES:
        processes = list(WorkProcess.objects.filter(progress=progress))
        if not processes:
            missing.append(_("ยังไม่ได้ระบุกระบวนการงาน"))
        elif not any(p.is_chosen for p in processes):
            missing.append(_("ยังไม่ได้เลือกกระบวนการงานที่จะนำเทคโนโลยีดิจิทัลมาใช้ อย่างน้อย 1 กระบวนการงาน"))
    elif kind == FormKind.WORK_ITEMS:
        items = list(WorkItem.objects.current().filter(progress=progress))
        pieces = len(items)
        with_files = {f.work_item_id for f in files if f.work_item_id}
        if not items:
            missing.append(_("ยังไม่ได้บันทึกชิ้นงาน"))
        for item in items:
            if item.pk not in with_files:
                missing.append(_("ชิ้นงาน “%(topic)s” ยังไม่มีไฟล์หลักฐาน") % {"topic": item.topic})
    elif kind == FormKind.PLAN:
        rows = list(PlanRow.objects.filter(progress=progress))
        if not rows:
            missing.append(_("ยังไม่ได้จัดทำแผนปรับปรุงกระบวนการ"))
        for row in rows:
            if not row.months:
                missing.append(_("แผนเรื่อง “%(process)s” ยังไม่ได้ระบุเดือนที่ดำเนินการ") % {"process": row.process})
    elif kind == FormKind.FEEDBACK:
        entries = [fb for fb in Feedback.objects.filter(progress=progress) if not fb.is_empty]
        if not entries:
            missing.append(_("ยังไม่ได้กรอกความคิดเห็น ข้อเสนอแนะ ปัญหา/อุปสรรค และแนวทางแก้ไข"))
        for fb in entries:
            if not fb.is_complete:
                missing.append(
                    _("หัวข้อ “%(topic)s” ยังกรอกไม่ครบ (ต้องมีความคิดเห็น ข้อเสนอแนะ ปัญหา/อุปสรรค และแนวทางแก้ไข)")
                    % {"topic": fb.get_topic_display()}
                )
    if kind in FILES_REQUIRED and not files:
        missing.append(_("ยังไม่ได้แนบไฟล์หลักฐาน"))
    for requirement in step_requirements(progress):
        if requirement.min_count and pieces < requirement.min_count:
            missing.append(
                _("หลักฐานข้อ %(number)s ต้องมีอย่างน้อย %(need)s ชิ้นงาน ขณะนี้มี %(have)s ชิ้นงาน")
                % {"number": requirement.number, "need": requirement.min_count, "have": pieces}
            )
    return missing
