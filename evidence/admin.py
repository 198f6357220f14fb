from django.contrib import admin

from evidence.models import EvidenceFile


@admin.register(EvidenceFile)
class EvidenceFileAdmin(admin.ModelAdmin):
    """Evidence is never edited or deleted by hand: files go in and out through the unit's pages."""

    list_display = ["original_name", "progress", "size", "content_type", "short_sha256", "uploaded_at", "removed_at"]
    list_filter = ["content_type", "progress__step__number"]
    search_fields = ["original_name", "sha256", "progress__assessment__unit__name"]
    readonly_fields = [f.name for f in EvidenceFile._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
