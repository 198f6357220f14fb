"""Step kind "review": a short summary of the process review, plus files (the directive and the report)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evidence.kinds.base import StepKind
from evidence.models import StepSummary
from kpi_tracker.lib.text import CleanTextMixin


class SummaryForm(CleanTextMixin, forms.Form):
    summary = forms.CharField(
        label=_("สรุปผลการทบทวนกระบวนการงาน"),
        help_text=_("สรุปสั้น ๆ ว่าได้ทบทวนกระบวนการงานใดบ้าง และกระบวนการใดนำเทคโนโลยีดิจิทัลมาใช้ได้"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
    )


class Review(StepKind):
    name = "review"
    label = _("ทบทวนกระบวนการงาน")
    form_template = "evidence/kinds/review_form.html"
    snapshot_template = "evidence/kinds/review_snapshot.html"

    def forms(self, progress, data=None):
        summary = StepSummary.objects.filter(progress=progress).first()
        return {"summary_form": SummaryForm(data, initial={"summary": summary.text if summary else ""})}

    def cleaned(self, forms):
        form = forms["summary_form"]
        return {"summary": form.cleaned_data["summary"]} if form.is_valid() else None

    def save(self, progress, user, content, now):
        StepSummary.objects.update_or_create(
            progress=progress, defaults={"text": content.get("summary", ""), "updated_at": now, "updated_by": user}
        )

    def missing(self, progress, files):
        summary = StepSummary.objects.filter(progress=progress).first()
        if summary is None or not summary.text.strip():
            return [gettext("ยังไม่ได้กรอกสรุปผลการทบทวนกระบวนการงาน")]
        return []

    def content(self, progress, files):
        summary = StepSummary.objects.filter(progress=progress).first()
        return {"summary": summary.text if summary else ""}

    def demo_content(self, unit, day, progress):
        return {"summary": f"{unit.name} ทบทวนกระบวนการงานทั้งหมดในความรับผิดชอบ พบว่ามีงานที่นำเทคโนโลยีดิจิทัลมาใช้ได้ 3 กระบวนการ"}


KIND = Review()
