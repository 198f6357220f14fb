import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from milestones.models import AuditEvent, Extension, ExtensionStatus
from milestones.services import extension_decide, extension_request
from milestones.services.review import ExtensionError

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(cast, before_deadline):
    return extension_request(assessment=cast.assessment_a, user=cast.staff_a, reason="ผู้รับผิดชอบลาคลอด")


def detail(extension):
    return reverse("extension-detail", args=[extension.pk])


# --- the service ---


def test_staff_ask_for_more_time_with_a_reason_and_it_is_audited(cast, pending):
    assert pending.status == ExtensionStatus.PENDING and pending.requested_by == cast.staff_a
    assert AuditEvent.objects.filter(action="extension.request", unit=cast.unit_a).exists()


def test_a_request_needs_a_reason_and_only_one_may_be_pending(cast, pending):
    with pytest.raises(ExtensionError) as excinfo:
        extension_request(assessment=cast.assessment_b, user=cast.staff_b, reason=" ")
    assert excinfo.value.field == "reason"
    with pytest.raises(ExtensionError, match="รอพิจารณาอยู่แล้ว"):
        extension_request(assessment=cast.assessment_a, user=cast.staff_a, reason="อีกครั้ง")
    assert Extension.objects.count() == 1


@pytest.mark.parametrize("who", ["staff_b", "reviewer", "viewer", "admin"])
def test_only_the_units_own_staff_ask(cast, who):
    with pytest.raises(PermissionDenied):
        extension_request(assessment=cast.assessment_a, user=getattr(cast, who), reason="x")


