"""The cover memo (a Filing) and the E-saraban number recorded for it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from milestones.models.rubric import Round
from milestones.models.units import Unit
from milestones.models.workflow import Assessment


class Filing(models.Model):
    """The cover memo's details and, once filed, the E-saraban document number.

    A filing covers one indicator (assessment set) or the unit's whole round (assessment empty)."""

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="filings", verbose_name=_("หน่วยงาน"))
    round = models.ForeignKey(Round, models.PROTECT, related_name="filings", verbose_name=_("รอบการประเมิน"))
    assessment = models.ForeignKey(
        Assessment,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="filings",
        verbose_name=_("ตัวชี้วัด"),
        help_text=_("ว่าง: บันทึกข้อความครอบคลุมทุกตัวชี้วัดของรอบ"),
    )
    memo_number = models.CharField(_("ที่ (เลขที่หนังสือ)"), max_length=100)
    memo_date = models.DateField(_("วันที่"))
    recipient = models.CharField(_("เรียน"), max_length=255)
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
