"""The append-only audit log."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from milestones.models.units import Unit


class AuditAction(models.TextChoices):
    """Every action the audit log records, with its Thai label. A new action is one line here;
    whether it changes data is read from READ_ONLY_ACTIONS below."""

    LOGIN = "login", _("เข้าสู่ระบบ")
    LOGOUT = "logout", _("ออกจากระบบ")
    RUBRIC_LOAD = "rubric.load", _("นำเข้าเกณฑ์ตัวชี้วัด")
    UNITS_LOAD = "units.load", _("นำเข้ารายชื่อหน่วยงาน")
    GROUPS_LOAD = "groups.load", _("นำเข้ารายชื่อผู้กำกับตัวชี้วัด")
    ROUND_OPEN = "round.open", _("เปิดรอบการประเมินปีงบประมาณใหม่")
    ROUND_IMPORT = "round.import", _("นำเข้าข้อมูลรอบการประเมินจากไฟล์สำรอง")
    EVIDENCE_UPLOAD = "evidence.upload", _("อัปโหลดหลักฐาน")
    EVIDENCE_REMOVE = "evidence.remove", _("นำหลักฐานออก")
    EVIDENCE_DOWNLOAD = "evidence.download", _("ดาวน์โหลดหลักฐาน")
    STEP_SAVE = "step.save", _("บันทึกข้อมูลขั้นตอน")
    STEP_SUBMIT = "step.submit", _("ส่งขั้นตอน")
    STEP_ACCEPT = "step.accept", _("ผ่านขั้นตอน")
    STEP_RETURN = "step.return", _("ส่งกลับให้แก้ไข")
    STEP_REOPEN = "step.reopen", _("เปิดขั้นตอนให้แก้ไขใหม่")
    EXTENSION_REQUEST = "extension.request", _("ขอขยายเวลา")
    EXTENSION_GRANT = "extension.grant", _("อนุมัติขยายเวลา")
    EXTENSION_REFUSE = "extension.refuse", _("ไม่อนุมัติขยายเวลา")
    REPORT_EXPORT = "report.export", _("ส่งออกรายงาน")
    FILING_CREATE = "filing.create", _("จัดทำบันทึกข้อความ")
    FILING_RECORD = "filing.record", _("บันทึกเลขที่ E-saraban")
    REMINDER_SEND = "reminder.send", _("ส่งอีเมลแจ้งเตือน")
    DIGEST_SEND = "digest.send", _("ส่งอีเมลสรุปงานรอตรวจ")
    ADMIN_ADD = "admin.add", _("เพิ่มข้อมูลในหน้าผู้ดูแลระบบ")
    ADMIN_CHANGE = "admin.change", _("แก้ไขข้อมูลในหน้าผู้ดูแลระบบ")
    ADMIN_DELETE = "admin.delete", _("ลบข้อมูลในหน้าผู้ดูแลระบบ")

    @property
    def changes_data(self) -> bool:
        return self.value not in READ_ONLY_ACTIONS

    @classmethod
    def label_of(cls, value: str) -> str:
        """The Thai label of a stored action; an action no longer in the enum shows as stored."""
        try:
            return str(cls(value).label)
        except ValueError:
            return value


# Actions that change no data (signing in and out, reading files and reports). Every other action
# records a state change: the dashboard's data version (milestones/selectors/dashboard.py) follows
# the newest change and skips these, as does the partial index auditevent_change_idx (its
# condition is this tuple, in this order, in migration 0004).
READ_ONLY_ACTIONS = (
    AuditAction.LOGIN.value,
    AuditAction.LOGOUT.value,
    AuditAction.EVIDENCE_DOWNLOAD.value,
    AuditAction.REPORT_EXPORT.value,
)


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
