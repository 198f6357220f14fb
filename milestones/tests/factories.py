"""Test data for the review features: steps in a given state without going through the UI.

Submissions are created directly (the staff engineer's step_submit is tested on its own);
decisions always go through the real review service.
"""

import datetime as dt

from django.utils import timezone

from milestones.models import Assessment, StepProgress, StepStatus, Submission


def progress_of(assessment: Assessment, number: int) -> StepProgress:
    return assessment.steps.select_related("step", "assessment__unit").get(step__number=number)


def submit(assessment: Assessment, number: int, user, *, at: dt.datetime | None = None, late: bool = False):
    """Put step `number` in 'submitted' with a new Submission, as step_submit would."""
    at = at or timezone.now()
    progress = progress_of(assessment, number)
    count = progress.submissions.count()
    submission = Submission.objects.create(
        progress=progress,
        number=count + 1,
        submitted_at=at,
        submitted_by=user,
        is_late=late,
        snapshot={"form_kind": progress.step.form_kind, "content": {"summary": f"สรุปขั้นตอนที่ {number}"}, "files": []},
    )
    progress.status = StepStatus.SUBMITTED
    progress.submitted_at = at
    progress.changed_at = at
    progress.changed_by = user
    progress.is_late = late
    progress.save()
    return progress, submission


def accept_steps(assessment: Assessment, upto: int, staff, reviewer) -> None:
    """Submit and accept steps 1..upto through the review service."""
    from milestones.services import step_review

    for number in range(1, upto + 1):
        progress, _ = submit(assessment, number, staff)
        step_review(progress=progress, user=reviewer, kind="accepted")
