"""Writes that touch several models, one module per area, each function @transaction.atomic.

- assessments: giving units their assessments, recalculating scores
- steps: the lock-and-check every change of a step's content goes through (unit staff)
- review: accepting, returning, reopening; extensions (management-systems group)
"""

from milestones.services.assessments import (
    assessments_ensure,
    assessments_ensure_open_rounds,
    assessments_follow_rubric,
    assessments_recalculate,
)
from milestones.services.review import extension_decide, extension_request, step_reopen, step_review
from milestones.services.steps import StepRefused, step_lock_for_change, step_mark_draft

__all__ = [
    "assessments_ensure",
    "assessments_ensure_open_rounds",
    "assessments_follow_rubric",
    "assessments_recalculate",
    "extension_decide",
    "extension_request",
    "step_reopen",
    "step_review",
    "StepRefused",
    "step_lock_for_change",
    "step_mark_draft",
]
