"""Step kind "work_items": each e-meeting, other digital use or internet research, with its own files.

Removing an item from a draft sets removed_at (its files are removed with it); earlier
submissions keep pointing at it.
"""

import datetime as dt

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evidence.forms import RowFormSet, ThaiDateField
from evidence.kinds.base import StepKind
from evidence.models import EvidenceFile, Participants, Platform, WorkItem, WorkItemKind
from kpi_tracker.lib.text import CleanTextMixin
from milestones.services.steps import StepRefused

FIELDS = ("date", "kind", "platform", "platform_other", "topic", "participants", "participant_count", "link")


class WorkItemForm(CleanTextMixin, forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    date = ThaiDateField(label=_("วันที่ดำเนินการ"))
    kind = forms.ChoiceField(label=_("รูปแบบ"), choices=WorkItemKind.choices)
    platform = forms.ChoiceField(label=_("ช่องทาง/แพลตฟอร์ม"), choices=Platform.choices)
    platform_other = forms.CharField(label=_("ระบุช่องทางอื่น"), max_length=100, required=False)
    topic = forms.CharField(label=_("เรื่อง"), max_length=255)
    participants = forms.ChoiceField(label=_("ผู้เข้าร่วม"), choices=Participants.choices)
    participant_count = forms.IntegerField(label=_("จำนวนผู้เข้าร่วม (คน)"), min_value=1, max_value=100000)
    link = forms.URLField(label=_("ลิงก์ (ถ้ามี)"), max_length=500, required=False, assume_scheme="https")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("platform") == Platform.OTHER and not cleaned.get("platform_other"):
            self.add_error("platform_other", _("กรุณาระบุช่องทางที่ใช้"))
        return cleaned


WorkItemFormSet = formset_factory(WorkItemForm, formset=RowFormSet, extra=1, can_delete=True, max_num=100)


def entry(item: WorkItem, file_ids: list[int]) -> dict:
    """One work item as a snapshot holds it."""
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


class WorkItems(StepKind):
    name = "work_items"
    label = _("ชิ้นงานการใช้เทคโนโลยีดิจิทัล")
    form_template = "evidence/kinds/work_items_form.html"
    page_template = "evidence/kinds/work_items_page.html"
    snapshot_template = "evidence/kinds/work_items_snapshot.html"
    files_required = False

    def items(self, progress) -> list[WorkItem]:
        return list(WorkItem.objects.current().filter(progress=progress))

    def upload_items(self, progress):
        return self.items(progress)

    def forms(self, progress, data=None):
        initial = list(WorkItem.objects.current().filter(progress=progress).values("id", *FIELDS))
        return {"formset": WorkItemFormSet(data, initial=initial, prefix="work_items")}

    def cleaned(self, forms):
        formset = forms["formset"]
        return {"work_items": formset.rows(with_deleted=True)} if formset.is_valid() else None

    def save(self, progress, user, content, now):
        """Update, add and remove items. A removed item keeps its row (removed_at), and its files are removed too."""
        current = {item.pk: item for item in WorkItem.objects.current().filter(progress=progress)}
        for row in content.get("work_items", []):
            item = current.get(row.get("id")) if row.get("id") else None
            if row.get("id") and item is None:
                raise StepRefused(gettext("ไม่พบชิ้นงานที่จะแก้ไข"))
            if row.get("delete"):
                if item is not None:
                    item.removed_at = now
                    item.save(update_fields=["removed_at"])
                    EvidenceFile.objects.current().filter(work_item=item).update(removed_at=now, removed_by=user)
                continue
            values = {k: row.get(k, "") for k in FIELDS}
            if item is None:
                WorkItem.objects.create(progress=progress, created_at=now, **values)
            else:
                for key, value in values.items():
                    setattr(item, key, value)
                item.save()

    def page_context(self, progress, files):
        items = self.items(progress)
        for item in items:
            item.current_files = [f for f in files if f.work_item_id == item.pk and f.removed_at is None]
        return {"work_items": items}

    def missing(self, progress, files):
        items = self.items(progress)
        with_files = {f.work_item_id for f in files if f.work_item_id}
        missing = [] if items else [gettext("ยังไม่ได้บันทึกชิ้นงาน")]
        for item in items:
            if item.pk not in with_files:
                missing.append(gettext("ชิ้นงาน “%(topic)s” ยังไม่มีไฟล์หลักฐาน") % {"topic": item.topic})
        return missing

    def pieces(self, progress, files):
        return len(self.items(progress))

    def content(self, progress, files):
        by_item: dict[int, list[int]] = {}
        for f in files:
            if f.work_item_id:
                by_item.setdefault(f.work_item_id, []).append(f.pk)
        return {"work_items": [entry(item, by_item.get(item.pk, [])) for item in self.items(progress)]}

    def demo_content(self, unit, day, progress):
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

    def demo_evidence(self, progress, day):
        code = progress.assessment.unit.code
        items = sorted(self.items(progress), key=lambda item: item.pk)
        return [
            {"name": f"รายงานการประชุม {code} {i + 1}", "evidence_date": item.date, "work_item": item}
            for i, item in enumerate(items)
        ]


KIND = WorkItems()
