"""The rubric: rounds, indicators, steps, evidence requirements and weights (data loaded by load_rubric;
nothing here knows the words of indicator 2)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kpi_tracker.lib import thai
from milestones import indicator_kinds, step_kinds
from milestones.models.fields import RegistryChoiceField
from milestones.models.units import SupervisingGroup, UnitKind


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


class Direction(models.TextChoices):
    """Which way a quantitative indicator's value is better."""

    HIGHER = "higher", _("ยิ่งมากยิ่งดี")
    LOWER = "lower", _("ยิ่งน้อยยิ่งดี")


class Indicator(models.Model):
    round = models.ForeignKey(Round, models.CASCADE, related_name="indicators", verbose_name=_("รอบการประเมิน"))
    number = models.PositiveSmallIntegerField(_("ตัวชี้วัดที่"))
    kind = RegistryChoiceField(
        _("ประเภทตัวชี้วัด"), max_length=20, choices=indicator_kinds.Choices(), default=indicator_kinds.DEFAULT
    )
    title = models.TextField(_("ชื่อตัวชี้วัด"))
    unit_of_measure = models.CharField(_("หน่วยวัด"), max_length=100)
    description = models.TextField(_("คำอธิบาย"), blank=True)
    scoring_description = models.TextField(_("เกณฑ์การให้คะแนน"), blank=True)
    evidence_description = models.TextField(_("แหล่งข้อมูล/วิธีการจัดเก็บข้อมูล"), blank=True)
    group = models.ForeignKey(SupervisingGroup, models.PROTECT, related_name="indicators", verbose_name=_("ผู้กำกับตัวชี้วัด"))
    data_collector = models.CharField(_("ผู้จัดเก็บข้อมูล"), max_length=200, blank=True)
    data_collector_phone = models.CharField(_("โทรศัพท์ภายใน (ผู้จัดเก็บ)"), max_length=50, blank=True)
    operators = models.CharField(_("ผู้ดำเนินการ"), max_length=200, blank=True)
    # Quantitative indicators: the value's unit and range, and which way is better (targets: Target).
    value_unit = models.CharField(_("หน่วยของค่าที่วัด"), max_length=50, blank=True)
    value_min = models.DecimalField(_("ค่าต่ำสุดที่รายงานได้"), max_digits=14, decimal_places=4, null=True, blank=True)
    value_max = models.DecimalField(_("ค่าสูงสุดที่รายงานได้"), max_digits=14, decimal_places=4, null=True, blank=True)
    direction = models.CharField(_("ทิศทางของค่า"), max_length=10, choices=Direction.choices, blank=True)
    is_sample = models.BooleanField(
        _("ข้อมูลตัวอย่าง"), default=False, help_text=_("ตัวชี้วัดตัวอย่างที่เขียนขึ้นเพื่อการสาธิต ไม่ใช่ตัวชี้วัดจริงของกรม")
    )

    class Meta:
        verbose_name = _("ตัวชี้วัด")
        verbose_name_plural = _("ตัวชี้วัด")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="indicator_number_unique_per_round"),
        ]

    def __str__(self) -> str:
        return f"ตัวชี้วัดที่ {self.number} ({self.round.fiscal_year}): {self.title}"

    @property
    def result_template(self) -> str:
        """The template that shows an assessment's result (level or score) for this kind of indicator."""
        return indicator_kinds.kind_of(self).result_template

    @property
    def supervisor(self) -> str:
        """ผู้กำกับตัวชี้วัด: the supervising group's name."""
        return self.group.name

    @property
    def supervisor_phone(self) -> str:
        return self.group.phone

    def weight_for(self, kind: str) -> Decimal:
        for weight in self.weights.all():
            if weight.unit_kind == kind:
                return weight.percent
        return Decimal("0")

    def applies_to(self, kind: str) -> bool:
        """An indicator applies to the unit kinds it has a weight for."""
        return any(weight.unit_kind == kind for weight in self.weights.all())


class Step(models.Model):
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="steps", verbose_name=_("ตัวชี้วัด"))
    number = models.PositiveSmallIntegerField(_("ขั้นตอนที่"), validators=[MinValueValidator(1), MaxValueValidator(10)])
    description = models.TextField(_("รายละเอียดการดำเนินงาน"))
    score = models.DecimalField(_("คะแนน"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0)])
    form_kind = RegistryChoiceField(
        _("แบบฟอร์ม"), max_length=20, choices=step_kinds.Choices(), default=step_kinds.DEFAULT
    )

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


class Target(models.Model):
    """A quantitative indicator's target value for one level (1-5): reaching it scores that level."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="targets", verbose_name=_("ตัวชี้วัด"))
    level = models.PositiveSmallIntegerField(_("ระดับ"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    value = models.DecimalField(_("ค่าเป้าหมาย"), max_digits=14, decimal_places=4)

    class Meta:
        verbose_name = _("ค่าเป้าหมาย")
        verbose_name_plural = _("ค่าเป้าหมาย")
        ordering = ["indicator", "level"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level"], name="target_unique_per_indicator_level"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="target_level_range"),
        ]

    def __str__(self) -> str:
        return f"ระดับ {self.level}: {self.value.normalize():f}"
