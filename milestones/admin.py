"""The Django admin: the management-systems group keeps rounds, indicators,
weights, units and users up to date here. The audit log is read-only."""

import json

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import router, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from milestones import models
from milestones.forms.rounds import OpenRoundForm
from milestones.models import AuditAction
from milestones.services import assessments_ensure_open_rounds, assessments_follow_rubric, assessments_recalculate
from milestones.services.audit import audit_record
from milestones.services.rounds import RoundError, round_open


class AuditedAdminMixin:
    """Every add, change and delete made in the admin is written to the product's audit log as
    well as to Django's LogEntry, in the same transaction (the add, change, delete and password
    pages run in one; actions are made atomic below).

    Actions (the bulk delete) run in one transaction with their log entries: Django writes an
    action's LogEntry rows before it runs the action, each in its own transaction; the
    dashboard's cache is keyed on the newest LogEntry (milestones/selectors/dashboard.py) and
    needs the entry and the change it records to become visible together.
    """

    def response_action(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().response_action(request, queryset)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        _audit_admin(request, AuditAction.ADMIN_ADD, obj, message)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        _audit_admin(request, AuditAction.ADMIN_CHANGE, obj, message)
        return entry

    def log_deletions(self, request, queryset):
        objects = list(queryset)  # called before the deletion
        entries = super().log_deletions(request, objects)
        for obj in objects:
            _audit_admin(request, AuditAction.ADMIN_DELETE, obj, "")
        return entries


def _audit_admin(request, action: AuditAction, obj, message) -> None:
    from django.contrib.admin.models import LogEntry

    readable = LogEntry(
        change_message=message if isinstance(message, str) else json.dumps(message)
    ).get_change_message()
    unit = None
    if action != AuditAction.ADMIN_DELETE:  # a deleted unit cannot be referred to (the log is append-only)
        unit = obj if isinstance(obj, models.Unit) else getattr(obj, "unit", None)
        unit = unit if isinstance(unit, models.Unit) else None
    audit_record(
        action=action,
        request=request,
        unit=unit,
        obj=obj,
        message=f"{obj._meta.verbose_name}: {obj}" + (f" ({readable})" if readable else ""),
        data={"model": obj._meta.label_lower, "change": message if isinstance(message, list) else readable},
    )


class AtomicActionsAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The base of every ModelAdmin here: audited, actions atomic (AuditedAdminMixin)."""


class StepInline(admin.TabularInline):
    model = models.Step
    extra = 0


class WeightInline(admin.TabularInline):
    model = models.Weight
    extra = 0


class TargetInline(admin.TabularInline):
    model = models.Target
    extra = 0


class RequirementInline(admin.StackedInline):
    model = models.EvidenceRequirement
    extra = 0
    filter_horizontal = ["steps"]


@admin.register(models.Round)
class RoundAdmin(AtomicActionsAdmin):
    list_display = ["fiscal_year", "title", "deadline", "is_open"]
    list_filter = ["is_open"]
    search_fields = ["title", "fiscal_year"]
    actions = ["open_next_round", "backup_round"]

    @admin.action(description="สำรองข้อมูลรอบที่เลือก (จัดทำเบื้องหลัง)")
    def backup_round(self, request, queryset):
        """The round's backup archive, built by the background worker (reporting.documents)."""
        from milestones.ops.backup import BackupError, signing_key
        from milestones.reporting.documents import request_document

        if queryset.count() != 1:
            self.message_user(request, "กรุณาเลือกรอบที่จะสำรองเพียง 1 รอบ", messages.ERROR)
            return None
        try:
            signing_key()
        except BackupError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        job = request_document(kind="round-backup", params={"round": queryset.get().fiscal_year}, user=request.user)
        return redirect("document", job.pk)

    @admin.action(description="เปิดรอบปีงบประมาณถัดไปจากรอบที่เลือก")
    def open_next_round(self, request, queryset):
        """Asks for the new year and deadline, then copies the chosen round (services.rounds.round_open)."""
        if queryset.count() != 1:
            self.message_user(request, "กรุณาเลือกรอบต้นแบบเพียง 1 รอบ", messages.ERROR)
            return None
        source = queryset.get()
        form = OpenRoundForm(
            request.POST if "apply" in request.POST else None, initial={"fiscal_year": source.fiscal_year + 1}
        )
        if form.is_valid():
            try:
                new_round = round_open(source=source, user=request.user, request=request, **form.cleaned_data)
            except RoundError as error:
                form.add_error(error.field, str(error))
            else:
                self.message_user(request, f"เปิดรอบปีงบประมาณ {new_round.fiscal_year} แล้ว", messages.SUCCESS)
                return None
        context = {**self.admin_site.each_context(request), "form": form, "source": source, "opts": self.model._meta}
        return TemplateResponse(request, "admin/milestones/round/open_round.html", context)


@admin.register(models.Target)
class TargetAdmin(AtomicActionsAdmin):
    list_display = ["indicator", "level", "value"]
    list_filter = ["indicator__round"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        assessments_recalculate(indicator=obj.indicator)  # a moved target moves every unit's score


@admin.register(models.SupervisingGroup)
class SupervisingGroupAdmin(AtomicActionsAdmin):
    list_display = ["code", "name", "phone", "is_sample"]
    list_filter = ["is_sample"]
    search_fields = ["code", "name"]


@admin.register(models.Indicator)
class IndicatorAdmin(AtomicActionsAdmin):
    list_display = ["number", "title", "round", "kind", "group", "unit_of_measure", "is_sample"]
    list_filter = ["round", "kind", "group", "is_sample"]
    search_fields = ["title", "description"]
    inlines = [WeightInline, TargetInline, StepInline, RequirementInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # A changed weight or step score shows in every unit's scores at once; a step added
        # inline gets its progress rows.
        assessments_follow_rubric(indicator=form.instance)


@admin.register(models.Step)
class StepAdmin(AtomicActionsAdmin):
    list_display = ["indicator", "number", "score", "form_kind"]
    list_filter = ["indicator__round", "form_kind"]
    search_fields = ["description"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new step needs a progress row in every assessment; a changed score changes scores.
        assessments_follow_rubric(indicator=obj.indicator)

    def get_readonly_fields(self, request, obj=None):
        # Units' progress rows point at the step: it cannot move to another indicator.
        return ["indicator"] if obj is not None else []


@admin.register(models.EvidenceRequirement)
class EvidenceRequirementAdmin(AtomicActionsAdmin):
    list_display = ["indicator", "number", "description", "min_count", "is_report"]
    list_filter = ["indicator__round", "is_report"]
    search_fields = ["description"]
    filter_horizontal = ["steps"]


@admin.register(models.Weight)
class WeightAdmin(AtomicActionsAdmin):
    list_display = ["indicator", "unit_kind", "percent"]
    list_filter = ["unit_kind", "indicator__round"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        assessments_recalculate(indicator=obj.indicator)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        # Without its weight a kind of unit weighs 0: the weighted scores must say so at once.
        assessments_recalculate(indicator=obj.indicator)

    def delete_queryset(self, request, queryset):
        indicators = list(models.Indicator.objects.filter(weights__in=queryset).distinct())
        super().delete_queryset(request, queryset)
        for indicator in indicators:
            assessments_recalculate(indicator=indicator)


@admin.register(models.Unit)
class UnitAdmin(AtomicActionsAdmin):
    list_display = ["code", "name", "kind", "parent", "phone", "is_active", "is_sample"]
    list_filter = ["kind", "is_active", "is_sample"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"kind", "is_active"} & set(form.changed_data):
            # The kind sets the weight; a new or re-activated unit needs its assessment in the
            # open rounds, as load_units gives it.
            assessments_ensure_open_rounds(units=[obj])


class StepProgressInline(admin.TabularInline):
    model = models.StepProgress
    extra = 0
    can_delete = False
    fields = ["step", "status", "changed_at", "changed_by", "submitted_at", "accepted_at", "is_late"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Assessment)
class AssessmentAdmin(AtomicActionsAdmin):
    """Read-mostly: levels and scores change only through reviews, never by hand."""

    list_display = ["unit", "indicator", "level", "score", "weight", "weighted_score", "extended_deadline"]
    list_filter = ["indicator__round", "unit__kind", "level"]
    search_fields = ["unit__name", "unit__code"]
    readonly_fields = ["unit", "indicator", "level", "score", "weight", "weighted_score", "extended_deadline"]
    inlines = [StepProgressInline]

    def has_add_permission(self, request):
        return False


@admin.register(models.Extension)
class ExtensionAdmin(AtomicActionsAdmin):
    list_display = ["assessment", "status", "requested_at", "new_deadline", "decided_by"]
    list_filter = ["status"]
    search_fields = ["assessment__unit__name", "assessment__unit__code", "reason"]
    readonly_fields = [f.name for f in models.Extension._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(models.Filing)
class FilingAdmin(AtomicActionsAdmin):
    list_display = ["assessment", "memo_number", "memo_date", "esaraban_number", "esaraban_date"]
    search_fields = ["assessment__unit__name", "memo_number", "esaraban_number"]
    readonly_fields = [f.name for f in models.Filing._meta.fields]

    def has_add_permission(self, request):
        return False


class ActionFilter(admin.SimpleListFilter):
    title = "การกระทำ"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return sorted((a.value, a.label) for a in AuditAction)

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(models.AuditEvent)
class AuditEventAdmin(AtomicActionsAdmin):
    list_display = ["at", "username", "action_label", "unit", "ip_address", "message"]
    list_filter = [ActionFilter, "at"]
    search_fields = ["username", "message", "unit__name", "unit__code"]
    date_hierarchy = "at"

    @admin.display(description="การกระทำ")
    def action_label(self, obj):
        return AuditAction.label_of(obj.action)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProfileInline(admin.StackedInline):
    model = models.Profile
    can_delete = False
    autocomplete_fields = ["unit"]
    filter_horizontal = ["supervising_groups"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class KpiUserAdmin(AuditedAdminMixin, UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "email", "role", "unit", "is_active"]
    list_filter = ["profile__role", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "profile__unit__name"]

    def user_change_password(self, request, id, form_url=""):
        # Django's password page is not atomic: the new hash and its audit events commit together.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().user_change_password(request, id, form_url)

    @admin.display(description="บทบาท")
    def role(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.get_role_display() if profile else "-"

    @admin.display(description="หน่วยงาน")
    def unit(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.unit if profile and profile.unit else "-"


class ReadOnlyAdmin(AtomicActionsAdmin):
    """History that changes only through the product's own pages."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.StepProgress)
class StepProgressAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "step", "status", "changed_at", "is_late"]
    list_filter = ["status", "step__number", "assessment__unit__kind", "is_late"]
    search_fields = ["assessment__unit__name", "assessment__unit__code"]


@admin.register(models.Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["progress", "number", "submitted_at", "submitted_by", "is_late"]
    list_filter = ["is_late", "progress__step__number"]
    search_fields = ["progress__assessment__unit__name", "progress__assessment__unit__code"]


@admin.register(models.Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["submission", "kind", "decided_by", "decided_at"]
    list_filter = ["kind"]
    search_fields = ["progress__assessment__unit__name", "comment"]


@admin.register(models.DocumentJob)
class DocumentJobAdmin(ReadOnlyAdmin):
    list_display = ["kind", "status", "progress", "attempts", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]


@admin.register(models.Measurement)
class MeasurementAdmin(ReadOnlyAdmin):
    list_display = ["progress", "value", "measured_on", "updated_at"]
    search_fields = ["progress__assessment__unit__name", "progress__assessment__unit__code"]


@admin.register(models.Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "kind", "sent_on", "sent_at"]
    list_filter = ["kind", "sent_on"]
    search_fields = ["assessment__unit__name"]
