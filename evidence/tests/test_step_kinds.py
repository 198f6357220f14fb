"""The step-kind registry (evidence/kinds/): a kind is one module and one entry.

A throw-away kind defined here, with its own form, content, completeness rule, snapshot and
templates, is registered and used by a rubric step: the rubric file accepts its name, the step
page shows its form, saving and submitting go through the real services, and the review page
shows its snapshot. Nothing else in the code base had to change for it.
"""

import pytest
from django import forms
from django.urls import reverse

from conftest import RUBRIC_FILE
from evidence import kinds
from evidence.kinds.base import StepKind
from evidence.models import StepSummary
from milestones import step_kinds
from milestones.models import Step, StepStatus
from milestones.services.rubric import RubricError, parse_rubric, read_file
from milestones.tests.factories import progress_of

TEMPLATES = {
    "test/checklist_form.html": "{{ checklist_form.as_div }}",
    "test/checklist_snapshot.html": "<p class='checklist'>{{ content.checked|join:', ' }}</p>",
}


class ChecklistForm(forms.Form):
    checked = forms.MultipleChoiceField(
        choices=[("staff", "แจ้งบุคลากร"), ("board", "ติดประกาศ")], widget=forms.CheckboxSelectMultiple, required=False
    )


class Checklist(StepKind):
    """Ticks kept in the step's summary row, as a kind with no model of its own might."""

    name = "checklist"
    label = "รายการตรวจสอบ"
    form_template = "test/checklist_form.html"
    snapshot_template = "test/checklist_snapshot.html"
    files_required = False

    def _checked(self, progress) -> list[str]:
        summary = StepSummary.objects.filter(progress=progress).first()
        return [c for c in summary.text.split(",") if c] if summary else []

    def forms(self, progress, data=None):
        return {"checklist_form": ChecklistForm(data, initial={"checked": self._checked(progress)})}

    def cleaned(self, forms):
        form = forms["checklist_form"]
        return {"checked": form.cleaned_data["checked"]} if form.is_valid() else None

    def save(self, progress, user, content, now):
        StepSummary.objects.update_or_create(progress=progress, defaults={"text": ",".join(content["checked"])})

    def missing(self, progress, files):
        return [] if len(self._checked(progress)) == 2 else ["ยังตรวจสอบไม่ครบทุกรายการ"]

    def content(self, progress, files):
        return {"checked": self._checked(progress)}


@pytest.fixture
def checklist(settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", TEMPLATES),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    kind = Checklist()
    kinds.register(kind)
    yield kind
    kinds.unregister(kind.name)


def test_an_unregistered_kind_is_refused_by_the_rubric_file(groups):
    data = read_file(RUBRIC_FILE)
    data["indicator"]["steps"][0]["form"] = "checklist"
    with pytest.raises(RubricError) as refused:
        parse_rubric(data)
    assert refused.value.path == "indicator.steps[0].form"


def test_a_registered_kind_works_end_to_end_through_the_pages(checklist, cast, login, before_deadline):
    data = read_file(RUBRIC_FILE)
    data["indicator"]["steps"][0]["form"] = "checklist"
    assert parse_rubric(data)["steps"][0]["form_kind"] == "checklist"
    assert ("checklist", "รายการตรวจสอบ") in list(Step._meta.get_field("form_kind").choices)
    Step.objects.filter(indicator=cast.indicator, number=1).update(form_kind="checklist")
    progress = progress_of(cast.assessment_a, 1)
    client = login(cast.staff_a)
    page = reverse("step-detail", args=[cast.assessment_a.pk, 1])

    assert 'name="checked"' in client.get(page).text
    client.post(reverse("step-save", args=[cast.assessment_a.pk, 1]), {"checked": ["staff"]})
    assert "ยังตรวจสอบไม่ครบทุกรายการ" in client.get(page).text
    client.post(reverse("step-save", args=[cast.assessment_a.pk, 1]), {"checked": ["staff", "board"]})
    client.post(reverse("step-submit", args=[cast.assessment_a.pk, 1]))

    progress.refresh_from_db()
    assert progress.status == StepStatus.SUBMITTED
    assert progress.submissions.get().snapshot["content"] == {"checked": ["staff", "board"]}
    review = login(cast.reviewer).get(reverse("review-step", args=[progress.pk])).text
    assert "<p class='checklist'>staff, board</p>" in review


def test_unregistering_takes_the_name_out_of_the_rubric_vocabulary(checklist):
    assert step_kinds.is_known("checklist")
    kinds.unregister("checklist")
    assert not step_kinds.is_known("checklist")
    kinds.register(checklist)
