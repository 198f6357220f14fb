import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kpi_tracker.lib.thai import BANGKOK
from milestones.models import Unit, UnitKind
from milestones.services import assessments_ensure, extension_decide, extension_request
from milestones.tests.factories import accept_steps, submit

pytestmark = pytest.mark.django_db


def url() -> str:
    """The dashboard of indicator 2, the one indicator of the test round."""
    from milestones.models import Indicator

    return reverse("indicator-dashboard", args=[Indicator.objects.get(round__fiscal_year=2563, number=2).pk])


@pytest.fixture
def mixed(cast, before_deadline):
    accept_steps(cast.assessment_a, 3, cast.staff_a, cast.reviewer)  # central, level 3
    accept_steps(cast.assessment_b, 1, cast.staff_b, cast.reviewer)  # regional, level 1
    submit(cast.assessment_b, 2, cast.staff_b, late=True)
    return cast


@pytest.mark.parametrize(
    "who, status", [("staff_a", 403), ("staff_b", 403), ("reviewer", 200), ("viewer", 200), ("admin", 200)]
)
def test_dashboard_access(login, cast, who, status):
    assert login(getattr(cast, who)).get(url()).status_code == status


def test_the_dashboard_answers_get_only(login, client, cast):
    assert client.get(url()).status_code == 302
    assert login(cast.viewer).post(url()).status_code == 405


def test_it_counts_units_per_level_central_and_regional_apart(login, mixed):
    data = login(mixed.viewer).get(url()).context["dashboard"].data
    central, regional = data["stats"]
    assert (central.kind, central.units, regional.kind, regional.units) == ("central", 1, "regional", 1)
    assert central.levels[3] == (3, 1, Decimal("100.0")) and central.levels[0] == (0, 0, Decimal("0.0"))
    assert regional.levels[1] == (1, 1, Decimal("100.0"))
    assert central.average_level == Decimal("3.00") and regional.average_level == Decimal("1.00")
    assert central.total_weighted == Decimal("0.1500") and regional.total_weighted == Decimal("0.1000")
    assert data["overall_average_level"] == Decimal("2.00")
    assert data["awaiting_review"] == 1 and data["late"] == 1


def test_the_matrix_colours_each_step_by_status_and_marks_late_units(login, mixed):
    response = login(mixed.reviewer).get(url())
    rows = {a.unit.code: [c.status for c in a.cells] for a in response.context["dashboard"].data["rows"]}
    assert rows["T-A"] == ["accepted", "accepted", "accepted", "not_started", "not_started"]
    assert rows["T-B"] == ["accepted", "submitted", "not_started", "not_started", "not_started"]
    body = response.content.decode()
    assert 'class="cell status-submitted"' in body and "ส่งหลังกำหนด" in body


def test_it_filters_by_kind_status_and_search(login, mixed):
    client = login(mixed.viewer)

    def codes(**params):
        return [a.unit.code for a in client.get(url(), params).context["dashboard"].data["rows"]]

    assert codes() == ["T-A", "T-B"]
    assert codes(kind="regional") == ["T-B"]
    assert codes(status="submitted") == ["T-B"]
    assert codes(status="accepted", kind="central") == ["T-A"]
    assert codes(q="กองทดสอบ") == ["T-A"]
    assert codes(q="T-B") == ["T-B"]


def test_the_chart_is_server_rendered_svg_without_inline_styles(login, mixed):
    body = login(mixed.viewer).get(url()).content.decode()
    assert '<svg class="progress-chart"' in body
    assert 'class="status-accepted"' in body
    assert "style=" not in body and "<script>" not in body


def test_units_with_nothing_submitted_near_the_deadline_are_flagged(login, cast):
    accept_steps(cast.assessment_a, 1, cast.staff_a, cast.reviewer)
    with time_machine.travel(dt.datetime(2020, 7, 1, 9, 0, tzinfo=BANGKOK), tick=False):
        assert login(cast.viewer).get(url()).context["dashboard"].data["flagged_count"] == 0  # 76 days left
    with time_machine.travel(dt.datetime(2020, 9, 5, 9, 0, tzinfo=BANGKOK), tick=False):
        client = login(cast.viewer)  # a fresh session: the idle timeout ended the July one
        response = client.get(url())
        data = response.context["dashboard"].data
        assert [code for _pk, code in data["flagged"]] == ["T-B"]
        assert "ยังไม่ได้ส่งขั้นตอนใดเลย" in response.content.decode()
        assert [a.unit.code for a in client.get(url(), {"flagged": "on"}).context["dashboard"].data["rows"]] == ["T-B"]


def test_an_extension_takes_a_unit_off_the_at_risk_list_and_shows_on_the_dashboard(login, cast):
    with time_machine.travel(dt.datetime(2020, 9, 5, 9, 0, tzinfo=BANGKOK), tick=False):
        extension = extension_request(assessment=cast.assessment_b, user=cast.staff_b, reason="น้ำท่วมสำนักงาน")
        client = login(cast.viewer)
        data = client.get(url()).context["dashboard"].data
        assert data["pending_extensions"] == 1
        extension_decide(extension=extension, user=cast.reviewer, grant=True, new_deadline=dt.date(2020, 12, 31))
        response = client.get(url())
        assert [code for _pk, code in response.context["dashboard"].data["flagged"]] == ["T-A"]
        assert "31 ธ.ค. 2563" in response.content.decode()


def _grow(indicator, n, prefix):
    Unit.objects.bulk_create(
        [
            Unit(
                code=f"{prefix}-{i:04d}",
                name=f"หน่วยงาน {prefix} {i}",
                kind=UnitKind.REGIONAL if i % 2 else UnitKind.CENTRAL,
            )
            for i in range(n)
        ]
    )
    assessments_ensure(indicator=indicator)


def _count(client) -> tuple[int, bool, int]:
    """Queries of one request, whether its fragments came from the cache, and the units it shows."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url())
    fragments = response.context["dashboard"]
    shown = int(re.search(r"(\d+) หน่วยงานตามเงื่อนไข", fragments.matrix).group(1))
    return len(queries.captured_queries), fragments.data is None, shown


def test_the_dashboard_runs_the_same_number_of_queries_for_5_and_500_units(login, mixed):
    client = login(mixed.viewer)
    _grow(mixed.indicator, 3, "S")
    client.get(url())  # the session's first request also writes the session
    caches["dashboard"].clear()  # _grow wrote behind the audit log's back
    small_built, small_cached = _count(client), _count(client)
    _grow(mixed.indicator, 495, "L")
    extension_request(assessment=mixed.assessment_a, user=mixed.staff_a, reason="ขอขยายเวลา")  # a change: built again
    large_built, large_cached = _count(client), _count(client)
    assert [small_built[1:], small_cached[1:]] == [(False, 5), (True, 5)]
    assert [large_built[1:], large_cached[1:]] == [(False, 500), (True, 500)]
    assert small_built[0] == large_built[0] <= 15
    assert small_cached[0] == large_cached[0] < small_built[0]


def test_unit_names_are_escaped_in_the_matrix(login, cast):
    cast.unit_a.name = '<script>alert("x")</script> & กอง'
    cast.unit_a.save()
    body = login(cast.viewer).get(url()).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; กอง" in body
