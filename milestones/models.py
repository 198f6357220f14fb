"""The rubric (rounds, indicators, steps, evidence requirements, weights), the
units, and each unit's progress through the steps, with its reviews.

Rubric content is data loaded by `load_rubric`; nothing here knows the words of
indicator 2. Invariants live in database constraints as well as in clean().
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kpi_tracker.lib import thai
from milestones import scoring


class UnitKind(models.TextChoices):
    CENTRAL = "central", _("ส่วนกลาง")
    REGIONAL = "regional", _("ส่วนภูมิภาค")


class Role(models.TextChoices):
    STAFF = "staff", _("เจ้าหน้าที่หน่วยงาน")
    REVIEWER = "reviewer", _("ผู้ตรวจประเมิน (กลุ่มพัฒนาระบบบริหาร)")
    VIEWER = "viewer", _("ผู้บริหาร (ดูอย่างเดียว)")
    ADMIN = "admin", _("ผู้ดูแลระบบ")


class StepStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("ยังไม่เริ่ม")
    DRAFT = "draft", _("กำลังจัดทำ")
    SUBMITTED = "submitted", _("ส่งแล้ว รอตรวจ")
    RETURNED = "returned", _("ส่งกลับให้แก้ไข")
    ACCEPTED = "accepted", _("ผ่าน")


class FormKind(models.TextChoices):
    """Which web form a step uses. The rubric file picks one per step."""

    FILES = "files", _("แนบไฟล์หลักฐาน")
    REVIEW = "review", _("ทบทวนกระบวนการงาน")
    PROCESSES = "processes", _("กำหนดกระบวนการงาน")
    WORK_ITEMS = "work_items", _("ชิ้นงานการใช้เทคโนโลยีดิจิทัล")
    PLAN = "plan", _("แผนปรับปรุงกระบวนการ")
    FEEDBACK = "feedback", _("ความคิดเห็นและข้อเสนอแนะ")


class RoundQuerySet(models.QuerySet):
    def current(self) -> "Round | None":
        """The open round with the latest fiscal year, else the latest round."""
        return self.order_by("-is_open", "-fiscal_year").first()


class Round(models.Model):
    fiscal_year = models.PositiveIntegerField(_("ปีงบประมาณ (พ.ศ.)"), unique=True, validators=[MinValueValidator(2500)])
    title = models.CharField(_("ชื่อรอบการประเมิน"), max_length=200, blank=True)
    deadline = models.DateField(_("กำหนดส่งผล"), help_text=_("สิ้นสุดเวลา 23:59 น. ของวันนี้ (เวลาประเทศไทย)"))
    is_open = models.BooleanField(_("เปิดรับผลงาน"), default=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("รอบการประเมิน")
        verbose_name_plural = _("รอบการประเมิน")
        ordering = ["-fiscal_year"]
        constraints = [
            models.CheckConstraint(condition=Q(fiscal_year__gte=2500), name="round_fiscal_year_is_be"),
        ]

    def __str__(self) -> str:
        return self.title or f"ปีงบประมาณ พ.ศ. {self.fiscal_year}"

    @property
    def next_fiscal_year(self) -> int:
        return self.fiscal_year + 1

    def clean(self) -> None:
        if self.deadline and thai.fiscal_year_be(self.deadline) != self.fiscal_year:
            raise ValidationError({"deadline": _("กำหนดส่งต้องอยู่ในปีงบประมาณของรอบนี้")})


class IndicatorQuerySet(models.QuerySet):
    def current(self) -> "Indicator | None":
        """The first indicator of the current round (open rounds first, then the latest), in one query."""
        return self.select_related("round").order_by("-round__is_open", "-round__fiscal_year", "number").first()


class Indicator(models.Model):
    round = models.ForeignKey(Round, models.CASCADE, related_name="indicators", verbose_name=_("รอบการประเมิน"))
    number = models.PositiveSmallIntegerField(_("ตัวชี้วัดที่"))
    title = models.TextField(_("ชื่อตัวชี้วัด"))
    unit_of_measure = models.CharField(_("หน่วยวัด"), max_length=100)
    description = models.TextField(_("คำอธิบาย"), blank=True)
    scoring_description = models.TextField(_("เกณฑ์การให้คะแนน"), blank=True)
    evidence_description = models.TextField(_("แหล่งข้อมูล/วิธีการจัดเก็บข้อมูล"), blank=True)
    supervisor = models.CharField(_("ผู้กำกับตัวชี้วัด"), max_length=200)
    supervisor_phone = models.CharField(_("โทรศัพท์ภายใน (ผู้กำกับ)"), max_length=50, blank=True)
    data_collector = models.CharField(_("ผู้จัดเก็บข้อมูล"), max_length=200, blank=True)
    data_collector_phone = models.CharField(_("โทรศัพท์ภายใน (ผู้จัดเก็บ)"), max_length=50, blank=True)
    operators = models.CharField(_("ผู้ดำเนินการ"), max_length=200, blank=True)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("ตัวชี้วัด")
        verbose_name_plural = _("ตัวชี้วัด")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="indicator_number_unique_per_round"),
        ]

    def __str__(self) -> str:
        return f"ตัวชี้วัดที่ {self.number} ({self.round.fiscal_year}): {self.title}"

    def weight_for(self, kind: str) -> Decimal:
        for weight in self.weights.all():
            if weight.unit_kind == kind:
                return weight.percent
        return Decimal("0")


class Step(models.Model):
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="steps", verbose_name=_("ตัวชี้วัด"))
    number = models.PositiveSmallIntegerField(_("ขั้นตอนที่"), validators=[MinValueValidator(1), MaxValueValidator(10)])
    description = models.TextField(_("รายละเอียดการดำเนินงาน"))
    score = models.DecimalField(_("คะแนน"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0)])
    form_kind = models.CharField(_("แบบฟอร์ม"), max_length=20, choices=FormKind.choices, default=FormKind.FILES)

    class Meta:
        verbose_name = _("ขั้นตอน")
        verbose_name_plural = _("ขั้นตอน")
        ordering = ["indicator", "number"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "number"], name="step_number_unique_per_indicator"),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=10), name="step_number_range"),
            models.CheckConstraint(condition=Q(score__gte=0), name="step_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"ขั้นตอนที่ {self.number}"


class EvidenceRequirement(models.Model):
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="requirements", verbose_name=_("ตัวชี้วัด"))
    number = models.PositiveSmallIntegerField(_("ลำดับ"))
    description = models.TextField(_("หลักฐาน"))
    steps = models.ManyToManyField(Step, blank=True, related_name="requirements", verbose_name=_("ใช้กับขั้นตอน"))
    min_count = models.PositiveSmallIntegerField(
        _("จำนวนขั้นต่ำ"), default=0, help_text=_("เช่น ไม่น้อยกว่า 2 ชิ้นงาน; 0 คือไม่กำหนด")
    )
    is_report = models.BooleanField(
        _("เป็นการรายงานผลทาง E-saraban"), default=False, help_text=_("หลักฐานที่ส่งพร้อมรายงานผล ไม่ผูกกับขั้นตอน")
    )

    class Meta:
        verbose_name = _("หลักฐานที่ต้องจัดส่ง")
        verbose_name_plural = _("หลักฐานที่ต้องจัดส่ง")
        ordering = ["indicator", "number"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "number"], name="requirement_number_unique_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.description[:60]}"


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Unit(models.Model):
    code = models.CharField(_("รหัสหน่วยงาน"), max_length=20, unique=True)
    name = models.CharField(_("ชื่อหน่วยงาน"), max_length=255)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=255, blank=True)
    kind = models.CharField(_("ประเภท"), max_length=10, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("สังกัด")
    )
    phone = models.CharField(_("โทรศัพท์"), max_length=50, blank=True, help_text=_("แสดงในบรรทัดส่วนราชการของบันทึกข้อความ"))
    is_active = models.BooleanField(_("ใช้งาน"), default=True)
    is_sample = models.BooleanField(_("ข้อมูลตัวอย่าง"), default=False)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("หน่วยงาน")
        verbose_name_plural = _("หน่วยงาน")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=UnitKind.values), name="unit_kind_valid"),
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A unit cannot sit under itself, directly or through its parents (the admin's form)."""
        super().clean()
        seen = set()
        current = self.parent
        while current is not None and current.pk not in seen:
            if self.pk is not None and current.pk == self.pk:
                raise ValidationError({"parent": _("สายการสังกัดวนกลับมาที่หน่วยงานนี้ เลือกหน่วยงานต้นสังกัดอื่น")})
            seen.add(current.pk)
            current = current.parent


