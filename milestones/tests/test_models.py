import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from milestones.models import (
    Assessment,
    AuditEvent,
    Decision,
    Profile,
    Role,
    Step,
    StepProgress,
    StepStatus,
    Submission,
    Unit,
    UnitKind,
    Weight,
)


def _violates(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_database_constraints_hold(cast):
    indicator = cast.indicator
    _violates(lambda: Step.objects.create(indicator=indicator, number=1, description="ซ้ำ", score=1))
    _violates(lambda: Step.objects.create(indicator=indicator, number=11, description="เกิน", score=1))
    _violates(lambda: Weight.objects.filter(indicator=indicator, unit_kind="central").update(percent=Decimal("101")))
    _violates(lambda: Weight.objects.create(indicator=indicator, unit_kind="central", percent=5))
    _violates(lambda: Assessment.objects.create(unit=cast.unit_a, indicator=indicator))
    _violates(lambda: Unit.objects.create(code="X", name="x", kind="provincial"))
    _violates(lambda: Profile.objects.create(user=cast.viewer, role=Role.STAFF))
    progress = cast.assessment_a.steps.first()
    _violates(lambda: StepProgress.objects.filter(pk=progress.pk).update(status=StepStatus.ACCEPTED))


def test_one_accept_or_return_per_submission(cast):
    progress = cast.assessment_a.steps.get(step__number=1)
    submission = Submission.objects.create(progress=progress, number=1, submitted_by=cast.staff_a)
    Decision.objects.create(progress=progress, submission=submission, kind="accepted", decided_by=cast.reviewer)
    _violates(
        lambda: Decision.objects.create(
            progress=progress, submission=submission, kind="returned", comment="แก้", decided_by=cast.reviewer
        )
    )
    _violates(
        lambda: Decision.objects.create(
            progress=progress, submission=submission, kind="returned", decided_by=cast.admin
        )
    )


def test_level_follows_accepted_steps_and_weight_follows_unit_kind(cast):
    assessment = cast.assessment_b
    now = dt.datetime(2020, 8, 1, tzinfo=dt.UTC)
    assessment.steps.filter(step__number__in=[1, 2, 4]).update(status=StepStatus.ACCEPTED, accepted_at=now)
    assessment.recalculate()
    assert (assessment.level, assessment.score, assessment.weighted_score) == (2, Decimal("2"), Decimal("0.2000"))
    cast.assessment_a.steps.filter(step__number__lte=3).update(status=StepStatus.ACCEPTED, accepted_at=now)
    cast.assessment_a.recalculate()
    assert cast.assessment_a.weighted_score == Decimal("0.1500")


def test_the_effective_deadline_is_the_later_of_round_and_extension(cast):
    assessment = cast.assessment_a
    assert assessment.deadline == dt.date(2020, 9, 15)
    assessment.extended_deadline = dt.date(2020, 9, 25)
    assert assessment.deadline == dt.date(2020, 9, 25)
    assert not assessment.is_past_deadline(dt.datetime(2020, 9, 25, 16, 59, 59, tzinfo=dt.UTC))
    assert assessment.is_past_deadline(dt.datetime(2020, 9, 25, 17, 0, 0, tzinfo=dt.UTC))


def test_the_audit_log_is_append_only(cast):
    event = AuditEvent.objects.create(action="login", username="x")
    event.message = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().update(message="rewritten")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db
def test_the_database_refuses_to_rewrite_the_audit_log_on_postgresql(cast):
    from django.db import DatabaseError, connection

    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    event = AuditEvent.objects.create(action="login", username="x")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE milestones_auditevent SET message = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM milestones_auditevent WHERE id = %s", [event.pk])


def test_unit_kind_labels_are_thai():
    assert UnitKind.CENTRAL.label == "ส่วนกลาง"
    assert UnitKind.REGIONAL.label == "ส่วนภูมิภาค"


def test_the_current_round_is_the_latest_open_round_else_the_latest(cast):
    from milestones.models import Round

    assert Round.objects.current() == cast.indicator.round
    later = Round.objects.create(fiscal_year=2564, deadline="2021-09-15", is_open=False)
    assert Round.objects.current() == cast.indicator.round  # a closed later round does not win over an open one
    Round.objects.filter(pk=cast.indicator.round_id).update(is_open=False)
    assert Round.objects.current() == later
