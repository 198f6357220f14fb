"""Evidence files attached to a unit's step.

A file is stored under a generated name; the original name, size, content
type and sha256 are kept. Nothing is deleted or overwritten: removing a file
from a draft sets removed_at, and replacing one points the new row at the old.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from milestones.models import EvidenceRequirement, StepProgress


class EvidenceFileQuerySet(models.QuerySet):
    def current(self):
        return self.filter(removed_at__isnull=True)


class EvidenceFile(models.Model):
    progress = models.ForeignKey(StepProgress, models.PROTECT, related_name="files", verbose_name=_("ขั้นตอน"))
    requirement = models.ForeignKey(
        EvidenceRequirement, models.PROTECT, null=True, blank=True, related_name="files", verbose_name=_("หลักฐานข้อ")
    )
    stored_name = models.CharField(_("ชื่อไฟล์ในระบบ"), max_length=255, unique=True)
    original_name = models.CharField(_("ชื่อไฟล์"), max_length=255)
    size = models.BigIntegerField(_("ขนาด (ไบต์)"))
    content_type = models.CharField(_("ชนิดไฟล์"), max_length=150)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    evidence_date = models.DateField(_("วันที่ของหลักฐาน"), null=True, blank=True)
    description = models.CharField(_("คำอธิบาย"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("อัปโหลดเมื่อ"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("ผู้อัปโหลด")
    )
    removed_at = models.DateTimeField(_("นำออกเมื่อ"), null=True, blank=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    replaces = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="replaced_by", verbose_name=_("แทนไฟล์")
    )

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("ไฟล์หลักฐาน")
        verbose_name_plural = _("ไฟล์หลักฐาน")
        ordering = ["uploaded_at", "id"]
        constraints = [
            # The same content is stored once per step while it is current.
            models.UniqueConstraint(
                fields=["progress", "sha256"],
                condition=Q(removed_at__isnull=True),
                name="evidence_unique_content_per_step",
            ),
            models.CheckConstraint(condition=Q(size__gte=0), name="evidence_size_not_negative"),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]
