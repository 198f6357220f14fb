import datetime as dt
import io
import threading
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections

from kpi_tracker.lib.thai import BANGKOK
from milestones.management.commands.send_deadline_reminders import Command as Reminders
from milestones.management.commands.send_review_digest import Command as Digest
from milestones.models import Assessment, AuditEvent, Reminder, Submission
from milestones.services import extension_decide, extension_request
from milestones.tests.factories import accept_steps, submit

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2020, 9, 10, 8, 0, tzinfo=BANGKOK)  # 5 days before the round's deadline


# --- the reviewers' digest ---


def test_the_digest_lists_new_submissions_in_one_mail_to_the_reviewers(cast):
    submit(cast.assessment_a, 1, cast.staff_a, late=True)
    submit(cast.assessment_b, 1, cast.staff_b)
    claimed = Digest().run(now=NOW)
    assert len(claimed) == 2 and len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.bcc == ["reviewer@example.go.th"]
    assert "2 รายการ" in message.subject
    assert "T-A" in message.body and "T-B" in message.body and "[ส่งหลังกำหนด]" in message.body
    assert not Submission.objects.filter(reviewers_notified_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="digest.send")
    assert event.data["submissions"] == [s.pk for s in claimed] and event.data["recipients"] == 1


def test_a_second_run_sends_nothing_new(cast):
    submit(cast.assessment_a, 1, cast.staff_a)
    Digest().run(now=NOW)
    assert Digest().run(now=NOW + dt.timedelta(hours=1)) == []
    assert len(mail.outbox) == 1


def test_a_submission_claimed_by_another_run_is_not_claimed_again(cast):
    """The conditional UPDATE: a row another worker claimed between our read and our update is not ours."""
    _, first = submit(cast.assessment_a, 1, cast.staff_a)
    _, second = submit(cast.assessment_b, 1, cast.staff_b)
    command = Digest()
    real_filter = Submission.objects.filter

    def claim_first_behind_our_back(*args, **kwargs):
        if kwargs.get("pk") == first.pk and kwargs.get("reviewers_notified_at__isnull"):
            real_filter(pk=first.pk).update(reviewers_notified_at=NOW - dt.timedelta(minutes=1))
        return real_filter(*args, **kwargs)

    with mock.patch.object(Submission.objects, "filter", side_effect=claim_first_behind_our_back):
        claimed = command.claim(now=NOW)
    assert [s.pk for s in claimed] == [second.pk]


def test_a_failed_send_releases_the_claims(cast):
    submit(cast.assessment_a, 1, cast.staff_a)
    with mock.patch("milestones.notifications.EmailMessage.send", side_effect=OSError("SMTP down")):
        with pytest.raises(OSError):
            Digest().run(now=NOW)
    assert Submission.objects.filter(reviewers_notified_at__isnull=True).count() == 1
    assert not AuditEvent.objects.filter(action="digest.send").exists()
    assert len(Digest().run(now=NOW)) == 1


def test_the_digest_command_reports_how_many(cast):
    submit(cast.assessment_a, 1, cast.staff_a)
    out = io.StringIO()
    call_command("send_review_digest", stdout=out)
    assert "1 รายการ" in out.getvalue()


# --- deadline reminders ---


def test_units_below_the_last_step_are_reminded_once_a_day(cast):
    accept_steps(cast.assessment_b, 5, cast.staff_b, cast.reviewer)  # unit B reached step 5: no reminder
    command = Reminders()
    due = command.due(now=NOW, days=7)
    assert [a.unit.code for a in due] == ["T-A"]
    assert command.remind(assessment=due[0], now=NOW) is True
    assert command.remind(assessment=due[0], now=NOW + dt.timedelta(hours=3)) is False  # same day in Bangkok
    assert len(mail.outbox) == 1 and mail.outbox[0].bcc == ["staff_a@example.go.th"]
    assert "เหลืออีก 5 วัน" in mail.outbox[0].subject
    assert "15 กันยายน 2563" in mail.outbox[0].body
    assert Reminder.objects.count() == 1
    assert AuditEvent.objects.filter(action="reminder.send", unit=cast.unit_a).count() == 1
    assert command.remind(assessment=due[0], now=NOW + dt.timedelta(days=1)) is True  # the next day


def test_running_the_command_twice_mails_each_unit_once(cast):
    with time_machine.travel(NOW, tick=False):
        call_command("send_deadline_reminders", "--days", "7", stdout=io.StringIO())
        out = io.StringIO()
        call_command("send_deadline_reminders", "--days", "7", stdout=out)
    assert len(mail.outbox) == 2  # unit A and unit B, once each
    assert "0 หน่วยงาน" in out.getvalue()


def test_nobody_is_reminded_when_the_deadline_is_further_away_or_past(cast):
    command = Reminders()
    assert command.due(now=dt.datetime(2020, 9, 1, 8, 0, tzinfo=BANGKOK), days=7) == []
    assert command.due(now=dt.datetime(2020, 9, 16, 8, 0, tzinfo=BANGKOK), days=7) == []


def test_an_extended_deadline_moves_the_reminder(cast):
    extension = extension_request(assessment=cast.assessment_a, user=cast.staff_a, reason="ขอเวลาเพิ่ม", now=NOW)
    extension_decide(extension=extension, user=cast.reviewer, grant=True, new_deadline=dt.date(2020, 10, 30))
    assert [a.unit.code for a in Reminders().due(now=NOW, days=7)] == ["T-B"]


def test_a_failed_mail_leaves_no_claim(cast):
    command = Reminders()
    assessment = command.due(now=NOW, days=7)[0]
    with mock.patch("milestones.notifications.EmailMessage.send", side_effect=OSError("SMTP down")):
        with pytest.raises(OSError):
            command.remind(assessment=assessment, now=NOW)
    assert not Reminder.objects.exists() and not AuditEvent.objects.filter(action="reminder.send").exists()


# --- two runs at once, for real (PostgreSQL) ---


def _run_twice_at_once(target):
    barrier = threading.Barrier(2, timeout=10)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_digest_runs_at_once_never_mail_a_submission_twice(cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers")
    for a in (cast.assessment_a, cast.assessment_b):
        for number in (1, 2, 3):
            submit(a, number, cast.staff_a)
    results = _run_twice_at_once(lambda: [s.pk for s in Digest().run(now=NOW)])
    claimed = results[0] + results[1]
    assert sorted(claimed) == sorted(Submission.objects.values_list("pk", flat=True))  # each exactly once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reminder_runs_at_once_mail_a_unit_once(cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers")
    assessment = Assessment.objects.select_related("unit", "indicator__round").get(pk=cast.assessment_a.pk)
    results = _run_twice_at_once(lambda: Reminders().remind(assessment=assessment, now=NOW))
    assert sorted(results) == [False, True]
    assert Reminder.objects.count() == 1
