"""Dashboard figures: 500 units with a realistic mix of step statuses.

Prints dashboard_500_median_ms (median server time over 40 requests with the test
Client after warm-up), dashboard_vs_login_ratio (against the login page in the same
run), and dashboard_queries_5 / dashboard_queries_500 (CaptureQueriesContext).
Targets: <= 200 ms, ratio <= 5, queries equal and <= 15.

Those figures are the steady state of a real request: nothing changed since the last
request, so the page's figures and matrix come from the dashboard cache
(milestones/selectors/dashboard.py). The first request after any change builds them again; what
that costs is printed too, as context: dashboard_queries_5_uncached /
dashboard_queries_500_uncached and dashboard_500_uncached_median_ms (the cache emptied
before each timed request).
"""

import datetime as dt
import random
import statistics
import time

from _setup import load_rubric_and_units, report, setup_django

setup_django()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from milestones.models import (  # noqa: E402
    Assessment,
    Extension,
    Profile,
    Role,
    StepProgress,
    StepStatus,
    Unit,
    UnitKind,
)
from milestones.services import assessments_ensure, assessments_recalculate  # noqa: E402

REQUESTS = 40
WARM_UP = 5
ACCEPTED_AT = dt.datetime(2020, 8, 20, 3, 0, tzinfo=dt.UTC)


def mix_statuses(indicator, seed: int = 2563) -> None:
    """Each unit has steps 1..k accepted, the next in a random state, the rest not started."""
    rng = random.Random(seed)
    changed = []
    progresses: dict[int, list[StepProgress]] = {}
    for p in StepProgress.objects.filter(assessment__indicator=indicator).select_related("step"):
        progresses.setdefault(p.assessment_id, []).append(p)
    for rows in progresses.values():
        rows.sort(key=lambda p: p.step.number)
        accepted = rng.choices(range(6), weights=[15, 15, 20, 20, 15, 15])[0]
        following = rng.choice([StepStatus.SUBMITTED, StepStatus.RETURNED, StepStatus.DRAFT, StepStatus.NOT_STARTED])
        for p in rows:
            if p.step.number <= accepted:
                p.status, p.accepted_at, p.submitted_at = StepStatus.ACCEPTED, ACCEPTED_AT, ACCEPTED_AT
            elif p.step.number == accepted + 1:
                p.status = following
                p.submitted_at = ACCEPTED_AT if following in {StepStatus.SUBMITTED, StepStatus.RETURNED} else None
                p.is_late = following == StepStatus.SUBMITTED and rng.random() < 0.1
            changed.append(p)
    StepProgress.objects.bulk_update(changed, ["status", "accepted_at", "submitted_at", "is_late"], batch_size=1000)
    assessments_recalculate(indicator=indicator)


def forget_dashboards() -> None:
    """This script writes with bulk_update / bulk_create, behind the audit log's back (the app's own
    writes go through services that record an AuditEvent, which moves the dashboard's data
    version): without this, the next request would be served the dashboard cached before them."""
    caches["dashboard"].clear()


def time_get(client: Client, url: str, status: int = 200, *, before=None) -> float:
    if before is not None:
        before()
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == status, (url, response.status_code)
    return elapsed


def median_ms(client: Client, url: str, status: int = 200, *, before=None) -> float:
    for _ in range(WARM_UP):
        time_get(client, url, status, before=before)
    return statistics.median(time_get(client, url, status, before=before) for _ in range(REQUESTS))


def count_queries(client: Client, url: str, *, uncached: bool = False) -> int:
    """Queries of one request in the steady state (a first request may also refresh the session and
    fills the dashboard cache); with uncached, of a request that builds the dashboard."""
    client.get(url)
    if uncached:
        forget_dashboards()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


indicator = load_rubric_and_units(5)
user = get_user_model().objects.create_user("bench-viewer", password="x")
Profile.objects.create(user=user, role=Role.VIEWER)
client = Client(SERVER_NAME="localhost")  # a host ALLOWED_HOSTS accepts in DEBUG
client.force_login(user)
overview = reverse("overview")
mix_statuses(indicator)
forget_dashboards()
report("dashboard_queries_5", count_queries(client, overview))
report("dashboard_queries_5_uncached", count_queries(client, overview, uncached=True))

# Grow from 5 to 500 units, each with its assessment and a fresh mix of statuses.
Unit.objects.bulk_create(
    [
        Unit(code=f"B2-{i:04d}", name=f"หน่วยงานทดสอบเพิ่ม {i}", kind=UnitKind.CENTRAL if i % 3 else UnitKind.REGIONAL)
        for i in range(495)
    ]
)
assessments_ensure(indicator=indicator)
mix_statuses(indicator)
staff = get_user_model().objects.create_user("bench-staff", password="x")
for assessment in Assessment.objects.filter(indicator=indicator).order_by("pk")[:20]:
    Extension.objects.create(assessment=assessment, reason="ขอขยายเวลา", requested_by=staff)
assert Assessment.objects.filter(indicator=indicator).count() == 500
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum keeps them in production

forget_dashboards()
report("dashboard_queries_500", count_queries(client, overview))
report("dashboard_queries_500_uncached", count_queries(client, overview, uncached=True))
assert "500 หน่วยงานตามเงื่อนไข" in client.get(overview).content.decode()  # the timed page is the 500 units' one
dashboard_ms = median_ms(client, overview)
uncached_ms = median_ms(client, overview, before=forget_dashboards)
anonymous = Client(SERVER_NAME="localhost")
login_ms = median_ms(anonymous, reverse("login"))
report("dashboard_500_median_ms", f"{dashboard_ms:.1f}")
report("login_median_ms", f"{login_ms:.1f}")
report("dashboard_vs_login_ratio", f"{dashboard_ms / login_ms:.2f}")
# Context, not a target: the first request after a change, which builds and renders the page.
report("dashboard_500_uncached_median_ms", f"{uncached_ms:.1f}")
# Context, not a target: what any logged-in request costs here (session read and save, user,
# profile) before the dashboard does anything, measured as the landing page's redirect.
report("logged_in_redirect_median_ms", f"{median_ms(client, reverse('home'), status=302):.1f}")
