"""The indicator kinds: one module per kind, everything about that kind inside it (see base.IndicatorKind).

- milestone: cumulative steps; reaching step n scores n (indicator 2 is one);
- quantitative: the unit reports a measured value, scored against five targets by interpolation.

The rubric file names the kind (`indicator.kind`). Adding a kind is one module and one entry in
`_modules()` below. Nothing outside this package branches on an indicator's kind: callers ask
kind_of(indicator) and call its methods.
"""

from collections.abc import Iterator

from django.utils.choices import BaseChoiceIterator

# The kind an indicator has when its rubric file names none.
DEFAULT = "milestone"

_KINDS: dict | None = None


def _modules():
    # Imported on first use: the kinds read the models, which read this package for their choices.
    from milestones.indicator_kinds import milestone, quantitative

    return (milestone.KIND, quantitative.KIND)


def kinds() -> dict:
    global _KINDS
    if _KINDS is None:
        _KINDS = {kind.name: kind for kind in _modules()}
    return _KINDS


def kind_of(indicator):
    """The kind of an Indicator."""
    return kinds()[indicator.kind]


def names() -> list[str]:
    return list(kinds())


class Choices(BaseChoiceIterator):
    """Indicator.kind's choices, read from the registry when they are used."""

    def __iter__(self) -> Iterator[tuple[str, object]]:
        for kind in kinds().values():
            yield kind.name, kind.label
