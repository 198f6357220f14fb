import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from milestones.models import Unit, UnitKind
from milestones.services import assessments_ensure, step_review
from milestones.tests.factories import submit

pytestmark = pytest.mark.django_db
URL = reverse("review-queue")


def at(day: int) -> dt.datetime:
    return dt.datetime(2020, 8, day, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "who, status", [("staff_a", 403), ("staff_b", 403), ("reviewer", 200), ("viewer", 200), ("admin", 200)]
)
def test_queue_access(login, cast, who, status):
    assert login(getattr(cast, who)).get(URL).status_code == status


def test_anonymous_users_are_sent_to_login(client, cast):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_queue_only_answers_get(login, cast):
    assert login(cast.reviewer).post(URL).status_code == 405


def test_it_lists_submitted_steps_oldest_first_with_counts_per_status(login, cast):
    submit(cast.assessment_b, 1, cast.staff_b, at=at(10))
    submit(cast.assessment_a, 1, cast.staff_a, at=at(3))
    progress, _ = submit(cast.assessment_a, 2, cast.staff_a, at=at(5))
    step_review(progress=progress, user=cast.reviewer, kind="returned", comment="แก้ไข")
    response = login(cast.reviewer).get(URL)
    rows = list(response.context["page"].object_list)
    assert [(p.assessment.unit.code, p.step.number) for p in rows] == [("T-A", 1), ("T-B", 1)]
    counts = {value: n for value, _label, n in response.context["status_counts"]}
    assert counts["submitted"] == 2 and counts["returned"] == 1 and counts["not_started"] == 7
    assert "ส่งแล้ว รอตรวจ: 2" in response.content.decode()


def test_it_filters_by_kind_step_status_and_search(login, cast):
    submit(cast.assessment_a, 1, cast.staff_a, at=at(3))
    submit(cast.assessment_b, 2, cast.staff_b, at=at(4))
    client = login(cast.viewer)

    def codes(**params):
        return [(p.assessment.unit.code, p.step.number) for p in client.get(URL, params).context["page"].object_list]

    assert codes(kind="regional") == [("T-B", 2)]
    assert codes(step=1) == [("T-A", 1)]
    assert codes(q="ทดสอบ ก") == [("T-A", 1)]
    assert codes(q="t-b") == [("T-B", 2)]
    assert len(codes(status="not_started", kind="central")) == 4
    assert len(codes(status="")) == 10  # every status


def test_late_submissions_are_marked(login, cast):
    submit(cast.assessment_a, 1, cast.staff_a, late=True)
    assert "ส่งหลังกำหนด" in login(cast.reviewer).get(URL).content.decode()


def test_a_bad_filter_value_is_ignored_and_the_valid_ones_still_apply(login, cast):
    submit(cast.assessment_a, 1, cast.staff_a)
    submit(cast.assessment_b, 1, cast.staff_b)
    client = login(cast.reviewer)
    response = client.get(URL, {"step": "x", "kind": "regional"})
    assert response.status_code == 200
    assert [p.assessment.unit.code for p in response.context["page"].object_list] == ["T-B"]
    assert client.get(URL, {"kind": "nowhere"}).context["page"].paginator.count == 2


def _add_units(indicator, n):
    Unit.objects.bulk_create(
        [
            Unit(code=f"Q-{i:04d}", name=f"หน่วยงาน {i}", kind=UnitKind.REGIONAL if i % 2 else UnitKind.CENTRAL)
            for i in range(n)
        ]
    )
    assessments_ensure(indicator=indicator)


def test_the_queue_runs_the_same_number_of_queries_for_5_and_500_units(login, cast, django_assert_max_num_queries):
    client = login(cast.reviewer)
    _add_units(cast.indicator, 3)
    for a in cast.indicator.assessments.all()[:5]:
        submit(a, 1, cast.staff_a)
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    Unit.objects.bulk_create(
        [Unit(code=f"R-{i:04d}", name=f"หน่วยงานเพิ่ม {i}", kind=UnitKind.CENTRAL) for i in range(495)]
    )
    assessments_ensure(indicator=cast.indicator)
    for a in cast.indicator.assessments.filter(unit__code__startswith="R-"):
        submit(a, 1, cast.staff_a)
    with django_assert_max_num_queries(15):
        with CaptureQueriesContext(connection) as large:
            response = client.get(URL)
    assert response.context["page"].paginator.count == 500
    assert len(large.captured_queries) == len(small.captured_queries)
