from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from conftest import RUBRIC_FILE
from milestones.models import Profile, Role

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "units" / "sample-units.csv"


@pytest.fixture(autouse=True)
def debug_on(settings):
    """seed_demo is for development machines (make run sets DEBUG=1); pytest-django turns DEBUG off."""
    settings.DEBUG = True


@pytest.mark.django_db
def test_it_refuses_to_run_with_debug_off_and_creates_nothing(settings):
    from django.contrib.auth import get_user_model
    from django.core.management import CommandError

    settings.DEBUG = False
    call_command("load_units", str(SAMPLE), "--sample", stdout=StringIO())
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_demo_accounts_cover_every_role_and_rerunning_keeps_them(groups):
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
    assert out.getvalue().rstrip().splitlines()[-1].startswith("  admin")  # the logins come last


@pytest.mark.django_db(transaction=True)
def test_seeding_the_demo_mails_nobody(groups, mailoutbox):
    call_command("load_units", str(SAMPLE), "--sample", stdout=StringIO())
    call_command("load_rubric", str(RUBRIC_FILE), stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    assert mailoutbox == []


@pytest.mark.django_db
def test_demo_units_get_an_extension_and_sample_units_a_mix_of_statuses_through_the_services(groups):
    import datetime as dt

    from milestones.models import AuditEvent, Decision, Extension, StepProgress, Submission
    from milestones.ops.demo import DEMO_EXTENSION_REASON, today_in_bangkok

    call_command("load_units", str(SAMPLE), "--sample", stdout=StringIO())
    call_command("load_rubric", str(RUBRIC_FILE), stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    counts = (
        Submission.objects.count(),
        Decision.objects.count(),
        Extension.objects.count(),
        AuditEvent.objects.count(),
    )
    call_command("seed_demo", stdout=StringIO())  # idempotent
    assert (
        Submission.objects.count(),
        Decision.objects.count(),
        Extension.objects.count(),
        AuditEvent.objects.count(),
    ) == counts

    today = today_in_bangkok()
    for code in ("C-ICT", "P-90"):
        extension = Extension.objects.select_related("assessment").get(assessment__unit__code=code)
        assert extension.status == "granted" and extension.reason == DEMO_EXTENSION_REASON
        assert extension.assessment.extended_deadline == today + dt.timedelta(days=60)
        assert not extension.assessment.is_past_deadline()
    assert AuditEvent.objects.filter(action="extension.grant").count() == 2

    units_with_submissions = Submission.objects.values("progress__assessment").distinct().count()
    assert 30 <= units_with_submissions <= 40
    statuses = set(StepProgress.objects.values_list("status", flat=True))
    assert {"accepted", "submitted", "returned", "draft", "not_started"} <= statuses
    assert AuditEvent.objects.filter(action="step.submit").count() == Submission.objects.count()
