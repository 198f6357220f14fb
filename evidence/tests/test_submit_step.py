import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from evidence.models import WorkItem
from evidence.selectors import can_submit, missing_for_submission
from evidence.services import step_submit
from evidence.tests.factories import fill_step, progress_of, return_step
from kpi_tracker.lib.thai import BANGKOK
from milestones.models import AuditEvent, StepStatus
from milestones.services.steps import StepRefused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_a_complete_step_is_submitted_with_a_snapshot_and_audited(cast, before_deadline, number):
    progress = progress_of(cast.assessment_a, number)
    fill_step(progress, cast.staff_a)
    submission = step_submit(progress=progress, user=cast.staff_a)
    progress.refresh_from_db()
    assert progress.status == StepStatus.SUBMITTED and progress.submitted_at and progress.changed_by == cast.staff_a
    assert submission.number == 1 and not submission.is_late
    assert submission.snapshot["form_kind"] == progress.step.form_kind
    assert set(submission.snapshot) == {"form_kind", "content", "files"}
    assert AuditEvent.objects.filter(action="step.submit", object_id=str(submission.pk)).exists()


def test_the_work_items_snapshot_has_the_agreed_fields(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 3)
    fill_step(progress, cast.staff_a)
    snapshot = step_submit(progress=progress, user=cast.staff_a).snapshot
    item = snapshot["content"]["work_items"][0]
    for key in (
        "date",
        "kind",
        "kind_label",
        "platform",
        "platform_label",
        "topic",
        "participants",
        "participant_count",
        "link",
        "file_ids",
    ):
        assert key in item
    assert item["platform_label"] == "Zoom" and item["file_ids"]
    file = snapshot["files"][0]
    for key in (
        "id",
        "original_name",
        "size",
        "content_type",
        "sha256",
        "evidence_date",
        "requirement",
        "uploaded_at",
        "uploaded_by",
    ):
        assert key in file


def test_it_lists_everything_missing_in_thai(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 1)
    with pytest.raises(StepRefused) as refused:
        step_submit(progress=progress, user=cast.staff_a)
    assert any("สรุปผลการทบทวน" in m for m in refused.value.messages)
    assert any("ไฟล์หลักฐาน" in m for m in refused.value.messages)
    progress.refresh_from_db()
    assert progress.status == StepStatus.NOT_STARTED and not progress.submissions.exists()


def test_step_3_needs_the_rubrics_two_work_items_counted_by_the_system(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 3)
    fill_step(progress, cast.staff_a)
    item = WorkItem.objects.filter(progress=progress).last()
    item.removed_at = dt.datetime(2020, 8, 1, tzinfo=BANGKOK)
    item.save()
    with pytest.raises(StepRefused) as refused:
        step_submit(progress=progress, user=cast.staff_a)
    assert any("อย่างน้อย 2 ชิ้นงาน" in m and "มี 1 ชิ้นงาน" in m for m in refused.value.messages)


def test_step_2_needs_a_process_chosen_for_digitisation(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 2)
    fill_step(progress, cast.staff_a)
    progress.processes.update(is_chosen=False)
    with pytest.raises(StepRefused, match="เลือกกระบวนการงาน"):
        step_submit(progress=progress, user=cast.staff_a)


def test_it_rejects_submission_after_deadline(cast, after_deadline):
    progress = progress_of(cast.assessment_a, 1)
    with time_machine.travel(dt.datetime(2020, 8, 1, tzinfo=BANGKOK), tick=False):
        fill_step(progress, cast.staff_a)
    with pytest.raises(StepRefused, match="พ้นกำหนด"):
        step_submit(progress=progress, user=cast.staff_a)


def test_the_last_second_of_the_deadline_day_in_bangkok_still_counts(cast):
    progress = progress_of(cast.assessment_a, 1)
    fill_step(progress, cast.staff_a)
    with time_machine.travel(dt.datetime(2020, 9, 15, 23, 59, 59, tzinfo=BANGKOK), tick=False):
        assert step_submit(progress=progress, user=cast.staff_a).is_late is False


def test_an_extension_allows_a_late_submission_marked_late(cast, after_deadline):
    cast.assessment_a.extended_deadline = dt.date(2020, 9, 30)
    cast.assessment_a.save()
    progress = progress_of(cast.assessment_a, 1)
    fill_step(progress, cast.staff_a)
    submission = step_submit(progress=progress, user=cast.staff_a)
    progress.refresh_from_db()
    assert submission.is_late and progress.is_late


@pytest.mark.parametrize("who", ["staff_b", "reviewer", "viewer", "admin"])
def test_only_the_units_staff_submit(cast, before_deadline, who):
    progress = progress_of(cast.assessment_a, 1)
    fill_step(progress, cast.staff_a)
    with pytest.raises(PermissionDenied):
        step_submit(progress=progress, user=getattr(cast, who))


def test_a_submitted_step_cannot_be_submitted_again(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 1)
    fill_step(progress, cast.staff_a)
    step_submit(progress=progress, user=cast.staff_a)
    with pytest.raises(StepRefused, match="ส่งแล้ว"):
        step_submit(progress=progress, user=cast.staff_a)


def test_a_returned_step_is_submitted_again_and_the_first_submission_stays(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 1)
    fill_step(progress, cast.staff_a)
    first = step_submit(progress=progress, user=cast.staff_a)
    return_step(progress, cast.reviewer, "แนบรายงานเพิ่ม")
    progress.summary.text = "ฉบับแก้ไข"
    progress.summary.save()
    second = step_submit(progress=progress, user=cast.staff_a)
    first.refresh_from_db()
    assert second.number == 2
    assert first.snapshot["content"]["summary"] == "ทบทวนกระบวนการงานแล้ว"
    assert second.snapshot["content"]["summary"] == "ฉบับแก้ไข"


def test_can_submit_follows_the_rules(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 4)
    assert not can_submit(progress, cast.staff_a)
    fill_step(progress, cast.staff_a)
    assert can_submit(progress, cast.staff_a) and missing_for_submission(progress) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_make_exactly_one(cast):
    import threading

    from django.db import connection, connections

    from milestones.models import StepProgress, Submission

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks and serialises writers")
    with time_machine.travel(dt.datetime(2020, 8, 1, 10, 0, tzinfo=BANGKOK), tick=False):
        progress = progress_of(cast.assessment_a, 2)
        fill_step(progress, cast.staff_a)
        barrier = threading.Barrier(2, timeout=10)
        outcomes: list[object] = []

        def submit():
            try:
                mine = StepProgress.objects.get(pk=progress.pk)
                barrier.wait()  # both hold an editable progress before either submits
                outcomes.append(step_submit(progress=mine, user=cast.staff_a))
            except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
                outcomes.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
    assert Submission.objects.filter(progress=progress).count() == 1
    assert sorted(type(o).__name__ for o in outcomes) == ["StepRefused", "Submission"], outcomes