def test_granting_sets_the_units_deadline_and_mails_its_staff(cast, pending, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        extension_decide(extension=pending, user=cast.reviewer, grant=True, new_deadline=dt.date(2020, 10, 15))
    cast.assessment_a.refresh_from_db()
    assert cast.assessment_a.extended_deadline == dt.date(2020, 10, 15)
    assert cast.assessment_a.deadline == dt.date(2020, 10, 15)
    assert AuditEvent.objects.filter(action="extension.grant", unit=cast.unit_a).exists()
    assert mail.outbox[0].bcc == ["staff_a@example.go.th"] and "15 ตุลาคม 2563" in mail.outbox[0].subject


def test_a_granted_extension_lets_the_unit_work_after_the_round_deadline(cast, pending):
    extension_decide(extension=pending, user=cast.reviewer, grant=True, new_deadline=dt.date(2020, 10, 15))
    cast.assessment_a.refresh_from_db()
    assert not cast.assessment_a.is_past_deadline(
        dt.datetime(2020, 10, 15, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    )
    assert cast.assessment_a.is_past_deadline(
        dt.datetime(2020, 10, 16, 0, 1, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    )


def test_the_new_date_must_be_later_than_the_current_deadline(cast, pending):
    with pytest.raises(ExtensionError) as excinfo:
        extension_decide(extension=pending, user=cast.reviewer, grant=True, new_deadline=dt.date(2020, 9, 15))
    assert excinfo.value.field == "new_deadline"
    pending.refresh_from_db()
    assert pending.status == ExtensionStatus.PENDING


def test_refusing_needs_a_note_and_leaves_the_deadline(cast, pending):
    with pytest.raises(ExtensionError):
        extension_decide(extension=pending, user=cast.reviewer, grant=False, note="")
    extension_decide(extension=pending, user=cast.reviewer, grant=False, note="เหตุผลไม่เพียงพอ")
    pending.refresh_from_db()
    cast.assessment_a.refresh_from_db()
    assert pending.status == ExtensionStatus.REFUSED and cast.assessment_a.extended_deadline is None
    assert AuditEvent.objects.filter(action="extension.refuse").exists()


def test_a_request_is_decided_once(cast, pending):
    extension_decide(extension=pending, user=cast.reviewer, grant=False, note="ไม่อนุมัติ")
    with pytest.raises(ExtensionError, match="พิจารณาแล้ว"):
        extension_decide(extension=pending, user=cast.admin, grant=True, new_deadline=dt.date(2020, 12, 1))


@pytest.mark.parametrize("who", ["staff_a", "viewer"])
def test_only_reviewers_decide(cast, pending, who):
    with pytest.raises(PermissionDenied):
        extension_decide(extension=pending, user=getattr(cast, who), grant=False, note="x")


# --- the unit page and the request view ---


def test_the_unit_page_offers_the_request_form_to_its_staff_only(login, cast, before_deadline):
    url = reverse("assessment-detail", args=[cast.assessment_a.pk])
    assert reverse("extension-request", args=[cast.assessment_a.pk]) in login(cast.staff_a).get(url).content.decode()
    assert (
        reverse("extension-request", args=[cast.assessment_a.pk]) not in login(cast.reviewer).get(url).content.decode()
    )


def test_staff_request_from_the_unit_page_and_see_its_status(login, cast, before_deadline):
    client = login(cast.staff_a)
    response = client.post(reverse("extension-request", args=[cast.assessment_a.pk]), {"reason": "ระบบเครือข่ายขัดข้อง"})
    assert response.status_code == 302 and response.url == reverse("assessment-detail", args=[cast.assessment_a.pk])
    body = client.get(response.url).content.decode()
    assert "ระบบเครือข่ายขัดข้อง" in body and "รอพิจารณา" in body


def test_an_empty_reason_changes_nothing(login, cast, before_deadline):
    response = login(cast.staff_a).post(
        reverse("extension-request", args=[cast.assessment_a.pk]), {"reason": ""}, follow=True
    )
    assert "กรุณาระบุเหตุผลที่ขอขยายเวลา" in response.content.decode()
    assert not Extension.objects.exists()


@pytest.mark.parametrize("who, status", [("staff_b", 404), ("reviewer", 403), ("viewer", 403), ("admin", 403)])
def test_only_the_units_staff_may_post_a_request(login, cast, who, status):
    assert (
        login(getattr(cast, who))
        .post(reverse("extension-request", args=[cast.assessment_a.pk]), {"reason": "x"})
        .status_code
        == status
    )
    assert not Extension.objects.exists()


def test_the_request_view_answers_post_only(login, client, cast):
    url = reverse("extension-request", args=[cast.assessment_a.pk])
    assert client.post(url).status_code == 302
    assert login(cast.staff_a).get(url).status_code == 405


# --- the reviewers' pages ---


@pytest.mark.parametrize(
    "who, status", [("staff_a", 403), ("staff_b", 403), ("reviewer", 200), ("viewer", 200), ("admin", 200)]
)
def test_extension_list_access(login, cast, pending, who, status):
    assert login(getattr(cast, who)).get(reverse("extension-list")).status_code == status


def test_the_list_shows_pending_requests(login, cast, pending):
    response = login(cast.reviewer).get(reverse("extension-list"))
    assert list(response.context["page"].object_list) == [pending]
    assert (
        login(cast.reviewer).get(reverse("extension-list"), {"status": "granted"}).context["page"].paginator.count == 0
    )


@pytest.mark.parametrize(
    "who, status", [("staff_a", 403), ("staff_b", 404), ("reviewer", 200), ("viewer", 200), ("admin", 200)]
)
def test_extension_detail_access(login, cast, pending, who, status):
    assert login(getattr(cast, who)).get(detail(pending)).status_code == status


def test_a_reviewer_grants_from_the_page(login, cast, pending):
    response = login(cast.reviewer).post(
        detail(pending), {"decision": "grant", "new_deadline": "2020-10-31", "note": ""}
    )
    assert response.status_code == 302
    cast.assessment_a.refresh_from_db()
    assert cast.assessment_a.extended_deadline == dt.date(2020, 10, 31)


def test_a_date_not_after_the_deadline_gets_a_thai_error_next_to_the_field(login, cast, pending):
    response = login(cast.reviewer).post(detail(pending), {"decision": "grant", "new_deadline": "2020-09-01"})
    assert response.status_code == 200
    assert "กำหนดส่งใหม่ต้องหลังกำหนดส่งปัจจุบัน" in response.content.decode()
    assert response.context["form"].errors["new_deadline"]
    pending.refresh_from_db()
    assert pending.status == ExtensionStatus.PENDING


def test_refusing_without_a_note_gets_a_thai_error(login, cast, pending):
    response = login(cast.reviewer).post(detail(pending), {"decision": "refuse", "note": ""})
    assert "กรุณาระบุเหตุผลที่ไม่อนุมัติ" in response.content.decode()


@pytest.mark.parametrize("who, status", [("viewer", 403), ("staff_a", 403), ("staff_b", 404)])
def test_viewers_and_staff_cannot_decide(login, cast, pending, who, status):
    assert login(getattr(cast, who)).post(detail(pending), {"decision": "refuse", "note": "x"}).status_code == status
    pending.refresh_from_db()
    assert pending.status == ExtensionStatus.PENDING


def test_the_detail_view_refuses_other_methods(login, cast, pending):
    assert login(cast.reviewer).put(detail(pending)).status_code == 405