class Weight(models.Model):
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="weights", verbose_name=_("ตัวชี้วัด"))
    unit_kind = models.CharField(_("ประเภทหน่วยงาน"), max_length=10, choices=UnitKind.choices)
    percent = models.DecimalField(
        _("น้ำหนัก (ร้อยละ)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("น้ำหนัก")
        verbose_name_plural = _("น้ำหนัก")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit_kind"], name="weight_unique_per_indicator_kind"),
            models.CheckConstraint(condition=Q(percent__gte=0, percent__lte=100), name="weight_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_unit_kind_display()} ร้อยละ {self.percent}"


class Profile(models.Model):
    """A user's role and, for unit staff, their unit."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile")
    role = models.CharField(_("บทบาท"), max_length=10, choices=Role.choices, default=Role.STAFF)
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("หน่วยงาน")
    )
    position = models.CharField(_("ตำแหน่ง"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("บทบาทผู้ใช้")
        verbose_name_plural = _("บทบาทผู้ใช้")
        constraints = [
            models.CheckConstraint(condition=~Q(role="staff") | Q(unit__isnull=False), name="profile_staff_has_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    def clean(self) -> None:
        if self.role == Role.STAFF and self.unit_id is None:
            raise ValidationError({"unit": _("เจ้าหน้าที่หน่วยงานต้องระบุหน่วยงาน")})

    @property
    def sees_every_unit(self) -> bool:
        return self.role in {Role.REVIEWER, Role.VIEWER, Role.ADMIN}

    @property
    def can_review(self) -> bool:
        return self.role in {Role.REVIEWER, Role.ADMIN}


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
    score = models.DecimalField(_("คะแนน"), max_digits=4, decimal_places=2, default=Decimal("0"))
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
        """The unit's effective deadline: the round's, or a later granted extension."""
        base = self.indicator.round.deadline
        if self.extended_deadline and self.extended_deadline > base:
            return self.extended_deadline
        return base

    def is_past_deadline(self, now: dt.datetime | None = None) -> bool:
        return thai.is_past_deadline(self.deadline, now or timezone.now())

    def days_left(self, now: dt.datetime | None = None) -> int:
        return thai.days_left(self.deadline, now or timezone.now())

    def recalculate(self, progresses=None) -> None:
        """Set level, score, weight and weighted score from the accepted steps (does not save)."""
        progresses = list(progresses if progresses is not None else self.steps.select_related("step"))
        accepted = {p.step.number for p in progresses if p.status == StepStatus.ACCEPTED}
        scores = {p.step.number: p.step.score for p in progresses}
        self.level = scoring.level(accepted)
        self.score = scoring.score_for_level(self.level, scores)
        self.weight = self.indicator.weight_for(self.unit.kind)
        self.weighted_score = scoring.weighted_score(self.score, self.weight)


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
        """Content may change only while the unit holds the step (not sent, not accepted)."""
        return self.status in {StepStatus.NOT_STARTED, StepStatus.DRAFT, StepStatus.RETURNED}

    def missing_requirements(self) -> list[str]:
        """Everything still lacking before the step may be submitted, in Thai (rules: evidence.content)."""
        from evidence.content import missing_requirements

        return missing_requirements(self)

    def can_submit(self, now: dt.datetime | None = None) -> bool:
        """Editable, before the assessment's deadline (extension included) and complete."""
        return self.is_editable and not self.assessment.is_past_deadline(now) and not self.missing_requirements()


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


class Filing(models.Model):
    """The cover memo's details and, once filed, the E-saraban document number."""

    assessment = models.ForeignKey(Assessment, models.CASCADE, related_name="filings")
    memo_number = models.CharField(_("ที่ (เลขที่หนังสือ)"), max_length=100)
    memo_date = models.DateField(_("วันที่"))
    recipient = models.CharField(_("เรียน"), max_length=255, default="ผู้อำนวยการกลุ่มพัฒนาระบบบริหาร")
    signer_name = models.CharField(_("ผู้ลงนาม"), max_length=200)
    signer_position = models.CharField(_("ตำแหน่งผู้ลงนาม"), max_length=200)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    esaraban_number = models.CharField(_("เลขที่หนังสือในระบบ E-saraban"), max_length=100, blank=True)
    esaraban_date = models.DateField(_("วันที่ส่งทาง E-saraban"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("บันทึกข้อความนำส่ง")
        verbose_name_plural = _("บันทึกข้อความนำส่ง")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.assessment} ที่ {self.memo_number}"


# Actions that change no data (signing in and out, reading files and reports). Every other action
# records a state change, so a new action counts as a change unless it is added here: the
# dashboard's data version (milestones/dashboard.py) follows the newest change and skips these.
READ_ONLY_ACTIONS = ("login", "logout", "evidence.download", "report.export")


class AuditQuerySet(models.QuerySet):
    def changes(self):
        """Events that record a state change (served by the partial index auditevent_change_idx)."""
        return self.exclude(action__in=READ_ONLY_ACTIONS)

    def update(self, **kwargs):
        raise TypeError("The audit log is append-only")

    def delete(self):
        raise TypeError("The audit log is append-only")


class AuditEvent(models.Model):
    """Append-only record of every state change (and logins, downloads).

    save() refuses updates and delete() refuses deletes; on PostgreSQL a trigger
    (migration 0002) refuses them in the database too.
    """

    at = models.DateTimeField(_("เวลา"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    username = models.CharField(_("ผู้ใช้"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("ที่อยู่ IP"), null=True, blank=True)
    action = models.CharField(_("การกระทำ"), max_length=40, db_index=True)
    unit = models.ForeignKey(Unit, models.PROTECT, null=True, blank=True, related_name="+")
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=50, blank=True)
    message = models.TextField(_("รายละเอียด"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("บันทึกการใช้งาน")
        verbose_name_plural = _("บันทึกการใช้งาน")
        ordering = ["-at", "-id"]
        indexes = [
            # The newest change, read on every dashboard request: one index entry, however many
            # logins and downloads came after it.
            models.Index(fields=["id"], condition=~Q(action__in=READ_ONLY_ACTIONS), name="auditevent_change_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only")
