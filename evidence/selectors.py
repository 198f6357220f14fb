"""Reads the evidence pages share: what a step page shows.

Query cost: a fixed handful whatever the number of files (the step's files, its submissions
with their decisions, the requirements, and the kind's own rows).
"""

import datetime as dt

from django.conf import settings

from evidence.kinds import kind_of
from evidence.models import EvidenceFile
from evidence.services.submission import missing_for_submission
from milestones.models import StepProgress
from milestones.rules.access import can_change_assessment
from milestones.rules.editing import may_edit_now
from milestones.selectors.review import submissions_of


def step_page(progress: StepProgress, user, now: dt.datetime) -> dict:
    """The step page's context, except the forms: the kind, the flags, the files and the history."""
    assessment = progress.assessment
    kind = kind_of(progress.step)
    may_change = can_change_assessment(user, assessment)
    editable = may_edit_now(user, progress, now)
    files = list(
        EvidenceFile.objects.filter(progress=progress).select_related(
            "uploaded_by", "removed_by", "work_item", "requirement"
        )
    )
    return {
        "assessment": assessment,
        "progress": progress,
        "step": progress.step,
        "kind": kind,
        "may_change": may_change,
        "editable": editable,
        "past_deadline": assessment.is_past_deadline(now),
        "deadline_state": assessment.deadline_state(now),
        "current_files": [f for f in files if f.removed_at is None and f.work_item_id is None],
        "removed_files": [f for f in files if f.removed_at is not None],
        "submissions": submissions_of(progress),
        "requirements": list(progress.step.requirements.filter(is_report=False).order_by("number")),
        "missing": missing_for_submission(progress) if editable else [],
        "max_upload_mb": settings.EVIDENCE_MAX_UPLOAD_MB,
        **kind.page_context(progress, files),
    }
