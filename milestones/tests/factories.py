"""Test data for the milestones app: steps in a given state, decisions, a filing.

Submissions are written directly (evidence.services.step_submit, with every requirement of the
step's form, is tested on its own); decisions and filings always go through the real services.
"""

import datetime as dt

from django.utils import timezone

from kpi_tracker.lib.thai import BANGKOK
from milestones.models import Assessment, StepProgress, StepStatus, Submission
from milestones.services.filings import filing_create
from milestones.services.review import step_review

# A moment inside round 2563 at which the report tests accept their steps.
ACCEPTED_AT = dt.datetime(2020, 8, 3, 9, 30, tzinfo=BANGKOK)


def progress_of(assessment: Assessment, number: int) -> StepProgress:
    return assessment.steps.select_related("step", "assessment__unit").get(step__number=number)


def submit(assessment: Assessment, number: int, user, *, at: dt.datetime | None = None, late: bool = False):
    """Put step `number` in 'submitted' with a new Submission, as step_submit would; (progress, submission)."""
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


def decide(assessment: Assessment, number: int, reviewer, kind: str, comment: str = "", *, at=None):
    """Decide the step's latest submission through the review service (it recalculates the level)."""
    decision = step_review(progress=progress_of(assessment, number), user=reviewer, kind=kind, comment=comment, now=at)
    assessment.refresh_from_db()
    return decision


def accept_steps(assessment: Assessment, upto: int, staff, reviewer, *, comment: str = "", at=None) -> None:
    """Submit and accept steps 1..upto through the review service."""
    for number in range(1, upto + 1):
        submit(assessment, number, staff, at=at)
        decide(assessment, number, reviewer, "accepted", comment, at=at)


def return_step(progress: StepProgress, reviewer, comment: str):
    """A reviewer sends the submitted step back, through the real review service."""
    decision = step_review(progress=progress, user=reviewer, kind="returned", comment=comment)
    progress.refresh_from_db()
    return decision


def sample_filing(assessment: Assessment, staff, *, signer_position: str = "ผู้อำนวยการกองทดสอบ ก"):
    """The cover memo the report tests file: memo กษ 0509/123 of 1 September 2563, through the real service."""
    return filing_create(
        assessment=assessment,
        user=staff,
        memo_number="กษ 0509/123",
        memo_date=dt.date(2020, 9, 1),
        recipient="ผู้อำนวยการกลุ่มพัฒนาระบบบริหาร",
        signer_name="นายสมชาย ใจดี",
        signer_position=signer_position,
    )
