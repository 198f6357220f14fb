import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from milestones.models import AuditEvent, Decision, DecisionKind, StepProgress, StepStatus
from milestones.services import step_reopen, step_review
from milestones.services.review import AlreadyDecided, CommentRequired, NotAccepted
from milestones.tests.factories import accept_steps, progress_of, submit

pytestmark = pytest.mark.django_db


def test_accepting_a_step_raises_the_level_and_weighted_score_in_the_same_transaction(cast):
    accept_steps(cast.assessment_b, 2, cast.staff_b, cast.reviewer)
    progress, _ = submit(cast.assessment_b, 3, cast.staff_b)
    decision = step_review(progress=progress, user=cast.reviewer, kind="accepted")
    cast.assessment_b.refresh_from_db()
    progress.refresh_from_db()
    assert decision.kind == DecisionKind.ACCEPTED
    assert progress.status == StepStatus.ACCEPTED and progress.accepted_at is not None
    assert cast.assessment_b.level == 3
    assert str(cast.assessment_b.weighted_score) == "0.3000"  # regional: 3 x 10%


def test_a_gap_stops_the_level_even_when_a_later_step_is_accepted(cast):
    progress, _ = submit(cast.assessment_a, 2, cast.staff_a)
    step_review(progress=progress, user=cast.reviewer, kind="accepted")
    cast.assessment_a.refresh_from_db()
    assert cast.assessment_a.level == 0


def test_returning_needs_a_comment_and_changes_nothing_without_one(cast):
    progress, _ = submit(cast.assessment_a, 1, cast.staff_a)
    with pytest.raises(CommentRequired):
        step_review(progress=progress, user=cast.reviewer, kind="returned", comment="   ")
    progress.refresh_from_db()
    assert progress.status == StepStatus.SUBMITTED
    assert not Decision.objects.exists()


