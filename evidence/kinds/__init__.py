"""The step kinds: one module per kind, everything about that kind inside it (see base.StepKind).

Adding a kind is one module and one entry in KINDS below: the module's StepKind subclass says
what its form holds, how it is saved, what it still lacks, what its snapshot keeps and which
templates show it; registering it makes its name valid in rubric files and in the admin
(milestones.step_kinds). Nothing outside this package branches on a step's kind.
"""

from evidence.kinds import feedback, files, measurement, plan, processes, review, work_items
from evidence.kinds.base import StepKind
from milestones import step_kinds

# In the order the admin lists them.
KINDS: dict[str, StepKind] = {
    kind.name: kind
    for kind in (
        files.KIND,
        review.KIND,
        processes.KIND,
        work_items.KIND,
        plan.KIND,
        feedback.KIND,
        measurement.KIND,
    )
}


def register(kind: StepKind) -> None:
    KINDS[kind.name] = kind
    step_kinds.register(kind.name, kind.label)


def unregister(name: str) -> None:
    """For tests that register a throw-away kind."""
    KINDS.pop(name, None)
    step_kinds.unregister(name)


def kind_of(step) -> StepKind:
    """The kind of a Step (or of a StepProgress's step)."""
    step = getattr(step, "step", step)
    return KINDS[step.form_kind]


def snapshot_template(name: str) -> str | None:
    """The template of a stored snapshot's kind part (None for a kind that no longer exists)."""
    kind = KINDS.get(name)
    return kind.snapshot_template if kind else None


for _kind in KINDS.values():
    step_kinds.register(_kind.name, _kind.label)

__all__ = ["KINDS", "StepKind", "kind_of", "register", "snapshot_template", "unregister"]
