"""The names of the step kinds, as the rubric file and Step.form_kind spell them.

A step's kind says which web form the unit fills in for it (plain files, the process review,
the list of processes, the work items, the plan, the feedback). What a kind means — its forms,
how its content is saved, what it still lacks, its snapshot, its templates — lives in one module
per kind under evidence/kinds/, which registers the kind's name and label here when the evidence
app is ready. milestones only ever needs the names (to validate a rubric file and to offer the
choices in the admin), so it never imports evidence.
"""

from collections.abc import Iterator

from django.utils.choices import BaseChoiceIterator

# The kind a step has when the rubric file names none.
DEFAULT = "files"

_labels: dict[str, object] = {}


def register(name: str, label) -> None:
    _labels[name] = label


def unregister(name: str) -> None:
    """For tests that register a throw-away kind."""
    _labels.pop(name, None)


def names() -> list[str]:
    return list(_labels)


def is_known(name: str) -> bool:
    return name in _labels


def label(name: str) -> str:
    return str(_labels.get(name, name))


class Choices(BaseChoiceIterator):
    """Step.form_kind's choices, read from the registry when they are used (the evidence app
    registers its kinds after the models are defined); migrations do not record them
    (models.fields.RegistryChoiceField), so registering a kind needs no migration."""

    def __iter__(self) -> Iterator[tuple[str, object]]:
        yield from _labels.items()
