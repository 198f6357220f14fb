"""The shared cast for every test: the rubric, two units and one user per role.

- unit A (central) and unit B (regional), each with an assessment on indicator 2;
- staff_a / staff_b: staff of unit A / B; reviewer; viewer; admin.
The round's deadline is 15 September 2563 (2020-09-15); tests that upload or
submit travel in time with the `before_deadline` fixture.
"""

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth import get_user_model

from kpi_tracker.lib.thai import BANGKOK
from milestones.models import Assessment, Profile, Role, Unit, UnitKind
from milestones.rubric import load_rubric, parse_rubric, read_file

RUBRIC_FILE = Path(__file__).parent / "data" / "rubrics" / "2563-indicator-2.yaml"
PASSWORD = "pass-for-tests"


def make_user(username: str, role: str, unit: Unit | None = None):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.go.th", first_name=username
    )
    if role == Role.ADMIN:
        user.is_staff = user.is_superuser = True
        user.save()
    Profile.objects.create(user=user, role=role, unit=unit)
    return user


@pytest.fixture
def indicator(db):
    load_rubric(parse_rubric(read_file(RUBRIC_FILE)))
    from milestones.models import Indicator

    return Indicator.objects.select_related("round").get(round__fiscal_year=2563, number=2)


@pytest.fixture
def cast(db):
    unit_a = Unit.objects.create(code="T-A", name="กองทดสอบ ก", kind=UnitKind.CENTRAL)
    unit_b = Unit.objects.create(code="T-B", name="สำนักงานประมงจังหวัดทดสอบ", kind=UnitKind.REGIONAL)
    load_rubric(parse_rubric(read_file(RUBRIC_FILE)))
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
        reviewer=make_user("reviewer", Role.REVIEWER),
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
        client.force_login(user)
        return client

    return _login
