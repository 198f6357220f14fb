"""Documents built off the request path: one job per document and version of the data."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentStatus(models.TextChoices):
    QUEUED = "queued", _("รอคิว")
    RUNNING = "running", _("กำลังจัดทำ")
    DONE = "done", _("พร้อมดาวน์โหลด")
    FAILED = "failed", _("จัดทำไม่สำเร็จ")


class DocumentJob(models.Model):
    """A document a background worker builds (milestones.reporting.documents names the kinds).

    key is the document and the data version it was asked for: two requests for the same unchanged
    document share one job; a change of data makes the next request a new job. heartbeat_at moves
    while a worker builds it: a job whose worker died stops beating and is queued again.
    """

    kind = models.CharField(_("ชนิดเอกสาร"), max_length=40)
    params = models.JSONField(_("รายละเอียด"), default=dict)
    key = models.CharField(max_length=64, unique=True)
    status = models.CharField(_("สถานะ"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("ความคืบหน้า (ร้อยละ)"), default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    stored_name = models.CharField(max_length=255, blank=True)
    filename = models.CharField(_("ชื่อไฟล์"), max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(_("ข้อผิดพลาด"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("เอกสารที่จัดทำเบื้องหลัง")
        verbose_name_plural = _("เอกสารที่จัดทำเบื้องหลัง")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="document_progress_range"),
            models.CheckConstraint(condition=~Q(status="done") | ~Q(stored_name=""), name="done_document_has_file"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.params} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in {DocumentStatus.DONE, DocumentStatus.FAILED}
