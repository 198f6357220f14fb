"""Each unit's progress through the steps: assessments, step progress, submissions, decisions,
extensions and reminders."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from milestones import indicator_kinds
from milestones.models.rubric import Indicator, Step
from milestones.models.units import Unit
from milestones.rules import deadlines, scoring


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("ยังไม่เริ่ม")
    DRAFT = "draft", _("กำลังจัดทำ")
    SUBMITTED = "submitted", _("ส่งแล้ว รอตรวจ")
    RETURNED = "returned", _("ส่งกลับให้แก้ไข")
    ACCEPTED = "accepted", _("ผ่าน")


class AssessmentQuerySet(models.QuerySet):
    def for_dashboard(self, indicator: Indicator):
        """Every active unit's assessment with its steps: 3 queries whatever the unit count."""
        return (
            self.filter(indicator=indicator, unit__is_active=True)
            .select_related("unit", "indicator__round")
            .prefetch_related(
                models.Prefetch(
                    "steps",
                    queryset=StepProgress.objects.select_related("step").order_by("step__number"),
                )
            )
            .order_by("unit__kind", "unit__code")
        )


class Assessment(models.Model):
    """A unit's assessment on one indicator. Level and scores follow accepted steps."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="assessments", verbose_name=_("หน่วยงาน"))
    indicator = models.ForeignKey(Indicator, models.PROTECT, related_name="assessments", verbose_name=_("ตัวชี้วัด"))
    level = models.PositiveSmallIntegerField(_("ระดับ"), default=0)
    score = models.DecimalField(_("คะแนน"), max_digits=6, decimal_places=4, default=Decimal("0"))
    weight = models.DecimalField(_("น้ำหนัก (ร้อยละ)"), max_digits=5, decimal_places=2, default=Decimal("0"))
    weighted_score = models.DecimalField(_("คะแนนถ่วงน้ำหนัก"), max_digits=7, decimal_places=4, default=Decimal("0"))
    extended_deadline = models.DateField(_("กำหนดส่งที่ขยายแล้ว"), null=True, blank=True)
    updated_at = models.DateTimeField(_("ปรับปรุงล่าสุด"), auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("ผลการประเมินของหน่วยงาน")
        verbose_name_plural = _("ผลการประเมินของหน่วยงาน")
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator"], name="one_assessment_per_unit_indicator"),
            models.CheckConstraint(condition=Q(level__lte=10), name="assessment_level_range"),
            models.CheckConstraint(condition=Q(weight__gte=0, weight__lte=100), name="assessment_weight_range"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} – ตัวชี้วัดที่ {self.indicator.number}"

    @property
    def deadline(self) -> dt.date:
        """The unit's effective deadline (rules.deadlines.effective_deadline)."""
        return deadlines.effective_deadline(self.indicator.round.deadline, self.extended_deadline)

    def is_past_deadline(self, now: dt.datetime | None = None) -> bool:
        return deadlines.is_past(self.deadline, now or timezone.now())

    def days_left(self, now: dt.datetime | None = None) -> int:
        return deadlines.days_left(self.deadline, now or timezone.now())

    def deadline_state(self, now: dt.datetime | None = None) -> str:
        """ "past", "today", "near" or "open" (rules.deadlines.state)."""
        return deadlines.state(self.deadline, now or timezone.now())

    def recalculate(self, progresses=None) -> None:
        """Set level, score, weight and weighted score from the accepted steps, as the indicator's
        kind scores them (milestones.indicator_kinds); does not save."""
        if progresses is None:
            progresses = self.steps.select_related("step", "measurement")
        self.level, self.score = indicator_kinds.kind_of(self.indicator).score(self, list(progresses))
        self.weight = self.indicator.weight_for(self.unit.kind)
        self.weighted_score = scoring.weighted_score(self.score, self.weight)


# The statuses in which the unit holds a step and may change its content.
EDITABLE_STATUSES = (StepStatus.NOT_STARTED, StepStatus.DRAFT, StepStatus.RETURNED)


class StepProgressQuerySet(models.QuerySet):
    def editable(self):
        """StepProgress.is_editable as a filter."""
        return self.filter(status__in=EDITABLE_STATUSES)


