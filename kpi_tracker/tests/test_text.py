"""Invisible and bidirectional-override characters are removed from text other people read."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from evidence.kinds.feedback import FeedbackForm
from evidence.kinds.processes import ProcessForm
from evidence.kinds.review import SummaryForm
from evidence.kinds.work_items import WorkItemForm
from evidence.models import StepSummary
from kpi_tracker.lib.text import clean_text
from milestones.forms.extensions import ExtensionRequestForm
from milestones.forms.filings import MemoForm, RecordForm
from milestones.forms.review import DecisionForm, ReopenForm
from milestones.models import Decision
from milestones.tests.factories import submit

RLO, LRI, PDI, ZWSP, BOM, TAG_A = "\u202e", "\u2066", "\u2069", "\u200b", "\ufeff", "\U000e0041"


@pytest.mark.parametrize(
    "raw, multiline, cleaned",
    [
        (f"รายงาน{RLO}fdp.exe", False, "รายงานfdp.exe"),
        (f"{LRI}ประชุม{PDI} ครั้งที่ 1", False, "ประชุม ครั้งที่ 1"),
        (f"ผ่าน{ZWSP}แล้ว{BOM}", False, "ผ่านแล้ว"),
        (f"hidden{TAG_A}text\x07", False, "hiddentext"),
        ("ย่อหน้า 1\r\nย่อหน้า 2\u2029ย่อหน้า 3", True, "ย่อหน้า 1\r\nย่อหน้า 2\nย่อหน้า 3"),
        ("บรรทัด\nเดียว\tกัน", False, "บรรทัด เดียว กัน"),
        ("\u3164", False, ""),
        ("👩\u200d💻 ทีมงาน", False, "👩\u200d💻 ทีมงาน"),  # the emoji's joiner stays
        ("กำ", False, "กำ"),  # Thai sara am, composed or not, is kept
    ],
)
def test_clean_text_removes_what_cannot_be_seen(raw, multiline, cleaned):
    assert clean_text(raw, multiline=multiline) == cleaned


@given(st.text())
def test_clean_text_never_leaves_a_bidi_control_and_is_idempotent(text):
    once = clean_text(text)
    assert not any(ch in once for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
    assert clean_text(once) == once


FORMS = [
    (SummaryForm, {"summary": f"สรุป{RLO}ผล"}, "summary", "สรุปผล"),
    (
        WorkItemForm,
        {
            "date": "2020-07-01",
            "kind": "e_meeting",
            "platform": "zoom",
            "topic": f"{RLO}ประชุมติดตามงาน",
            "participants": "staff",
            "participant_count": "5",
        },
        "topic",
        "ประชุมติดตามงาน",
    ),
    (FeedbackForm, {"opinions": f"ดี{ZWSP}มาก"}, "opinions", "ดีมาก"),
    (ProcessForm, {"name": f"งาน{LRI}ก{PDI}", "digital_use": "x"}, "name", "งานก"),
    (DecisionForm, {"kind": "returned", "comment": f"แก้{RLO}ไข"}, "comment", "แก้ไข"),
    (ReopenForm, {"reason": f"เหตุผล{BOM}"}, "reason", "เหตุผล"),
    (ExtensionRequestForm, {"reason": f"น้ำท่วม{RLO}"}, "reason", "น้ำท่วม"),
    (RecordForm, {"esaraban_number": f"กษ{RLO} 0509/1", "esaraban_date": "2020-08-01"}, "esaraban_number", "กษ 0509/1"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("form_class, data, field, cleaned", FORMS, ids=[f[0].__name__ for f in FORMS])
def test_every_form_read_by_another_person_cleans_its_text(form_class, data, field, cleaned):
    form = form_class(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] == cleaned


@pytest.mark.django_db
def test_the_memo_form_cleans_its_fields(cast):
    data = {
        "memo_number": f"กษ 0509/{RLO}123",
        "memo_date": "2020-08-01",
        "recipient": f"ผู้อำนวยการ{ZWSP}กอง",
        "signer_name": f"{LRI}นายทดสอบ{PDI}",
        "signer_position": "ผู้อำนวยการ",
    }
    form = MemoForm(data, round_=cast.indicator.round)
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["memo_number"], form.cleaned_data["recipient"], form.cleaned_data["signer_name"]) == (
        "กษ 0509/123",
        "ผู้อำนวยการกอง",
        "นายทดสอบ",
    )


def test_a_required_field_of_only_invisible_characters_counts_as_empty():
    form = ReopenForm({"reason": f"{RLO}{ZWSP} "})
    assert not form.is_valid() and "reason" in form.errors


@pytest.mark.django_db
def test_what_is_saved_through_the_pages_has_no_override_characters(login, cast, before_deadline):
    url = reverse("step-save", args=[cast.assessment_a.pk, 1])
    login(cast.staff_a).post(url, {"summary": f"ทบทวน{RLO} 12 กระบวนการ"})
    assert StepSummary.objects.get().text == "ทบทวน 12 กระบวนการ"
    progress, _ = submit(cast.assessment_a, 2, cast.staff_a)
    decide = reverse("review-decide", args=[progress.pk])
    login(cast.reviewer).post(decide, {"kind": "returned", "comment": f"กรุณา{RLO}แนบคำสั่ง"})
    assert Decision.objects.get().comment == "กรุณาแนบคำสั่ง"
