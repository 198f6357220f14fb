"""The dashboard's cache (dashboard.overview): every recorded change shows on the next request,
reading changes nothing, and each language, filter, page and day has its own entry."""

import datetime as dt
import io

import pytest
import time_machine
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import PASSWORD
from evidence.services import evidence_add, step_submit
from evidence.tests.factories import fill_step, pdf_bytes, upload
from kpi_tracker.lib.thai import BANGKOK
from milestones.models import Unit, UnitKind, Weight
from milestones.services import assessments_ensure, extension_decide, extension_request, step_review
from milestones.tests.factories import progress_of

pytestmark = pytest.mark.django_db


def url() -> str:
    """The dashboard of indicator 2, the one indicator of the test round."""
    from milestones.models import Indicator

    return reverse("indicator-dashboard", args=[Indicator.objects.get(round__fiscal_year=2563, number=2).pk])


def get(client, params=None):
    """(response, number of queries, whether the fragments came from the cache)."""
    address = url()  # outside the count: the test's own lookup of the indicator
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, params or {})
    assert response.status_code == 200
    return response, len(queries.captured_queries), response.context["dashboard"].data is None


def cells(response, status: str) -> int:
    return response.content.decode().count(f'class="cell status-{status}"')


@pytest.fixture
def viewer(login, cast, before_deadline):
    client = login(cast.viewer)
    client.get(url())  # the session's first request also writes the session
    return client


def test_an_unchanged_dashboard_comes_from_the_cache_with_fewer_queries(viewer):
    cached_page, cached_queries, cached = get(viewer)
    assert cached  # the fixture's request built it
    caches["dashboard"].clear()
    built_page, built_queries, cached = get(viewer)
    assert not cached
    assert built_page.context["dashboard"].figures == cached_page.context["dashboard"].figures
    assert built_page.context["dashboard"].matrix == cached_page.context["dashboard"].matrix
    assert cached_queries < built_queries <= 15
    assert cached_queries == 5  # session, user, profile, the data version, the indicator


def test_a_submission_shows_at_once(viewer, cast):
    before = get(viewer)[0]
    progress = progress_of(cast.assessment_a, 1)
    fill_step(progress, cast.staff_a)
    step_submit(progress=progress, user=cast.staff_a)
    response, _n, cached = get(viewer)
    assert not cached
    assert (cells(before, "submitted"), cells(response, "submitted")) == (0, 1)


def test_a_decision_shows_at_once(viewer, cast):
    progress = progress_of(cast.assessment_a, 1)
    fill_step(progress, cast.staff_a)
    step_submit(progress=progress, user=cast.staff_a)
    assert cells(get(viewer)[0], "submitted") == 1
    assert get(viewer)[2]
    step_review(progress=progress, user=cast.reviewer, kind="accepted")
    response, _n, cached = get(viewer)
    assert not cached
    assert (cells(response, "submitted"), cells(response, "accepted")) == (0, 1)


def test_an_extension_request_and_its_grant_show_at_once(viewer, cast):
    assert "ขอขยายเวลา</span>" not in get(viewer)[0].content.decode()
    extension = extension_request(assessment=cast.assessment_b, user=cast.staff_b, reason="น้ำท่วมสำนักงาน")
    assert "ขอขยายเวลา</span>" in get(viewer)[0].content.decode()
    extension_decide(extension=extension, user=cast.reviewer, grant=True, new_deadline=dt.date(2020, 12, 31))
    body = get(viewer)[0].content.decode()
    assert "ขอขยายเวลา</span>" not in body and "31 ธ.ค. 2563" in body


def test_a_unit_renamed_in_the_admin_shows_at_once(viewer, login, cast):
    assert "กองทดสอบ ก" in get(viewer)[0].content.decode()
    admin = login(cast.admin)
    response = admin.post(
        reverse("admin:milestones_unit_change", args=[cast.unit_a.pk]),
        {"code": "T-A", "name": "กองเปลี่ยนชื่อแล้ว", "name_en": "", "kind": "central", "phone": "", "is_active": "on"},
    )
    assert response.status_code == 302
    viewer.force_login(cast.viewer)  # the same test client: back to the viewer
    body = get(viewer)[0].content.decode()
    assert "กองเปลี่ยนชื่อแล้ว" in body and "กองทดสอบ ก" not in body


def test_an_extension_request_deleted_with_the_admin_action_leaves_at_once(viewer, login, cast):
    extension = extension_request(assessment=cast.assessment_b, user=cast.staff_b, reason="น้ำท่วมสำนักงาน")
    assert "ขอขยายเวลา</span>" in get(viewer)[0].content.decode()
    response = login(cast.admin).post(
        reverse("admin:milestones_extension_changelist"),
        {"action": "delete_selected", "_selected_action": [extension.pk], "post": "yes"},
    )
    assert response.status_code == 302
    viewer.force_login(cast.viewer)
    assert "ขอขยายเวลา</span>" not in get(viewer)[0].content.decode()


def test_a_weight_changed_in_the_admin_shows_in_the_weighted_scores_at_once(viewer, login, cast):
    progress = progress_of(cast.assessment_a, 1)
    fill_step(progress, cast.staff_a)
    step_submit(progress=progress, user=cast.staff_a)
    step_review(progress=progress, user=cast.reviewer, kind="accepted")
    assert "0.0500" in get(viewer)[0].content.decode()
    weight = Weight.objects.get(indicator=cast.indicator, unit_kind="central")
    response = login(cast.admin).post(
        reverse("admin:milestones_weight_change", args=[weight.pk]),
        {"indicator": cast.indicator.pk, "unit_kind": "central", "percent": "8"},
    )
    assert response.status_code == 302
    viewer.force_login(cast.viewer)
    assert "0.0800" in get(viewer)[0].content.decode()


