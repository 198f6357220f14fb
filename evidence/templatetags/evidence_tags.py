"""Filters for showing evidence and submission snapshots (presentation only)."""

import datetime as dt

from django import template
from django.template.defaultfilters import filesizeformat

from evidence.validation import PREVIEWABLE_CONTENT_TYPES

register = template.Library()


@register.filter
def fromiso(value):
    """An ISO date or datetime string from a snapshot, as a date/datetime for the thai filters."""
    if not value:
        return None
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value)
        return dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None


@register.filter
def previewable(content_type: str) -> bool:
    return content_type in PREVIEWABLE_CONTENT_TYPES


@register.filter
def filesize(value) -> str:
    return filesizeformat(value)


@register.filter
def snapshot_template(form_kind: str) -> str | None:
    """The template of a snapshot's kind part (the registry knows; None for an unknown kind)."""
    from evidence.kinds import snapshot_template as template_of

    return template_of(form_kind)
