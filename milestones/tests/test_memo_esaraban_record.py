"""After filing: the unit records the E-saraban document number and date; reviewers see them."""

import datetime as dt

import pytest
from django.urls import reverse

from milestones.models import AuditEvent
from milestones.tests.factories import sample_filing


@pytest.fixture
def filing(cast, before_deadline):
    return sample_filing(cast.assessment_a, cast.staff_a)


def url(filing) -> str:
    return reverse("report-esaraban-record", args=[filing.pk])


def test_the_unit_records_the_number_and_date(cast, filing, login):
    response = login(cast.staff_a).post(url(filing), {"esaraban_number": "กษ 0509/ว 77", "esaraban_date": "2020-09-02"})
    assert response.status_code == 302
    filing.refresh_from_db()
    assert (filing.esaraban_number, filing.esaraban_date) == ("กษ 0509/ว 77", dt.date(2020, 9, 2))
    assert filing.recorded_by == cast.staff_a and filing.recorded_at is not None
    event = AuditEvent.objects.get(action="filing.record")
    assert event.unit == cast.unit_a and event.data == {
        "esaraban_number": "กษ 0509/ว 77",
        "esaraban_date": "2020-09-02",
    }


def test_a_correction_keeps_the_old_values_in_the_audit_log(cast, filing, login):
    client = login(cast.staff_a)
    client.post(url(filing), {"esaraban_number": "111", "esaraban_date": "2020-09-02"})
    client.post(url(filing), {"esaraban_number": "112", "esaraban_date": "2020-09-03"})
    latest = AuditEvent.objects.filter(action="filing.record").order_by("-id").first()
    assert latest.data["previous"] == {"esaraban_number": "111", "esaraban_date": "2020-09-02"}
    filing.refresh_from_db()
    assert filing.esaraban_number == "112"


def test_bad_input_gets_thai_messages_and_changes_nothing(cast, filing, login):
    client = login(cast.staff_a)
    response = client.post(url(filing), {"esaraban_number": "", "esaraban_date": "2020-08-01"})
    assert response.status_code == 200
    assert "กรุณาระบุเลขที่หนังสือในระบบ E-saraban" in response.text
    assert "ต้องไม่ก่อนวันที่ของบันทึกข้อความ" in response.text
    response = client.post(url(filing), {"esaraban_number": "1", "esaraban_date": "not a date"})
    assert "วันที่ไม่ถูกต้อง" in response.text
    response = client.post(url(filing), {"esaraban_number": "1", "esaraban_date": "2563-09-02"})
    assert "อาจระบุเป็นปี พ.ศ." in response.text
    filing.refresh_from_db()
    assert filing.esaraban_number == "" and filing.esaraban_date is None
    assert not AuditEvent.objects.filter(action="filing.record").exists()


def test_reviewers_see_the_number_on_the_unit_page(cast, filing, login):
    login(cast.staff_a).post(url(filing), {"esaraban_number": "กษ 0509/ว 77", "esaraban_date": "2020-09-02"})
    page = login(cast.reviewer).get(reverse("assessment-detail", args=[cast.assessment_a.pk])).text
    assert "กษ 0509/ว 77" in page and "2 กันยายน 2563" in page


@pytest.mark.parametrize("role", ["reviewer", "viewer", "admin"])
def test_department_roles_cannot_record(cast, filing, role, login):
    client = login(getattr(cast, role))
    assert client.get(url(filing)).status_code == 403
    assert client.post(url(filing), {"esaraban_number": "1", "esaraban_date": "2020-09-02"}).status_code == 403
    filing.refresh_from_db()
    assert filing.esaraban_number == ""


def test_other_units_staff_get_404(cast, filing, login):
    assert login(cast.staff_b).get(url(filing)).status_code == 404


def test_anonymous_is_sent_to_login(cast, filing, client):
    response = client.get(url(filing))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_other_methods_are_not_allowed(cast, filing, login):
    assert login(cast.staff_a).delete(url(filing)).status_code == 405
