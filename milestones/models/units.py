"""Units, the kinds they come in, and who the users are (role and unit)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    CENTRAL = "central", _("ส่วนกลาง")
    REGIONAL = "regional", _("ส่วนภูมิภาค")


class Role(models.TextChoices):
    STAFF = "staff", _("เจ้าหน้าที่หน่วยงาน")
    REVIEWER = "reviewer", _("ผู้ตรวจประเมิน (ผู้กำกับตัวชี้วัด)")
    VIEWER = "viewer", _("ผู้บริหาร (ดูอย่างเดียว)")
    ADMIN = "admin", _("ผู้ดูแลระบบ")


class SupervisingGroup(models.Model):
    """A supervising group (ผู้กำกับตัวชี้วัด) that reviews and scores the indicators it supervises,
    e.g. the management-systems group for indicator 2. Loaded from data/groups/ by load_groups."""

    code = models.SlugField(_("รหัสกลุ่ม"), max_length=30, unique=True)
    name = models.CharField(_("ชื่อกลุ่ม/หน่วยงานผู้กำกับ"), max_length=200)
    phone = models.CharField(_("โทรศัพท์ภายใน"), max_length=50, blank=True)
    is_sample = models.BooleanField(_("ข้อมูลตัวอย่าง"), default=False)

    class Meta:
        verbose_name = _("ผู้กำกับตัวชี้วัด")
        verbose_name_plural = _("ผู้กำกับตัวชี้วัด")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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


class Profile(models.Model):
    """A user's role and, for unit staff, their unit."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="profile")
    role = models.CharField(_("บทบาท"), max_length=10, choices=Role.choices, default=Role.STAFF)
    unit = models.ForeignKey(
        Unit, models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("หน่วยงาน")
    )
    position = models.CharField(_("ตำแหน่ง"), max_length=200, blank=True)
    supervising_groups = models.ManyToManyField(
        SupervisingGroup,
        blank=True,
        related_name="members",
        verbose_name=_("ผู้กำกับตัวชี้วัดที่สังกัด"),
        help_text=_("ผู้ตรวจประเมินเห็นและพิจารณาเฉพาะตัวชี้วัดของกลุ่มที่สังกัด"),
    )

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
