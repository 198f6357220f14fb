import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import Feedback, PlanRow, StepSummary, WorkItem, WorkProcess
from evidence.services import step_submit
from evidence.tests.factories import fill_step, progress_of, return_step
from milestones.models import AuditEvent, StepStatus

pytestmark = pytest.mark.django_db


def url(cast, number, name="step-detail"):
    return reverse(name, args=[cast.assessment_a.pk, number])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize(
    "who, status", [("staff_a", 200), ("staff_b", 404), ("reviewer", 200), ("viewer", 200), ("admin", 200)]
)
def test_step_page_access(login, cast, before_deadline, who, status):
    assert login(getattr(cast, who)).get(url(cast, 3)).status_code == status


def test_step_page_sends_anonymous_users_to_login_and_refuses_post(client, login, cast):
    response = client.get(url(cast, 1))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert login(cast.staff_a).post(url(cast, 1)).status_code == 405


@pytest.mark.parametrize(
    "number, words",
    [
        (1, "สรุปผลการทบทวนกระบวนการงาน"),
        (2, "เลือกนำเทคโนโลยีดิจิทัลมาใช้กับกระบวนการนี้"),
        (3, "ช่องทาง/แพลตฟอร์ม"),
        (4, "ต.ค. 2563"),  # the plan's months are of the next fiscal year, 2564
        (5, "ต่อความพร้อมของบุคลากรในสังกัด"),
    ],
)
def test_each_step_shows_the_form_its_form_kind_asks_for(login, cast, before_deadline, number, words):
    body = login(cast.staff_a).get(url(cast, number)).content.decode()
    assert words in body and "อัปโหลดไฟล์หลักฐาน" in body


def test_the_plan_offers_the_months_of_the_next_fiscal_year_only(login, cast, before_deadline):
    body = login(cast.staff_a).get(url(cast, 4)).content.decode()
    assert "ก.ย. 2564" in body and "ปีงบประมาณ พ.ศ. 2564" in body and "ก.ย. 2563" not in body


@pytest.mark.parametrize("who", ["reviewer", "viewer"])
def test_reviewers_and_viewers_see_the_step_read_only(login, cast, before_deadline, who):
    body = login(getattr(cast, who)).get(url(cast, 1)).content.decode()
    assert "แสดงแบบอ่านอย่างเดียว" in body
    for name in ("evidence-upload", "step-submit", "step-save"):
        assert url(cast, 1, name) not in body


def test_the_page_says_plainly_when_the_deadline_has_passed(login, cast, after_deadline):
    body = login(cast.staff_a).get(url(cast, 1)).content.decode()
    assert "พ้นกำหนดส่งแล้ว" in body and url(cast, 1, "evidence-upload") not in body


def test_saving_the_summary_moves_the_step_to_draft_and_audits(login, cast, before_deadline):
    response = login(cast.staff_a).post(url(cast, 1, "step-save"), {"summary": "ทบทวน 12 กระบวนการ"})
    assert response.status_code == 302
    assert StepSummary.objects.get().text == "ทบทวน 12 กระบวนการ"
    progress = progress_of(cast.assessment_a, 1)
    assert progress.status == StepStatus.DRAFT
    assert AuditEvent.objects.filter(action="step.save", user=cast.staff_a).exists()


