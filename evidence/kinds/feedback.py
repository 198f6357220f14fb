"""Step kind "feedback": opinions, suggestions, problems/obstacles and solutions, one form per topic
(the processes, the staff's readiness). A topic left empty is skipped; one begun must be complete."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evidence.kinds.base import StepKind
from evidence.models import Feedback, FeedbackTopic
from kpi_tracker.lib.text import CleanTextMixin

TEXTS = ("opinions", "suggestions", "problems", "solutions")


class FeedbackForm(CleanTextMixin, forms.Form):
    opinions = forms.CharField(label=_("ความคิดเห็น"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    suggestions = forms.CharField(label=_("ข้อเสนอแนะ"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    problems = forms.CharField(label=_("ปัญหา/อุปสรรค"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    solutions = forms.CharField(label=_("แนวทางแก้ไข"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


def feedback_forms(data=None, initial: dict | None = None) -> list[tuple[str, str, FeedbackForm]]:
    """One form per topic, prefixed by topic."""
    initial = initial or {}
    return [
        (value, label, FeedbackForm(data, prefix=f"feedback-{value}", initial=initial.get(value)))
        for value, label in FeedbackTopic.choices
    ]


class FeedbackKind(StepKind):
    name = "feedback"
    label = _("ความคิดเห็นและข้อเสนอแนะ")
    form_template = "evidence/kinds/feedback_form.html"
    snapshot_template = "evidence/kinds/feedback_snapshot.html"
    files_required = False

    def forms(self, progress, data=None):
        initial = {fb.topic: {k: getattr(fb, k) for k in TEXTS} for fb in Feedback.objects.filter(progress=progress)}
        return {"feedback_forms": feedback_forms(data, initial)}

    def cleaned(self, forms):
        pairs = forms["feedback_forms"]
        if not all(form.is_valid() for _topic, _label, form in pairs):
            return None
        return {"feedback": [{"topic": topic, **form.cleaned_data} for topic, _label, form in pairs]}

    def save(self, progress, user, content, now):
        for row in content.get("feedback", []):
            Feedback.objects.update_or_create(
                progress=progress, topic=row["topic"], defaults={k: row.get(k, "") for k in TEXTS}
            )

    def missing(self, progress, files):
        entries = [fb for fb in Feedback.objects.filter(progress=progress) if not fb.is_empty]
        if not entries:
            return [gettext("ยังไม่ได้กรอกความคิดเห็น ข้อเสนอแนะ ปัญหา/อุปสรรค และแนวทางแก้ไข")]
        return [
            gettext("หัวข้อ “%(topic)s” ยังกรอกไม่ครบ (ต้องมีความคิดเห็น ข้อเสนอแนะ ปัญหา/อุปสรรค และแนวทางแก้ไข)")
            % {"topic": fb.get_topic_display()}
            for fb in entries
            if not fb.is_complete
        ]

    def content(self, progress, files):
        return {
            "feedback": [
                {"topic": fb.topic, "topic_label": str(fb.get_topic_display()), **{k: getattr(fb, k) for k in TEXTS}}
                for fb in Feedback.objects.filter(progress=progress)
                if not fb.is_empty
            ]
        }

    def demo_content(self, unit, day, progress):
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


KIND = FeedbackKind()
