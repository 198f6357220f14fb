"""Saving a step form's content (the rows each form kind holds), with the step locked and audited."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evidence.models import EvidenceFile, Feedback, PlanRow, StepSummary, WorkItem, WorkProcess
from milestones.models import AuditAction, FormKind, StepProgress
from milestones.services.audit import audit_record
from milestones.services.steps import StepRefused, step_lock_for_change, step_mark_draft


def _save_summary(progress: StepProgress, user, content: dict, now) -> None:
    StepSummary.objects.update_or_create(
        progress=progress, defaults={"text": content.get("summary", ""), "updated_at": now, "updated_by": user}
    )


def _save_processes(progress: StepProgress, user, content: dict, now) -> None:
    # The list is the unit's current draft; what was sent is kept in submission snapshots.
    WorkProcess.objects.filter(progress=progress).delete()
    WorkProcess.objects.bulk_create(
        [
            WorkProcess(
                progress=progress,
                position=i,
                name=row["name"],
                digital_use=row["digital_use"],
                is_chosen=bool(row.get("is_chosen")),
            )
            for i, row in enumerate(content.get("processes", []))
        ]
    )


def _save_plan(progress: StepProgress, user, content: dict, now) -> None:
    PlanRow.objects.filter(progress=progress).delete()
    PlanRow.objects.bulk_create(
        [
            PlanRow(
                progress=progress,
                position=i,
                process=row["process"],
                digital_system=row["digital_system"],
                activity=row["activity"],
                target=row["target"],
                months=sorted(row.get("months", [])),
                responsible=row["responsible"],
            )
            for i, row in enumerate(content.get("plan", []))
        ]
    )


def _save_feedback(progress: StepProgress, user, content: dict, now) -> None:
    for row in content.get("feedback", []):
        Feedback.objects.update_or_create(
            progress=progress,
            topic=row["topic"],
            defaults={k: row.get(k, "") for k in ("opinions", "suggestions", "problems", "solutions")},
        )


WORK_ITEM_FIELDS = ("date", "kind", "platform", "platform_other", "topic", "participants", "participant_count", "link")


def _save_work_items(progress: StepProgress, user, content: dict, now) -> None:
    """Update, add and remove work items. A removed item keeps its row (removed_at), and its files are removed too."""
    current = {item.pk: item for item in WorkItem.objects.current().filter(progress=progress)}
    for row in content.get("work_items", []):
        item = current.get(row.get("id")) if row.get("id") else None
        if row.get("id") and item is None:
            raise StepRefused(_("ไม่พบชิ้นงานที่จะแก้ไข"))
        if row.get("delete"):
            if item is not None:
                item.removed_at = now
                item.save(update_fields=["removed_at"])
                EvidenceFile.objects.current().filter(work_item=item).update(removed_at=now, removed_by=user)
            continue
        values = {k: row.get(k, "") for k in WORK_ITEM_FIELDS}
        if item is None:
            WorkItem.objects.create(progress=progress, created_at=now, **values)
        else:
            for key, value in values.items():
                setattr(item, key, value)
            item.save()


CONTENT_SAVERS = {
    FormKind.REVIEW: _save_summary,
    FormKind.PROCESSES: _save_processes,
    FormKind.WORK_ITEMS: _save_work_items,
    FormKind.PLAN: _save_plan,
    FormKind.FEEDBACK: _save_feedback,
}


@transaction.atomic
def step_content_save(
    *, progress: StepProgress, user, content: dict, request=None, now: dt.datetime | None = None
) -> None:
    """Save the step form's content (already validated by its form). content's keys follow the snapshot's."""
    now = now or timezone.now()
    progress = step_lock_for_change(progress=progress, user=user, now=now)
    saver = CONTENT_SAVERS.get(progress.step.form_kind)
    if saver is None:
        raise StepRefused(_("ขั้นตอนนี้มีเฉพาะไฟล์หลักฐาน ไม่มีแบบฟอร์มให้กรอก"))
    saver(progress, user, content, now)
    step_mark_draft(progress=progress, user=user, now=now)
    audit_record(
        action=AuditAction.STEP_SAVE,
        user=user,
        request=request,
        unit=progress.assessment.unit,
        obj=progress,
        message=_("บันทึกข้อมูลขั้นตอนที่ %(step)s") % {"step": progress.step.number},
        data={"step": progress.step.number, "form_kind": progress.step.form_kind},
    )