def formset_data(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "100",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def test_saving_processes_keeps_the_chosen_flag(login, cast, before_deadline):
    data = formset_data(
        "processes",
        [
            {"name": "ออกใบอนุญาต", "digital_use": "ยื่นออนไลน์", "is_chosen": "on"},
            {"name": "ตรวจเรือ", "digital_use": "แอปตรวจ"},
            {"name": "", "digital_use": ""},
        ],
    )
    assert login(cast.staff_a).post(url(cast, 2, "step-save"), data).status_code == 302
    assert list(WorkProcess.objects.values_list("name", "is_chosen")) == [("ออกใบอนุญาต", True), ("ตรวจเรือ", False)]


def test_bad_input_gets_a_thai_message_next_to_the_field_and_changes_nothing(login, cast, before_deadline):
    data = formset_data(
        "work_items",
        [
            {
                "date": "31/02/2563",
                "kind": "e_meeting",
                "platform": "other",
                "topic": "ประชุม",
                "participants": "staff",
                "participant_count": "0",
            }
        ],
    )
    response = login(cast.staff_a).post(url(cast, 3, "step-save"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "กรุณากรอกวันที่ให้ถูกต้อง" in body and "กรุณาระบุช่องทางที่ใช้" in body
    assert not WorkItem.objects.exists()
    assert progress_of(cast.assessment_a, 3).status == StepStatus.NOT_STARTED


def test_work_items_are_added_edited_and_removed_keeping_the_removed_row(login, cast, before_deadline):
    client = login(cast.staff_a)
    item = {
        "date": "2563-07-01",
        "kind": "e_meeting",
        "platform": "zoom",
        "topic": "ประชุมประจำเดือน",
        "participants": "staff",
        "participant_count": "12",
    }
    item["date"] = "01/07/2563"
    assert client.post(url(cast, 3, "step-save"), formset_data("work_items", [item])).status_code == 302
    saved = WorkItem.objects.get()
    assert str(saved.date) == "2020-07-01" and saved.participant_count == 12
    edit = dict(item, id=str(saved.pk), topic="ประชุมเกษตรกร", participants="farmers")
    extra = {
        "date": "2020-07-05",
        "kind": "research",
        "platform": "other",
        "platform_other": "เว็บไซต์กรม",
        "topic": "ค้นคว้า",
        "participants": "staff",
        "participant_count": "3",
    }
    client.post(url(cast, 3, "step-save"), formset_data("work_items", [edit, extra], initial=1))
    saved.refresh_from_db()
    assert saved.topic == "ประชุมเกษตรกร" and WorkItem.objects.current().count() == 2
    client.post(
        url(cast, 3, "step-save"),
        formset_data(
            "work_items", [dict(edit, DELETE="on"), dict(extra, id=str(WorkItem.objects.last().pk))], initial=2
        ),
    )
    saved.refresh_from_db()
    assert saved.removed_at is not None and WorkItem.objects.current().count() == 1


def test_saving_the_plan_and_feedback(login, cast, before_deadline):
    client = login(cast.staff_a)
    row = {
        "process": "ออกใบอนุญาต",
        "digital_system": "ระบบออนไลน์",
        "activity": "พัฒนา",
        "target": "80%",
        "months": ["2020-10", "2021-09"],
        "responsible": "ฝ่ายบริหาร",
    }
    assert client.post(url(cast, 4, "step-save"), formset_data("plan", [row])).status_code == 302
    assert PlanRow.objects.get().months == ["2020-10", "2021-09"]
    bad = dict(row, months=["2019-10"])  # a month of this fiscal year, not the next
    assert client.post(url(cast, 4, "step-save"), formset_data("plan", [bad])).status_code == 200
    feedback = {
        "feedback-staff-opinions": "ดี",
        "feedback-staff-suggestions": "อบรม",
        "feedback-staff-problems": "ไม่ถนัด",
        "feedback-staff-solutions": "พี่เลี้ยง",
    }
    assert client.post(url(cast, 5, "step-save"), feedback).status_code == 302
    assert Feedback.objects.get(topic="staff").solutions == "พี่เลี้ยง"


@pytest.mark.parametrize("who, status", [("staff_b", 404), ("reviewer", 403), ("viewer", 403), ("admin", 403)])
def test_only_the_units_staff_may_save(login, cast, before_deadline, who, status):
    assert login(getattr(cast, who)).post(url(cast, 1, "step-save"), {"summary": "x"}).status_code == status
    assert not StepSummary.objects.exists()


def test_submitting_through_the_page(login, cast, before_deadline):
    progress = progress_of(cast.assessment_a, 2)
    fill_step(progress, cast.staff_a)
    response = login(cast.staff_a).post(url(cast, 2, "step-submit"), follow=True)
    assert "ส่งขั้นตอนที่ 2 แล้ว" in " ".join(messages_of(response))
    progress.refresh_from_db()
    assert progress.status == StepStatus.SUBMITTED
    body = response.content.decode()
    assert "ครั้งที่ 1" in body and "ขั้นตอนนี้ส่งแล้วหรือผ่านแล้ว" in body


def test_submitting_an_incomplete_step_lists_what_is_missing(login, cast, before_deadline):
    response = login(cast.staff_a).post(url(cast, 3, "step-submit"), follow=True)
    text = " ".join(messages_of(response))
    assert "ยังส่งขั้นตอนนี้ไม่ได้" in text and "อย่างน้อย 2 ชิ้นงาน" in text


def test_submitting_after_the_deadline_is_refused_by_the_server(login, cast, before_deadline, after_deadline):
    progress = progress_of(cast.assessment_a, 2)
    fill_step(progress, cast.staff_a)
    response = login(cast.staff_a).post(url(cast, 2, "step-submit"), follow=True)
    assert "พ้นกำหนด" in " ".join(messages_of(response))
    progress.refresh_from_db()
    assert progress.status == StepStatus.DRAFT or progress.status == StepStatus.NOT_STARTED


@pytest.mark.parametrize("who, status", [("staff_b", 404), ("reviewer", 403), ("viewer", 403), ("admin", 403)])
def test_only_the_units_staff_may_submit(login, cast, before_deadline, who, status):
    fill_step(progress_of(cast.assessment_a, 2), cast.staff_a)
    assert login(getattr(cast, who)).post(url(cast, 2, "step-submit")).status_code == status
    assert progress_of(cast.assessment_a, 2).status != StepStatus.SUBMITTED


def test_earlier_submissions_and_the_reviewers_comments_stay_viewable(login, cast, before_deadline):
    progress = progress_of(cast.assessment_a, 1)
    fill_step(progress, cast.staff_a)
    step_submit(progress=progress, user=cast.staff_a)
    return_step(progress, cast.reviewer, "กรุณาแนบรายงานฉบับลงนาม")
    body = login(cast.staff_a).get(url(cast, 1)).content.decode()
    assert "กรุณาแนบรายงานฉบับลงนาม" in body and "ส่งกลับให้แก้ไข" in body and "ครั้งที่ 1" in body
    assert "หลักฐาน 1.pdf" in body
    assert url(cast, 1, "evidence-upload") in body  # a returned step is editable again


def test_the_step_page_shows_the_deadline_and_days_left(login, cast, before_deadline):
    body = login(cast.staff_a).get(url(cast, 1)).content.decode()
    assert "15 กันยายน 2563" in body and "เหลืออีก 45 วัน" in body


def test_the_step_page_takes_the_same_queries_whatever_the_number_of_files(login, cast, before_deadline):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evidence.models import EvidenceFile

    progress = progress_of(cast.assessment_a, 3)
    fill_step(progress, cast.staff_a, files=2)
    step_submit(progress=progress, user=cast.staff_a)
    progress.status = StepStatus.RETURNED
    progress.save()
    client = login(cast.staff_a)
    client.get(url(cast, 3))  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url(cast, 3))
    for i in range(40):
        EvidenceFile.objects.create(
            progress=progress,
            stored_name=f"more/{i}.pdf",
            original_name=f"เพิ่ม {i}.pdf",
            size=1,
            content_type="application/pdf",
            sha256=f"{i:064d}",
            uploaded_by=cast.staff_a,
            removed_at=timezone.now() if i % 2 else None,
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(cast, 3)).status_code == 200
    assert len(many) == len(few) <= 30
