from django.contrib import admin

from evidence.models import EvidenceFile, Feedback, PlanRow, StepSummary, WorkItem, WorkProcess
from milestones.admin import AtomicActionsAdmin, ReadOnlyAdmin


@admin.register(EvidenceFile)
class EvidenceFileAdmin(AtomicActionsAdmin):
    """Evidence is never edited or deleted by hand: files go in and out through the unit's pages."""

    list_display = ["original_name", "progress", "size", "content_type", "short_sha256", "uploaded_at", "removed_at"]
    list_filter = ["content_type", "progress__step__number"]
    search_fields = ["original_name", "sha256", "progress__assessment__unit__name"]
    readonly_fields = [f.name for f in EvidenceFile._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContentAdmin(ReadOnlyAdmin):
    """Step content is the unit's own work: the admin shows it, the unit's pages change it."""

    list_select_related = ["progress__assessment__unit", "progress__step"]
    search_fields = ["progress__assessment__unit__name"]


@admin.register(StepSummary)
class StepSummaryAdmin(ContentAdmin):
    list_display = ["progress", "updated_at"]


@admin.register(WorkProcess)
class WorkProcessAdmin(ContentAdmin):
    list_display = ["name", "progress", "is_chosen"]
    search_fields = ["name", "progress__assessment__unit__name"]


@admin.register(WorkItem)
class WorkItemAdmin(ContentAdmin):
    list_display = ["topic", "progress", "date", "kind", "platform", "removed_at"]
    list_filter = ["kind", "platform"]
    search_fields = ["topic", "progress__assessment__unit__name"]


@admin.register(PlanRow)
class PlanRowAdmin(ContentAdmin):
    list_display = ["process", "progress", "digital_system", "responsible"]
    search_fields = ["process", "progress__assessment__unit__name"]


@admin.register(Feedback)
class FeedbackAdmin(ContentAdmin):
    list_display = ["progress", "topic"]
