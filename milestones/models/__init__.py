"""The milestones app's models, one module per area, all importable from here:

- units: UnitKind, Role, Unit, Profile
- rubric: Round, Indicator, Step, EvidenceRequirement, Weight
- workflow: StepStatus, Assessment, StepProgress, Submission, Decision, Extension, Reminder
- filing: Filing
- audit: AuditEvent (append-only)

Invariants live in database constraints as well as in clean().
"""

from milestones.models.audit import READ_ONLY_ACTIONS, AuditAction, AuditEvent, AuditQuerySet
from milestones.models.filing import Filing
from milestones.models.rubric import (
    EvidenceRequirement,
    Indicator,
    IndicatorQuerySet,
    Round,
    RoundQuerySet,
    Step,
    Weight,
)
from milestones.models.units import Profile, Role, Unit, UnitKind, UnitQuerySet
from milestones.models.workflow import (
    Assessment,
    AssessmentQuerySet,
    Decision,
    DecisionKind,
    Extension,
    ExtensionStatus,
    Reminder,
    StepProgress,
    StepStatus,
    Submission,
)

__all__ = [
    "READ_ONLY_ACTIONS",
    "AuditAction",
    "Assessment",
    "AssessmentQuerySet",
    "AuditEvent",
    "AuditQuerySet",
    "Decision",
    "DecisionKind",
    "EvidenceRequirement",
    "Extension",
    "ExtensionStatus",
    "Filing",
    "Indicator",
    "IndicatorQuerySet",
    "Profile",
    "Reminder",
    "Role",
    "Round",
    "RoundQuerySet",
    "Step",
    "StepProgress",
    "StepStatus",
    "Submission",
    "Unit",
    "UnitKind",
    "UnitQuerySet",
    "Weight",
]