def test_returning_records_the_comment_audits_and_mails_the_unit_staff(cast, django_capture_on_commit_callbacks):
    progress, submission = submit(cast.assessment_a, 1, cast.staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        step_review(progress=progress, user=cast.reviewer, kind="returned", comment="แนบคำสั่งแต่งตั้งให้ครบ")
    progress.refresh_from_db()
    assert progress.status == StepStatus.RETURNED and progress.accepted_at is None
    decision = Decision.objects.get()
    assert decision.submission == submission and decision.comment == "แนบคำสั่งแต่งตั้งให้ครบ"
    event = AuditEvent.objects.get(action="step.return")
    assert event.user == cast.reviewer and event.unit == cast.unit_a
    assert len(mail.outbox) == 1
    assert mail.outbox[0].bcc == ["staff_a@example.go.th"]
    assert "ส่งกลับให้แก้ไข" in mail.outbox[0].subject
    assert "แนบคำสั่งแต่งตั้งให้ครบ" in mail.outbox[0].body


def test_the_mail_is_thai_even_when_the_reviewer_reads_the_interface_in_english(
    cast, django_capture_on_commit_callbacks
):
    from django.utils import translation

    progress, _submission = submit(cast.assessment_a, 1, cast.staff_a)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        step_review(progress=progress, user=cast.reviewer, kind="returned", comment="แนบคำสั่งแต่งตั้งให้ครบ")
    assert "ส่งกลับให้แก้ไข" in mail.outbox[0].subject


def test_accepting_mails_the_staff_of_that_unit_only(cast, django_capture_on_commit_callbacks):
    progress, _ = submit(cast.assessment_b, 1, cast.staff_b)
    with django_capture_on_commit_callbacks(execute=True):
        step_review(progress=progress, user=cast.reviewer, kind="accepted")
    assert [m.bcc for m in mail.outbox] == [["staff_b@example.go.th"]]
    assert "ผ่านการพิจารณา" in mail.outbox[0].subject
    assert AuditEvent.objects.filter(action="step.accept", unit=cast.unit_b).count() == 1


def test_no_mail_is_sent_when_the_decision_is_rolled_back(cast, django_capture_on_commit_callbacks):
    progress, _ = submit(cast.assessment_a, 1, cast.staff_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(CommentRequired):
            step_review(progress=progress, user=cast.reviewer, kind="returned")
    assert callbacks == [] and mail.outbox == []


def test_a_second_decision_on_the_same_submission_is_told_it_was_already_decided(cast):
    progress, _ = submit(cast.assessment_a, 1, cast.staff_a)
    step_review(progress=progress, user=cast.reviewer, kind="accepted")
    with pytest.raises(AlreadyDecided) as excinfo:
        step_review(progress=progress, user=cast.admin, kind="returned", comment="ไม่ครบ")
    assert "ได้รับการพิจารณาแล้ว" in str(excinfo.value)
    assert Decision.objects.count() == 1


def test_the_unique_constraint_is_the_last_line_of_defence(cast):
    """Status still says submitted (e.g. a bug elsewhere), but the submission was decided."""
    progress, submission = submit(cast.assessment_a, 1, cast.staff_a)
    Decision.objects.create(progress=progress, submission=submission, kind="accepted", decided_by=cast.reviewer)
    with pytest.raises(AlreadyDecided):
        step_review(progress=progress, user=cast.admin, kind="accepted")
    assert Decision.objects.count() == 1


@pytest.mark.parametrize("who", ["staff_a", "staff_b", "viewer"])
def test_only_reviewers_and_admins_decide(cast, who):
    progress, _ = submit(cast.assessment_a, 1, cast.staff_a)
    with pytest.raises(PermissionDenied):
        step_review(progress=progress, user=getattr(cast, who), kind="accepted")
    assert not Decision.objects.exists()


def test_an_admin_reopens_an_accepted_step_with_a_reason_and_the_level_drops(cast):
    accept_steps(cast.assessment_a, 2, cast.staff_a, cast.reviewer)
    progress = progress_of(cast.assessment_a, 1)
    decision = step_reopen(progress=progress, user=cast.admin, reason="หลักฐานเป็นของปีงบประมาณก่อน")
    progress.refresh_from_db()
    cast.assessment_a.refresh_from_db()
    assert decision.kind == DecisionKind.REOPENED
    assert progress.status == StepStatus.RETURNED and progress.accepted_at is None
    assert cast.assessment_a.level == 0 and str(cast.assessment_a.weighted_score) == "0.0000"
    assert AuditEvent.objects.filter(action="step.reopen", unit=cast.unit_a).exists()


def test_reopening_needs_a_reason_an_admin_and_an_accepted_step(cast):
    accept_steps(cast.assessment_a, 1, cast.staff_a, cast.reviewer)
    progress = progress_of(cast.assessment_a, 1)
    with pytest.raises(CommentRequired):
        step_reopen(progress=progress, user=cast.admin, reason="")
    with pytest.raises(PermissionDenied):
        step_reopen(progress=progress, user=cast.reviewer, reason="ขอเปิดใหม่")
    with pytest.raises(NotAccepted):
        step_reopen(progress=progress_of(cast.assessment_a, 2), user=cast.admin, reason="ขอเปิดใหม่")
    progress.refresh_from_db()
    assert progress.status == StepStatus.ACCEPTED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_make_exactly_one_decision(cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks and serialises writers")
    progress, _ = submit(cast.assessment_a, 1, cast.staff_a)
    barrier = threading.Barrier(2, timeout=10)
    outcomes: dict[str, object] = {}

    def decide(who, kind, comment):
        try:
            mine = StepProgress.objects.get(pk=progress.pk)
            assert mine.status == StepStatus.SUBMITTED  # both read "submitted" ...
            barrier.wait()  # ... before either decides
            outcomes[who] = step_review(progress=mine, user=getattr(cast, who), kind=kind, comment=comment)
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[who] = exc
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=("reviewer", "accepted", "")),
        threading.Thread(target=decide, args=("admin", "returned", "ไม่ครบ")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert Decision.objects.count() == 1
    kinds = sorted(type(o).__name__ for o in outcomes.values())
    assert kinds == ["AlreadyDecided", "Decision"], outcomes
    progress.refresh_from_db()
    assert progress.status == Decision.objects.get().kind
