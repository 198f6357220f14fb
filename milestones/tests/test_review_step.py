import pytest
from django.urls import reverse

from milestones.models import AuditEvent, Decision, StepStatus
from milestones.services import step_review
from milestones.tests.factories import accept_steps, progress_of, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(cast):
    progress, _ = submit(cast.assessment_a, 1, cast.staff_a)
    return progress


def page(progress):
    return reverse("review-step", args=[progress.pk])


def decide(progress):
    return reverse("review-decide", args=[progress.pk])


def reopen(progress):
    return reverse("review-reopen", args=[progress.pk])


@pytest.mark.parametrize(
    "who, status", [("staff_a", 403), ("staff_b", 404), ("reviewer", 200), ("viewer", 200), ("admin", 200)]
)
def test_review_page_access(login, cast, submitted, who, status):
    assert login(getattr(cast, who)).get(page(submitted)).status_code == status


def test_anonymous_users_are_sent_to_login(client, submitted):
    for url in (page(submitted), decide(submitted), reopen(submitted)):
        response = client.post(url) if url != page(submitted) else client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_wrong_methods_are_refused(login, cast, submitted):
    client = login(cast.reviewer)
    assert client.post(page(submitted)).status_code == 405
    assert client.get(decide(submitted)).status_code == 405
    assert login(cast.admin).get(reopen(submitted)).status_code == 405


def test_the_page_shows_what_was_sent_and_the_decision_form_to_reviewers(login, cast, submitted):
    body = login(cast.reviewer).get(page(submitted)).content.decode()
    assert "สรุปขั้นตอนที่ 1" in body  # the snapshot's content
    assert cast.unit_a.name in body
    assert f'action="{decide(submitted)}"' in body
    assert "style=" not in body


def test_viewers_see_it_read_only(login, cast, submitted):
    body = login(cast.viewer).get(page(submitted)).content.decode()
    assert "สรุปขั้นตอนที่ 1" in body
    assert decide(submitted) not in body


def test_earlier_submissions_and_decisions_are_shown(login, cast, submitted):
    step_review(progress=submitted, user=cast.reviewer, kind="returned", comment="ขาดคำสั่งแต่งตั้งคณะทำงาน")
    submit(cast.assessment_a, 1, cast.staff_a)
    response = login(cast.reviewer).get(page(submitted))
    body = response.content.decode()
    assert response.context["latest"].number == 2
    assert [s.number for s in response.context["earlier"]] == [1]
    assert "ขาดคำสั่งแต่งตั้งคณะทำงาน" in body and "การส่งครั้งก่อน" in body


def test_accepting_through_the_page_raises_the_level(login, cast, submitted):
    response = login(cast.reviewer).post(decide(submitted), {"kind": "accepted", "comment": ""})
    assert response.status_code == 302 and response.url == reverse("review-queue")
    cast.assessment_a.refresh_from_db()
    assert cast.assessment_a.level == 1 and str(cast.assessment_a.weighted_score) == "0.0500"
    assert AuditEvent.objects.filter(action="step.accept", ip_address="127.0.0.1").exists()


def test_returning_without_a_comment_shows_a_thai_error_and_changes_nothing(login, cast, submitted):
    response = login(cast.reviewer).post(decide(submitted), {"kind": "returned", "comment": " "})
    assert response.status_code == 200
    assert "กรุณาระบุสิ่งที่หน่วยงานต้องแก้ไข" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == StepStatus.SUBMITTED and not Decision.objects.exists()


def test_a_missing_choice_is_refused(login, cast, submitted):
    response = login(cast.reviewer).post(decide(submitted), {"comment": "x"})
    assert "กรุณาเลือกผลการพิจารณา" in response.content.decode()


def test_the_second_reviewer_is_told_the_step_was_already_decided(login, cast, submitted):
    step_review(progress=submitted, user=cast.admin, kind="accepted")
    client = login(cast.reviewer)
    response = client.post(decide(submitted), {"kind": "returned", "comment": "ไม่ครบ"}, follow=True)
    assert "ขั้นตอนนี้ได้รับการพิจารณาแล้ว" in response.content.decode()
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("who, status", [("staff_a", 403), ("staff_b", 404), ("viewer", 403)])
def test_only_reviewers_decide(login, cast, submitted, who, status):
    assert login(getattr(cast, who)).post(decide(submitted), {"kind": "accepted"}).status_code == status
    assert not Decision.objects.exists()


def test_an_admin_reopens_an_accepted_step_from_the_page(login, cast):
    accept_steps(cast.assessment_a, 1, cast.staff_a, cast.reviewer)
    progress = progress_of(cast.assessment_a, 1)
    client = login(cast.admin)
    assert "เปิดให้แก้ไขใหม่" in client.get(page(progress)).content.decode()
    response = client.post(reopen(progress), {"reason": "ไฟล์ไม่ตรงกับปีงบประมาณ"})
    assert response.status_code == 302
    progress.refresh_from_db()
    cast.assessment_a.refresh_from_db()
    assert progress.status == StepStatus.RETURNED and cast.assessment_a.level == 0


def test_reopening_needs_a_reason(login, cast):
    accept_steps(cast.assessment_a, 1, cast.staff_a, cast.reviewer)
    progress = progress_of(cast.assessment_a, 1)
    response = login(cast.admin).post(reopen(progress), {"reason": ""})
    assert response.status_code == 200 and "กรุณาระบุเหตุผลที่เปิดให้แก้ไขใหม่" in response.content.decode()
    progress.refresh_from_db()
    assert progress.status == StepStatus.ACCEPTED


@pytest.mark.parametrize("who, status", [("reviewer", 403), ("viewer", 403), ("staff_a", 403), ("staff_b", 404)])
def test_only_admins_reopen(login, cast, who, status):
    accept_steps(cast.assessment_a, 1, cast.staff_a, cast.reviewer)
    progress = progress_of(cast.assessment_a, 1)
    assert login(getattr(cast, who)).post(reopen(progress), {"reason": "x"}).status_code == status
    progress.refresh_from_db()
    assert progress.status == StepStatus.ACCEPTED


def test_a_real_submission_shows_its_files_with_an_inline_pdf_preview(login, cast, before_deadline):
    from evidence.services import step_submit
    from evidence.tests.factories import fill_step

    progress = progress_of(cast.assessment_a, 1)
    fill_step(progress, cast.staff_a)
    step_submit(progress=progress, user=cast.staff_a)
    file_id = progress.submissions.get().snapshot["files"][0]["id"]
    body = login(cast.reviewer).get(page(progress)).content.decode()
    assert reverse("evidence-download", args=[file_id]) in body
    assert f'<iframe src="{reverse("evidence-preview", args=[file_id])}"' in body
    assert "ทบทวนกระบวนการงานแล้ว" in body  # the step's structured content
