import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from kpi_tracker.lib.thai import BANGKOK
from milestones.models import AuditEvent
from milestones.services.audit import audit_record

pytestmark = pytest.mark.django_db
URL = reverse("audit-log")


@pytest.fixture
def events(cast):
    for day, action, user, unit in [
        (1, "login", cast.staff_a, None),
        (2, "evidence.upload", cast.staff_a, cast.unit_a),
        (3, "step.submit", cast.staff_b, cast.unit_b),
        (4, "step.accept", cast.reviewer, cast.unit_b),
    ]:
        with time_machine.travel(dt.datetime(2020, 8, day, 10, 0, tzinfo=BANGKOK), tick=False):
            audit_record(action=action, user=user, unit=unit, message=f"เหตุการณ์วันที่ {day}")
    return cast


@pytest.mark.parametrize(
    "who, status", [("staff_a", 404), ("staff_b", 404), ("viewer", 403), ("reviewer", 200), ("admin", 200)]
)
def test_audit_page_access(login, cast, who, status):
    assert login(getattr(cast, who)).get(URL).status_code == status


def test_the_audit_page_answers_get_only(login, client, cast):
    assert client.get(URL).status_code == 302
    assert login(cast.reviewer).post(URL).status_code == 405


def test_it_lists_events_newest_first_with_thai_labels(login, events):
    response = login(events.reviewer).get(URL)
    actions = [e.action for e in response.context["page"].object_list]
    assert actions[:4] == ["step.accept", "step.submit", "evidence.upload", "login"]
    body = response.content.decode()
    assert "ผ่านขั้นตอน" in body and "อัปโหลดหลักฐาน" in body


def test_it_filters_by_unit_user_action_and_date(login, events):
    client = login(events.reviewer)

    def actions(**params):
        return [e.action for e in client.get(URL, params).context["page"].object_list]

    assert actions(unit=events.unit_b.pk) == ["step.accept", "step.submit"]
    assert actions(user="staff_a") == ["evidence.upload", "login"]
    assert actions(action="step.submit") == ["step.submit"]
    assert actions(date_from="2020-08-02", date_to="2020-08-03") == ["step.submit", "evidence.upload"]


def test_a_bad_date_range_gets_a_thai_message_and_shows_nothing(login, events):
    response = login(events.reviewer).get(URL, {"date_from": "2020-08-05", "date_to": "2020-08-01"})
    assert "วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่มต้น" in response.content.decode()
    assert response.context["page"].paginator.count == 0


def test_it_is_paginated(login, cast):
    for i in range(60):
        audit_record(action="login", user=cast.staff_a, message=str(i))
    client = login(cast.reviewer)
    first = client.get(URL)
    assert len(first.context["page"].object_list) == 50
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) >= 10
    assert AuditEvent.objects.count() >= 60
