"""What every indicator kind provides.

A kind is one module under milestones/indicator_kinds/ with an IndicatorKind subclass: how its part
of a rubric file is read and loaded, how an assessment of that kind is scored from its steps, how
it is copied into the next fiscal year's round, and the templates that show its result.
"""

from decimal import Decimal


class IndicatorKind:
    name = ""
    label = ""
    # Shows an assessment's result (level or score) on the unit's pages: context `assessment`.
    result_template = ""

    def parse(self, ind: dict, path: str) -> dict:
        """Validate the kind's part of the rubric file's `indicator` mapping; returns
        {"steps": [...], "fields": {indicator field: value}, "targets": [...]}. Raises RubricError."""
        raise NotImplementedError

    def load(self, indicator, parsed: dict, upsert) -> None:
        """Write what parse() returned besides the steps (which every kind has): upsert(model, lookup,
        values, label) creates or updates one row and records it in the load's result."""

    def score(self, assessment, progresses) -> tuple[int, Decimal]:
        """(level, score) from the assessment's step progress rows (with step and measurement)."""
        raise NotImplementedError

    def copy(self, old, new) -> None:
        """Copy the kind's own rows (beyond steps, requirements and weights) into a new round's indicator."""
