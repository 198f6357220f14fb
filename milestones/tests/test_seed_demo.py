from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from conftest import RUBRIC_FILE
from milestones.models import Profile, Role

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "units" / "sample-units.csv"


@pytest.mark.django_db
def test_demo_accounts_cover_every_role_and_rerunning_keeps_them():
    call_command("load_units", str(SAMPLE), "--sample", stdout=StringIO())
    call_command("load_rubric", str(RUBRIC_FILE), stdout=StringIO())
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    roles = {
        p.user.username: (p.role, p.unit.kind if p.unit else None)
        for p in Profile.objects.select_related("user", "unit")
    }
    assert roles["central"] == (Role.STAFF, "central")
    assert roles["regional"] == (Role.STAFF, "regional")
    assert roles["reviewer"][0] == Role.REVIEWER
    assert roles["admin"][0] == Role.ADMIN
    assert authenticate(username="reviewer", password="demo-kpi-2563") is not None
    assert "demo-kpi-2563" in out.getvalue()