class StepProgress(models.Model):
    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="steps", verbose_name=_("ผลการประเมิน"))
    step = models.ForeignKey(Step, models.PROTECT, related_name="progresses", verbose_name=_("ขั้นตอน"))
    status = models.CharField(_("สถานะ"), max_length=12, choices=StepStatus.choices, default=StepStatus.NOT_STARTED)
    changed_at = models.DateTimeField(_("เปลี่ยนสถานะเมื่อ"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("โดย")
    )
    submitted_at = models.DateTimeField(_("ส่งล่าสุดเมื่อ"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("ผ่านเมื่อ"), null=True, blank=True)
    is_late = models.BooleanField(_("ส่งหลังกำหนด"), default=False)

    objects = StepProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("ความก้าวหน้าของขั้นตอน")
        verbose_name_plural = _("ความก้าวหน้าของขั้นตอน")
        ordering = ["assessment", "step__number"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "step"], name="one_progress_per_assessment_step"),
            models.CheckConstraint(condition=Q(status__in=StepStatus.values), name="progress_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_at__isnull=False), name="accepted_step_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} – {self.step}"

    @property
    def is_editable(self) -> bool:
        """Content may change only while the unit holds the step (not sent, not accepted); the SQL
        form is StepProgressQuerySet.editable(). Who may edit, and until when: rules.editing."""
        return self.status in EDITABLE_STATUSES


class Measurement(models.Model):
    """The value a unit reports on a quantitative indicator's step, and the date it was measured.

    While the step is accepted it cannot change (the step is not editable), so the score computed
    from it stays what the supervising group accepted."""

    progress = models.OneToOneField(StepProgress, models.CASCADE, related_name="measurement")
    value = models.DecimalField(_("ค่าที่วัดได้"), max_digits=14, decimal_places=4)
    measured_on = models.DateField(_("วันที่วัด"))
    updated_at = models.DateTimeField(_("บันทึกเมื่อ"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("ผลการวัด")
        verbose_name_plural = _("ผลการวัด")

    def __str__(self) -> str:
        return f"{self.value.normalize():f} ({self.measured_on})"


class Submission(models.Model):
    """One sending of a step for review, with a snapshot of what was sent."""

    progress = models.ForeignKey(StepProgress, models.CASCADE, related_name="submissions")
    number = models.PositiveSmallIntegerField(_("ครั้งที่"))
    submitted_at = models.DateTimeField(_("ส่งเมื่อ"), default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("ผู้ส่ง"))
    is_late = models.BooleanField(_("ส่งหลังกำหนด"), default=False)
    snapshot = models.JSONField(_("สิ่งที่ส่ง"), default=dict, blank=True)
    reviewers_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("การส่งขั้นตอน")
        verbose_name_plural = _("การส่งขั้นตอน")
        ordering = ["progress", "number"]
        constraints = [
            models.UniqueConstraint(fields=["progress", "number"], name="submission_number_unique_per_progress"),
        ]

    def __str__(self) -> str:
        return f"{self.progress} ครั้งที่ {self.number}"


class DecisionKind(models.TextChoices):
    ACCEPTED = "accepted", _("ผ่าน")
    RETURNED = "returned", _("ส่งกลับให้แก้ไข")
    REOPENED = "reopened", _("เปิดให้แก้ไขใหม่ (ผู้ดูแลระบบ)")


class Decision(models.Model):
    """A reviewer's decision on one submission, or an admin's reopening of an accepted step."""

    progress = models.ForeignKey(StepProgress, models.CASCADE, related_name="decisions")
    submission = models.ForeignKey(Submission, models.CASCADE, related_name="decisions")
    kind = models.CharField(_("ผลการพิจารณา"), max_length=10, choices=DecisionKind.choices)
    comment = models.TextField(_("ความเห็น"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("ผู้พิจารณา")
    )
    decided_at = models.DateTimeField(_("พิจารณาเมื่อ"), default=timezone.now)

    class Meta:
        verbose_name = _("ผลการพิจารณา")
        verbose_name_plural = _("ผลการพิจารณา")
        ordering = ["decided_at"]
        constraints = [
            # Exactly one accept-or-return per submission, whatever races above it.
            models.UniqueConstraint(
                fields=["submission"],
                condition=Q(kind__in=["accepted", "returned"]),
                name="one_decision_per_submission",
            ),
            models.CheckConstraint(
                condition=Q(kind="accepted") | ~Q(comment=""), name="return_and_reopen_need_comment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission}: {self.get_kind_display()}"


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("รอพิจารณา")
    GRANTED = "granted", _("อนุมัติ")
    REFUSED = "refused", _("ไม่อนุมัติ")


class Extension(models.Model):
    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="extensions")
    reason = models.TextField(_("เหตุผล"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        _("สถานะ"), max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    new_deadline = models.DateField(_("กำหนดส่งใหม่"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("หมายเหตุ"), blank=True)

    class Meta:
        verbose_name = _("คำขอขยายเวลา")
        verbose_name_plural = _("คำขอขยายเวลา")
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="granted") | Q(new_deadline__isnull=False), name="granted_extension_has_date"
            ),
            models.UniqueConstraint(
                fields=["assessment"], condition=Q(status="pending"), name="one_pending_extension_per_assessment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} ({self.get_status_display()})"


class Reminder(models.Model):
    """A reminder mailed to a unit; the unique day makes a second run a no-op."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, default="deadline")
    sent_on = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("การแจ้งเตือน")
        verbose_name_plural = _("การแจ้งเตือน")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind", "sent_on"], name="one_reminder_per_day"),
        ]
