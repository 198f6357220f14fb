"""The append-only audit log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from milestones.models.units import Unit

# Actions that change no data (signing in and out, reading files and reports). Every other action
# records a state change, so a new action counts as a change unless it is added here: the
# dashboard's data version (milestones/selectors/dashboard.py) follows the newest change and skips these.
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
