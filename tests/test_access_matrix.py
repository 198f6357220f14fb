"""The access matrix: every URL of the project x every role x every method, with the expected status.

How to add a URL: add one entry to MATRIX below, keyed by the URL name (namespaced names as
"ns:name"), with
- `kwargs`: a function of the `World` (the shared cast plus lazily built objects such as an
  evidence file of unit A) returning the URL kwargs, or None when the URL takes none;
- `expect`: {method: {role: status}} for every method the view answers. Build each role map
  with `by_role(...)`; a method the view does not accept is listed too, with 405 for the roles
  that reach the view (anonymous users may be sent to the login page first).
- `data` (optional): a function of the World returning the POST body the matrix sends
  (the default is an empty body: the matrix tests who gets in, not what the form accepts).

A URL with no entry fails `test_every_url_has_an_entry_in_the_matrix`; an entry whose URL is
gone fails `test_every_matrix_entry_is_a_real_url`. Patterns under SKIPPED are Django's own
(admin, language switch) and are not ours to test here.

Roles: anonymous, own (staff of the unit that owns the object: unit A), other (staff of unit B),
reviewer (of the supervising group of indicator 2, whose objects these are), group (a reviewer of
another supervising group: it may not see indicator 2's objects, so 404), viewer, admin.
`query` (optional) adds a query string (a function of the World).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = ("anonymous", "own", "other", "reviewer", "group", "viewer", "admin")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# URL prefixes and namespaces that are Django's own, skipped by the walk.
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_PREFIXES = ("admin/", "i18n/")

LOGIN = 302  # anonymous users are sent to the login page


def by_role(
    *,
    anonymous: int = LOGIN,
    own: int,
    other: int,
    reviewer: int,
    viewer: int,
    admin: int,
    group: int | None = None,
) -> dict[str, int]:
    """group (another supervising group's reviewer) is as reviewer unless said otherwise."""
    return {
        "anonymous": anonymous,
        "own": own,
        "other": other,
        "reviewer": reviewer,
        "group": reviewer if group is None else group,
        "viewer": viewer,
        "admin": admin,
    }


def everyone(status: int, *, anonymous: int = LOGIN) -> dict[str, int]:
    return by_role(anonymous=anonymous, own=status, other=status, reviewer=status, viewer=status, admin=status)


# Common shapes.
UNIT_PAGE = by_role(own=200, other=404, reviewer=200, group=404, viewer=200, admin=200)
UNIT_CHANGE = by_role(own=302, other=404, reviewer=403, group=404, viewer=403, admin=403)
NOT_ALLOWED = everyone(405)
DEPARTMENT_PAGE = by_role(own=403, other=403, reviewer=200, viewer=200, admin=200)
REVIEW_OBJECT_PAGE = by_role(own=403, other=404, reviewer=200, group=404, viewer=200, admin=200)  # a step, a request
INDICATOR_PAGE = by_role(own=403, other=403, reviewer=200, group=404, viewer=200, admin=200)  # indicator 2's


class World:
    """The cast plus objects built on demand, through the real services where they exist."""

    def __init__(self, cast: SimpleNamespace):
        self.cast = cast

    def __getattr__(self, name):
        return getattr(self.cast, name)

    @cached_property
    def progress_a1(self):
        return self.cast.assessment_a.steps.select_related("step").get(step__number=1)

    @cached_property
    def evidence_a1(self):
        """A PDF uploaded by unit A's staff to step 1, through the real service."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from evidence.services import evidence_add
        from tests.fixtures.documents import minimal_pdf

        pdf = SimpleUploadedFile("คำสั่ง.pdf", minimal_pdf("matrix"), content_type="application/pdf")
        return evidence_add(progress=self.progress_a1, user=self.cast.staff_a, upload=pdf)

    @cached_property
    def filing_a(self):
        """Unit A's cover memo, through the real service."""
        import datetime as dt

        from milestones.services.filings import filing_create

        return filing_create(
            assessment=self.cast.assessment_a,
            user=self.cast.staff_a,
            memo_number="กษ 0509/1",
            memo_date=dt.date(2020, 8, 1),
            recipient="ผู้อำนวยการกลุ่มพัฒนาระบบบริหาร",
            signer_name="นายทดสอบ",
            signer_position="ผู้อำนวยการ",
        )

    @cached_property
    def progress_a1_submitted(self):
        """Unit A's step 1 awaiting review: content saved, evidence uploaded and sent, through the services."""
        from evidence.services import step_content_save, step_submit

        step_content_save(
            progress=self.progress_a1, user=self.cast.staff_a, content={"summary": "ทบทวนกระบวนการงานแล้ว"}
        )
        self.evidence_a1  # noqa: B018
        step_submit(progress=self.progress_a1, user=self.cast.staff_a)
        self.progress_a1.refresh_from_db()
        return self.progress_a1

    @cached_property
    def summary_job(self):
        """Indicator 2's department summary asked for by the viewer (built or not: the pages answer)."""
        from milestones.reporting.documents import request_document

        return request_document(
            kind="indicator-summary", params={"indicator": self.cast.indicator.pk}, user=self.viewer
        )

    @cached_property
    def extension_a(self):
        """Unit A's pending extension request, through the real service."""
        from milestones.services import extension_request

        return extension_request(assessment=self.cast.assessment_a, user=self.cast.staff_a, reason="ขอขยายเวลา")


@dataclass
class Row:
    expect: dict[str, dict[str, int]]
    kwargs: Callable[[World], dict] | None = None
    data: Callable[[World], dict] = field(default=lambda world: {})
    query: Callable[[World], dict] | None = None


MATRIX: dict[str, Row] = {
    # kpi_tracker/urls.py
    "healthz": Row(
        # The load balancer's probe: no login, safe methods only.
        expect={
            "GET": everyone(200, anonymous=200),
            "POST": everyone(405, anonymous=405),
            "PUT": everyone(405, anonymous=405),
        }
    ),
    "login": Row(
        expect={
            # Logged-in users are sent on whatever the method; a POST with no credentials
            # re-renders the form (Django's FormView treats PUT like POST).
            "GET": everyone(302, anonymous=200),
            "POST": everyone(302, anonymous=200),
            "PUT": everyone(302, anonymous=200),
            "DELETE": everyone(302, anonymous=405),
        }
    ),
    "logout": Row(
        expect={
            "GET": everyone(405, anonymous=405),
            "POST": everyone(302, anonymous=302),
            "PUT": everyone(405, anonymous=405),
        }
    ),
    # milestones/urls/__init__.py
    "home": Row(
        expect={
            "GET": everyone(302),
            "POST": everyone(302),  # the landing page only redirects
        }
    ),
    "unit-round": Row(
        kwargs=lambda w: {"year": 2563, "pk": w.unit_a.pk},
        expect={"GET": by_role(own=200, other=404, reviewer=200, viewer=200, admin=200), "POST": NOT_ALLOWED},
    ),
    "assessment-detail": Row(
        kwargs=lambda w: {"pk": w.assessment_a.pk},
        expect={"GET": UNIT_PAGE, "POST": NOT_ALLOWED},
    ),
    # evidence/urls.py
    "step-detail": Row(
        kwargs=lambda w: {"pk": w.assessment_a.pk, "number": 1},
        expect={"GET": UNIT_PAGE, "POST": NOT_ALLOWED},
    ),
    "step-save": Row(
        kwargs=lambda w: {"pk": w.assessment_a.pk, "number": 1},
        expect={"GET": NOT_ALLOWED, "POST": UNIT_CHANGE},
    ),
    "evidence-upload": Row(
        kwargs=lambda w: {"pk": w.assessment_a.pk, "number": 1},
        expect={"GET": NOT_ALLOWED, "POST": UNIT_CHANGE},
    ),
    "step-submit": Row(
        kwargs=lambda w: {"pk": w.assessment_a.pk, "number": 1},
        expect={"GET": NOT_ALLOWED, "POST": UNIT_CHANGE},
    ),
    "evidence-download": Row(
        kwargs=lambda w: {"pk": w.evidence_a1.pk},
        expect={"GET": UNIT_PAGE, "POST": NOT_ALLOWED},
    ),
    "evidence-preview": Row(
        kwargs=lambda w: {"pk": w.evidence_a1.pk},
        expect={"GET": UNIT_PAGE, "POST": NOT_ALLOWED},
    ),
    "evidence-remove": Row(
        kwargs=lambda w: {"pk": w.evidence_a1.pk},
        expect={"GET": NOT_ALLOWED, "POST": UNIT_CHANGE},
    ),
    "overview": Row(
        expect={
            "GET": by_role(own=403, other=403, reviewer=200, viewer=200, admin=200),
            "POST": NOT_ALLOWED,
        }
    ),
    "indicator-dashboard": Row(
        kwargs=lambda w: {"pk": w.indicator.pk},
        expect={"GET": INDICATOR_PAGE, "POST": NOT_ALLOWED},
    ),
    # milestones/urls/review.py (an empty POST to a decision form re-renders it with errors: 200)
    "review-queue": Row(expect={"GET": DEPARTMENT_PAGE, "POST": NOT_ALLOWED}),
    "review-step": Row(
        kwargs=lambda w: {"pk": w.progress_a1_submitted.pk},
        expect={"GET": REVIEW_OBJECT_PAGE, "POST": NOT_ALLOWED},
    ),
    "review-decide": Row(
        kwargs=lambda w: {"pk": w.progress_a1_submitted.pk},
        expect={
            "GET": NOT_ALLOWED,
            "POST": by_role(own=403, other=404, reviewer=200, group=404, viewer=403, admin=200),
        },
    ),
    "review-reopen": Row(
        kwargs=lambda w: {"pk": w.progress_a1_submitted.pk},
        expect={
            "GET": NOT_ALLOWED,
            "POST": by_role(own=403, other=404, reviewer=403, group=404, viewer=403, admin=200),
        },
    ),
    "extension-request": Row(
        kwargs=lambda w: {"pk": w.assessment_a.pk},
        expect={"GET": NOT_ALLOWED, "POST": UNIT_CHANGE},
    ),
    "extension-list": Row(expect={"GET": DEPARTMENT_PAGE, "POST": NOT_ALLOWED}),
    "extension-detail": Row(
        kwargs=lambda w: {"pk": w.extension_a.pk},
        expect={
            "GET": REVIEW_OBJECT_PAGE,
            "POST": by_role(own=403, other=404, reviewer=200, group=404, viewer=403, admin=200),
            "PUT": NOT_ALLOWED,
        },
    ),
    "audit-log": Row(
        expect={"GET": by_role(own=404, other=404, reviewer=200, viewer=403, admin=200), "POST": NOT_ALLOWED}
    ),
    # The round's table (every role's own indicators); its workbook is built by the worker (302).
    "scores-csv": Row(expect={"GET": DEPARTMENT_PAGE, "POST": NOT_ALLOWED}),
    "scores-xlsx": Row(
        expect={"GET": by_role(own=403, other=403, reviewer=302, viewer=302, admin=302), "POST": NOT_ALLOWED}
    ),
    # milestones/urls/reports.py (an empty POST to a form re-renders it with errors: 200)
    "report-unit": Row(
        kwargs=lambda w: {"pk": w.assessment_a.pk},
        expect={"GET": UNIT_PAGE, "POST": NOT_ALLOWED},
    ),
    "report-summary": Row(  # the worker builds it: the request goes to the job's page
        query=lambda w: {"indicator": w.indicator.pk},
        expect={
            "GET": by_role(own=403, other=403, reviewer=302, group=404, viewer=302, admin=302),
            "POST": NOT_ALLOWED,
        },
    ),
    # milestones/urls/documents.py: whoever may see indicator 2's summary follows and fetches it.
    "document": Row(
        kwargs=lambda w: {"pk": w.summary_job.pk},
        expect={
            "GET": by_role(own=404, other=404, reviewer=200, group=404, viewer=200, admin=200),
            "POST": NOT_ALLOWED,
        },
    ),
    "document-status": Row(
        kwargs=lambda w: {"pk": w.summary_job.pk},
        expect={
            "GET": by_role(own=404, other=404, reviewer=200, group=404, viewer=200, admin=200),
            "POST": NOT_ALLOWED,
        },
    ),
    "document-download": Row(
        kwargs=lambda w: {"pk": w.summary_job.pk},  # not built yet: 404 for everyone, as before it is ready
        expect={
            "GET": by_role(own=404, other=404, reviewer=404, group=404, viewer=404, admin=404),
            "POST": NOT_ALLOWED,
        },
    ),
    "report-memo-create": Row(
        kwargs=lambda w: {"pk": w.assessment_a.pk},
        expect={
            "GET": by_role(own=200, other=404, reviewer=403, group=404, viewer=403, admin=403),
            "POST": by_role(own=200, other=404, reviewer=403, group=404, viewer=403, admin=403),
            "PUT": NOT_ALLOWED,
        },
    ),
    "report-memo": Row(
        kwargs=lambda w: {"pk": w.filing_a.pk},
        expect={"GET": UNIT_PAGE, "POST": NOT_ALLOWED},
    ),
    "report-package": Row(
        kwargs=lambda w: {"pk": w.filing_a.pk},
        expect={"GET": UNIT_PAGE, "POST": NOT_ALLOWED},
    ),
    "report-esaraban-record": Row(
        kwargs=lambda w: {"pk": w.filing_a.pk},
        expect={
            "GET": by_role(own=200, other=404, reviewer=403, group=404, viewer=403, admin=403),
            "POST": by_role(own=200, other=404, reviewer=403, group=404, viewer=403, admin=403),
            "PUT": NOT_ALLOWED,
        },
    ),
}


def _walk(patterns, prefix: str = "", namespace: str = ""):
    """Yield (name, route) for every URL pattern, descending into includes."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES or route.startswith(SKIPPED_PREFIXES):
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            if route.startswith(SKIPPED_PREFIXES):
                continue
            yield (f"{namespace}{entry.name}" if entry.name else None), route


def project_urls() -> list[tuple[str | None, str]]:
    return list(_walk(get_resolver().url_patterns))


def test_every_url_has_an_entry_in_the_matrix():
    missing = [f"{name or '(unnamed)'} ({route})" for name, route in project_urls() if name not in MATRIX]
    assert not missing, "add these URLs to MATRIX in tests/test_access_matrix.py: " + ", ".join(missing)


def test_every_matrix_entry_is_a_real_url():
    names = {name for name, _ in project_urls()}
    assert not set(MATRIX) - names, f"stale rows in MATRIX: {sorted(set(MATRIX) - names)}"


def test_every_entry_covers_every_role_for_get_and_post():
    for name, row in MATRIX.items():
        assert {"GET", "POST"} <= set(row.expect), name
        for method, statuses in row.expect.items():
            assert method in METHODS, (name, method)
            assert set(statuses) == set(ROLES), (name, method)


def _cases():
    for name, row in MATRIX.items():
        for method, statuses in row.expect.items():
            for role in ROLES:
                yield pytest.param(name, method, role, statuses[role], id=f"{name}-{method}-{role}")


def user_for(world: World, role: str):
    return {
        "anonymous": None,
        "own": world.staff_a,
        "other": world.staff_b,
        "reviewer": world.reviewer,
        "group": world.reviewer_other,
        "viewer": world.viewer,
        "admin": world.admin,
    }[role]


def url_for(world: World, name: str) -> str:
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(world) if row.kwargs else None)
    return f"{url}?{urlencode(row.query(world))}" if row.query else url


def request(client: Client, method: str, url: str, data: dict):
    if method == "GET":
        return client.get(url)
    if method == "POST":
        return client.post(url, data)
    return getattr(client, method.lower())(url)


@pytest.fixture
def world(cast, before_deadline):
    return World(cast)


@pytest.mark.parametrize("name, method, role, expected", list(_cases()))
def test_access(world, name, method, role, expected):
    client = Client()
    user = user_for(world, role)
    if user is not None:
        client.force_login(user)
    row = MATRIX[name]
    response = request(client, method, url_for(world, name), row.data(world))
    assert response.status_code == expected, f"{method} {name} as {role}"
    if expected == LOGIN and role == "anonymous" and name not in {"login", "logout"}:
        assert response.url.startswith(reverse("login")), "anonymous users go to the login page"
