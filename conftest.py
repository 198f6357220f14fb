"""The shared cast for every test: the rubric, two units and one user per role.

- unit A (central) and unit B (regional), each with an assessment on indicator 2;
- staff_a / staff_b: staff of unit A / B; reviewer (of the management-systems group, PSDG, which
  supervises indicator 2); reviewer_other (of another group, FIN); viewer; admin.
The round's deadline is 15 September 2563 (2020-09-15); tests that upload or
submit travel in time with the `before_deadline` fixture.
"""

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core.cache import caches
from django.utils import translation

from kpi_tracker.lib.thai import BANGKOK
from milestones.models import Assessment, Profile, Role, SupervisingGroup, Unit, UnitKind
from milestones.services.audit import record_login
from milestones.services.groups import load_groups, parse_groups
from milestones.services.rubric import load_rubric, parse_rubric, read_file

RUBRIC_FILE = Path(__file__).parent / "data" / "rubrics" / "2563-indicator-2.yaml"
GROUPS_FILE = Path(__file__).parent / "data" / "groups" / "groups.csv"
PASSWORD = "pass-for-tests"


def make_user(username: str, role: str, unit: Unit | None = None, *, groups=()):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.go.th", first_name=username
    )
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    profile = Profile.objects.create(user=user, role=role, unit=unit)
    profile.supervising_groups.set(SupervisingGroup.objects.filter(code__in=groups))
    return user


@pytest.fixture(autouse=True)
def fresh_dashboard_cache():
    """No dashboard from another test: rolled-back tests hand out the same ids again (SQLite), so
    two tests' data can share a data version."""
    caches["dashboard"].clear()


@pytest.fixture(autouse=True)
def thai_after_each_test():
    """Every test starts in Thai: a request in English (set_language) leaves English active in the thread."""
    yield
    translation.deactivate()


def load_test_groups() -> None:
    load_groups(parse_groups(GROUPS_FILE.read_text(encoding="utf-8")), source=str(GROUPS_FILE))


@pytest.fixture
def groups(db):
    """The supervising groups of data/groups/groups.csv (a rubric file names its group by code)."""
    load_test_groups()


def load_test_rubric() -> None:
    """Load the supervising groups and indicator 2 as the department would at the start of fiscal
    year 2563 (1 October 2562): the loads are in the audit log, older than anything a test does in
    the round."""
    with time_machine.travel(dt.datetime(2019, 10, 1, 9, 0, tzinfo=BANGKOK), tick=False):
        load_test_groups()
        load_rubric(parse_rubric(read_file(RUBRIC_FILE)), source=str(RUBRIC_FILE))


@pytest.fixture
def indicator(db):
    load_test_rubric()
    from milestones.models import Indicator

    return Indicator.objects.select_related("round").get(round__fiscal_year=2563, number=2)


@pytest.fixture
def cast(db):
    unit_a = Unit.objects.create(code="T-A", name="กองทดสอบ ก", kind=UnitKind.CENTRAL)
    unit_b = Unit.objects.create(code="T-B", name="สำนักงานประมงจังหวัดทดสอบ", kind=UnitKind.REGIONAL)
    load_test_rubric()
    from milestones.models import Indicator

    indicator = Indicator.objects.select_related("round").get(round__fiscal_year=2563, number=2)
    return SimpleNamespace(
        indicator=indicator,
        unit_a=unit_a,
        unit_b=unit_b,
        assessment_a=Assessment.objects.get(unit=unit_a, indicator=indicator),
        assessment_b=Assessment.objects.get(unit=unit_b, indicator=indicator),
        staff_a=make_user("staff_a", Role.STAFF, unit_a),
        staff_b=make_user("staff_b", Role.STAFF, unit_b),
        reviewer=make_user("reviewer", Role.REVIEWER, groups=["PSDG"]),
        reviewer_other=make_user("reviewer_other", Role.REVIEWER, groups=["FIN"]),
        viewer=make_user("viewer", Role.VIEWER),
        admin=make_user("admin", Role.ADMIN),
    )


@pytest.fixture
def before_deadline():
    """The clock at 1 August 2563, well inside the round."""
    with time_machine.travel(dt.datetime(2020, 8, 1, 10, 0, tzinfo=BANGKOK), tick=False) as traveller:
        yield traveller


@pytest.fixture
def after_deadline():
    """The first second after 15 September 2563 ended in Bangkok."""
    with time_machine.travel(dt.datetime(2020, 9, 16, 0, 0, 0, tzinfo=BANGKOK), tick=False) as traveller:
        yield traveller


@pytest.fixture
def login(client):
    """login(user) logs the test client in as that user and returns the client."""

    def _login(user):
        # A test shortcut, not a sign-in: no "login" audit event to count in every test.
        user_logged_in.disconnect(dispatch_uid="milestones.services.audit.login")
        try:
            client.force_login(user)
        finally:
            user_logged_in.connect(record_login, dispatch_uid="milestones.services.audit.login")
        return client

    return _login


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's standalone S3 server on a free loopback port, for the whole session; yields its endpoint URL."""
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    port = free_port()
    executable = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(executable), "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            break
        except urllib.error.HTTPError:
            break  # it answers
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)  # polling the server's start-up, not timing a test
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def create_bucket(endpoint: str, bucket: str) -> None:
    """A bucket on the moto server, with the test credentials it accepts."""
    import boto3

    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)


@pytest.fixture
def s3_storage(s3_server, settings):
    """Evidence storage pointed at a fresh private bucket on the moto server (the production S3 options)."""
    import uuid

    bucket = f"evidence-{uuid.uuid4().hex[:12]}"
    options = {
        "bucket_name": bucket,
        "endpoint_url": s3_server,
        "access_key": "testing",
        "secret_key": "testing",
        "region_name": "us-east-1",
    }
    create_bucket(s3_server, bucket)
    production = dict(settings.STORAGES)
    s3_options = {
        "file_overwrite": False,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 300,
        "signature_version": "s3v4",
        **options,
    }
    settings.STORAGES = {**production, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": s3_options}}
    from django.core.files.storage import storages

    yield storages["default"]
