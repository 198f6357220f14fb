"""Step kind "processes": the unit's work processes and what digital technology could do for each,
at least one chosen for digitisation."""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evidence.forms import RowFormSet
from evidence.kinds.base import StepKind
from evidence.models import WorkProcess
from kpi_tracker.lib.text import CleanTextMixin


class ProcessForm(CleanTextMixin, forms.Form):
    name = forms.CharField(label=_("ชื่อกระบวนการงาน"), max_length=255)
    digital_use = forms.CharField(
        label=_("เทคโนโลยีดิจิทัลที่นำมาใช้ได้"),
        help_text=_("เช่น ระบบยื่นคำขอออนไลน์ การประชุมผ่าน Zoom"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    is_chosen = forms.BooleanField(label=_("เลือกนำเทคโนโลยีดิจิทัลมาใช้กับกระบวนการนี้"), required=False)


ProcessFormSet = formset_factory(ProcessForm, formset=RowFormSet, extra=2, can_delete=True, max_num=100)


class Processes(StepKind):
    name = "processes"
    label = _("กำหนดกระบวนการงาน")
    form_template = "evidence/kinds/processes_form.html"
    snapshot_template = "evidence/kinds/processes_snapshot.html"
    files_required = False

    def forms(self, progress, data=None):
        initial = list(WorkProcess.objects.filter(progress=progress).values("name", "digital_use", "is_chosen"))
        return {"formset": ProcessFormSet(data, initial=initial, prefix="processes")}

    def cleaned(self, forms):
        formset = forms["formset"]
        return {"processes": formset.rows()} if formset.is_valid() else None

    def save(self, progress, user, content, now):
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

    def missing(self, progress, files):
        processes = list(WorkProcess.objects.filter(progress=progress))
        if not processes:
            return [gettext("ยังไม่ได้ระบุกระบวนการงาน")]
        if not any(p.is_chosen for p in processes):
            return [gettext("ยังไม่ได้เลือกกระบวนการงานที่จะนำเทคโนโลยีดิจิทัลมาใช้ อย่างน้อย 1 กระบวนการงาน")]
        return []

    def content(self, progress, files):
        return {
            "processes": [
                {"name": p.name, "digital_use": p.digital_use, "is_chosen": p.is_chosen}
                for p in WorkProcess.objects.filter(progress=progress)
            ]
        }

    def demo_content(self, unit, day, progress):
        return {
            "processes": [
                {"name": "การรับคำขอใบอนุญาต", "digital_use": "รับคำขอผ่านระบบออนไลน์", "is_chosen": True},
                {"name": "การประชุมประจำเดือน", "digital_use": "ประชุมผ่าน Zoom", "is_chosen": False},
            ]
        }


KIND = Processes()
