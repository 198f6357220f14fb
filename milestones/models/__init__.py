"""The milestones app's models, one module per area, all importable from here:

- units: UnitKind, Role, SupervisingGroup, Unit, Profile
- rubric: Round, Indicator, Step, EvidenceRequirement, Weight, Target
- workflow: StepStatus, Assessment, StepProgress, Measurement, Submission, Decision, Extension, Reminder
- filing: Filing
- documents: DocumentJob (documents built by the background worker)
- audit: AuditEvent (append-only)

Invariants live in database constraints as well as in clean().
"""

from milestones.models.audit import READ_ONLY_ACTIONS, AuditAction, AuditEvent, AuditQuerySet
from milestones.models.documents import DocumentJob, DocumentStatus
from milestones.models.filing import Filing
from milestones.models.rubric import (
    Direction,
    EvidenceRequirement,
    Indicator,
    Round,
    RoundQuerySet,
    Step,
    Target,
    Weight,
)
from milestones.models.units import Profile, Role, SupervisingGroup, Unit, UnitKind, UnitQuerySet
from milestones.models.workflow import (
    Assessment,
    AssessmentQuerySet,
    Decision,
    DecisionKind,
    Extension,
    ExtensionStatus,
    Measurement,
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
    "Direction",
    "DocumentJob",
    "DocumentStatus",
    "DecisionKind",
    "EvidenceRequirement",
    "Extension",
    "ExtensionStatus",
    "Filing",
    "Indicator",
    "Measurement",
    "Profile",
    "Reminder",
    "Role",
    "Round",
    "RoundQuerySet",
    "Step",
    "StepProgress",
    "StepStatus",
    "Submission",
    "SupervisingGroup",
    "Target",
    "Unit",
    "UnitKind",
    "UnitQuerySet",
    "Weight",
]
