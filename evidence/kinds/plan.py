"""Step kind "plan": the improvement plan for the fiscal year after the round's, one row per process.

PlanRow.months holds "YYYY-MM" values of that fiscal year (October of the year before to September).
"""

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evidence.forms import RowFormSet
from evidence.kinds.base import StepKind
from evidence.models import PlanRow
from kpi_tracker.lib import thai
from kpi_tracker.lib.text import CleanTextMixin
from milestones.models import Round


class PlanRowForm(CleanTextMixin, forms.Form):
    process = forms.CharField(label=_("กระบวนการงาน"), max_length=255)
    digital_system = forms.CharField(label=_("ระบบเทคโนโลยีดิจิทัลที่จะนำมาใช้"), max_length=255)
    activity = forms.CharField(label=_("กิจกรรม/วิธีดำเนินการ"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    target = forms.CharField(label=_("เป้าหมาย"), max_length=255)
    months = forms.MultipleChoiceField(
        label=_("ระยะเวลาดำเนินการ"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("กรุณาเลือกเดือนที่ดำเนินการอย่างน้อย 1 เดือน")},
    )
    responsible = forms.CharField(label=_("ผู้รับผิดชอบ"), max_length=255)

    def __init__(self, *args, month_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = month_choices


PlanRowFormSet = formset_factory(PlanRowForm, formset=RowFormSet, extra=1, can_delete=True, max_num=100)

FIELDS = ("process", "digital_system", "activity", "target", "months", "responsible")


def month_choices(fiscal_year_be: int) -> list[tuple[str, str]]:
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


class Plan(StepKind):
    name = "plan"
    label = _("แผนปรับปรุงกระบวนการ")
    form_template = "evidence/kinds/plan_form.html"
    snapshot_template = "evidence/kinds/plan_snapshot.html"
    files_required = False

    def forms(self, progress, data=None):
        fiscal_year = plan_fiscal_year(progress.step.indicator.round)
        initial = list(PlanRow.objects.filter(progress=progress).values(*FIELDS))
        formset = PlanRowFormSet(
            data, initial=initial, prefix="plan", form_kwargs={"month_choices": month_choices(fiscal_year)}
        )
        return {"formset": formset, "plan_fiscal_year": fiscal_year}

    def cleaned(self, forms):
        formset = forms["formset"]
        return {"plan": formset.rows()} if formset.is_valid() else None

    def save(self, progress, user, content, now):
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

    def missing(self, progress, files):
        rows = list(PlanRow.objects.filter(progress=progress))
        missing = [] if rows else [gettext("ยังไม่ได้จัดทำแผนปรับปรุงกระบวนการ")]
        for row in rows:
            if not row.months:
                missing.append(gettext("แผนเรื่อง “%(process)s” ยังไม่ได้ระบุเดือนที่ดำเนินการ") % {"process": row.process})
        return missing

    def content(self, progress, files):
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

    def demo_content(self, unit, day, progress):
        months = [value for value, _label in month_choices(plan_fiscal_year(progress.step.indicator.round))]
        return {
            "plan": [
                {
                    "process": "การรับคำขอใบอนุญาต",
                    "digital_system": "ระบบรับคำขอออนไลน์",
                    "activity": "พัฒนาแบบฟอร์มออนไลน์และอบรมเจ้าหน้าที่",
                    "target": "ร้อยละ 80 ของคำขอ",
                    "months": months[1:4],
                    "responsible": "หัวหน้าฝ่ายบริหารทั่วไป",
                }
            ]
        }


KIND = Plan()
