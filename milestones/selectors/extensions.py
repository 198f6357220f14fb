"""Reads of extension requests: a unit's history (the unit page's panel) and the group's list."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from milestones.models import Assessment, Extension, ExtensionStatus

PAGE_SIZE = 50


@dataclass
class UnitExtensions:
    extensions: list[Extension]  # newest first
    pending: Extension | None


def unit_extensions(assessment: Assessment) -> UnitExtensions:
    """The assessment's requests with who asked and who decided (one query)."""
    extensions = list(assessment.extensions.select_related("requested_by", "decided_by").order_by("-requested_at"))
    return UnitExtensions(extensions, next((e for e in extensions if e.status == ExtensionStatus.PENDING), None))


def extension_requests(status: str, visible: QuerySet[Assessment]) -> QuerySet[Extension]:
    """Requests on the assessments the user may see, in `status` (every request for a status that is
    not one), oldest first."""
    extensions = (
        Extension.objects.filter(assessment__in=visible)
        .select_related("assessment__unit", "assessment__indicator__round", "requested_by", "decided_by")
        .order_by("requested_at")
    )
    return extensions.filter(status=status) if status in ExtensionStatus.values else extensions


def status_counts(visible: QuerySet[Assessment]) -> list[tuple[str, str, int]]:
    counts = dict(
        Extension.objects.filter(assessment__in=visible).values_list("status").annotate(n=Count("id")).order_by()
    )
    return [(value, label, counts.get(value, 0)) for value, label in ExtensionStatus.choices]