def test_units_loaded_from_a_file_show_at_once(viewer, tmp_path):
    assert "กองนำเข้าใหม่" not in get(viewer)[0].content.decode()
    csv = tmp_path / "units.csv"
    csv.write_text("code,name,name_en,kind,phone,parent\nT-N,กองนำเข้าใหม่,,central,,\n", encoding="utf-8")
    call_command("load_units", str(csv), stdout=io.StringIO())
    assert "กองนำเข้าใหม่" in get(viewer)[0].content.decode()


def test_logins_and_downloads_do_not_rebuild_the_dashboard(viewer, cast):
    evidence = evidence_add(
        progress=progress_of(cast.assessment_a, 1), user=cast.staff_a, upload=upload("หลักฐาน.pdf", pdf_bytes())
    )
    get(viewer)  # built after the upload
    assert get(viewer)[2]
    assert viewer.get(reverse("evidence-download", args=[evidence.pk])).status_code == 200
    assert viewer.get(reverse("evidence-preview", args=[evidence.pk])).status_code == 200
    viewer.logout()
    assert viewer.post(reverse("login"), {"username": "viewer", "password": PASSWORD}).status_code == 302
    assert get(viewer)[2]


def test_each_language_filter_and_page_has_its_own_entry(viewer, cast):
    Unit.objects.bulk_create([Unit(code=f"P-{i:03d}", name=f"หน่วยงาน {i}", kind=UnitKind.REGIONAL) for i in range(60)])
    assessments_ensure(indicator=cast.indicator)
    extension_request(assessment=cast.assessment_a, user=cast.staff_a, reason="ขอขยายเวลา")  # an audited change

    th, _n, cached = get(viewer)
    assert not cached and "หน้า 1 จาก 2" in th.content.decode()
    page_2, _n, cached = get(viewer, {"page": "2"})
    assert not cached and "หน้า 2 จาก 2" in page_2.content.decode()
    regional, _n, cached = get(viewer, {"kind": "regional"})
    assert not cached and "T-A" not in regional.content.decode()
    searched, _n, cached = get(viewer, {"q": "T-A"})
    assert not cached and "T-B" not in searched.content.decode()
    assert not get(viewer, {"status": "submitted"})[2]
    assert not get(viewer, {"flagged": "on"})[2]
    # Pagination links carry the filters that were applied, whatever else the address held.
    filtered_page = get(viewer, {"kind": "regional", "page": "2", "utm": "x"})[0].context["dashboard"].matrix
    assert "?kind=regional&amp;page=1" in filtered_page and "utm" not in filtered_page

    viewer.post(reverse("set_language"), {"language": "en", "next": url()})
    english, _n, cached = get(viewer)
    assert not cached and "Page 1 of 2" in english.content.decode()
    viewer.post(reverse("set_language"), {"language": "th", "next": url()})
    for params in ({}, {"page": "2"}, {"kind": "regional"}, {"q": "T-A"}):
        assert get(viewer, params)[2], params
    assert get(viewer, {"q": "T-A"})[0].context["dashboard"].matrix == searched.context["dashboard"].matrix


def test_a_new_day_in_bangkok_builds_a_fresh_dashboard(login, cast):
    # The at-risk list depends on the date: 14 days before the deadline (15 September) the units,
    # which have sent nothing, join it at midnight, with no event in between.
    with time_machine.travel(dt.datetime(2020, 8, 31, 23, 50, tzinfo=BANGKOK), tick=False) as traveller:
        client = login(cast.viewer)
        client.get(url())
        assert "ยังไม่ได้ส่งขั้นตอนใดเลย" not in get(client)[0].content.decode()
        assert get(client)[2]
        traveller.move_to(dt.datetime(2020, 9, 1, 0, 10, tzinfo=BANGKOK))
        response, _n, cached = get(client)
        assert not cached
        assert "ยังไม่ได้ส่งขั้นตอนใดเลย" in response.content.decode()


def test_every_role_that_sees_the_overview_gets_the_same_cached_page(login, cast, before_deadline):
    pages = []
    for user in (cast.reviewer, cast.viewer, cast.admin):
        client = login(user)
        client.get(url())
        response, _n, cached = get(client)
        assert cached
        pages.append(response.context["dashboard"])
    assert pages[0] == pages[1] == pages[2]


def test_a_lifetime_of_zero_turns_the_cache_off(viewer, settings):
    settings.CACHES = {**settings.CACHES, "dashboard": {**settings.CACHES["dashboard"], "TIMEOUT": 0}}
    caches["dashboard"].clear()  # what the fixture's request stored under the old lifetime
    assert [get(viewer)[2], get(viewer)[2]] == [False, False]


def test_spellings_of_the_same_page_share_one_entry(login, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    viewer = login(cast.viewer)
    viewer.get(reverse("home"))  # the session's first-request refresh, out of the way
    counts = []
    for page in ["1", "01", "", "abc", "-1", "1.0"]:
        with CaptureQueriesContext(connection) as ctx:
            assert viewer.get(url(), {"page": page} if page else {}).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert all(n < counts[0] for n in counts[1:]), counts  # built once, then served from the cache
