"""Writing the append-only audit log.

Every service that changes state calls audit_record() inside its transaction,
so a change and its record commit or roll back together. The dashboard's cache depends on
it: its data version is the newest event whose action is not in models.READ_ONLY_ACTIONS (see
milestones/selectors/dashboard.py), so a change that writes no event would leave a stale dashboard.
"""

from django.http import HttpRequest

from milestones.models import AuditEvent, Unit

# Thai labels for the actions, for the audit page and the admin.
ACTION_LABELS = {
    "login": "เข้าสู่ระบบ",
    "logout": "ออกจากระบบ",
    "rubric.load": "นำเข้าเกณฑ์ตัวชี้วัด",
    "units.load": "นำเข้ารายชื่อหน่วยงาน",
    "round.import": "นำเข้าข้อมูลรอบการประเมินจากไฟล์สำรอง",
    "evidence.upload": "อัปโหลดหลักฐาน",
    "evidence.remove": "นำหลักฐานออก",
    "evidence.download": "ดาวน์โหลดหลักฐาน",
    "step.save": "บันทึกข้อมูลขั้นตอน",
    "step.submit": "ส่งขั้นตอน",
    "step.accept": "ผ่านขั้นตอน",
    "step.return": "ส่งกลับให้แก้ไข",
    "step.reopen": "เปิดขั้นตอนให้แก้ไขใหม่",
    "extension.request": "ขอขยายเวลา",
    "extension.grant": "อนุมัติขยายเวลา",
    "extension.refuse": "ไม่อนุมัติขยายเวลา",
    "report.export": "ส่งออกรายงาน",
    "filing.create": "จัดทำบันทึกข้อความ",
    "filing.record": "บันทึกเลขที่ E-saraban",
    "reminder.send": "ส่งอีเมลแจ้งเตือน",
    "digest.send": "ส่งอีเมลสรุปงานรอตรวจ",
}


def client_ip(request: HttpRequest | None) -> str | None:
    """REMOTE_ADDR; behind a proxy (BEHIND_PROXY=1) kpi_tracker.middleware.ForwardedForMiddleware sets it."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    user=None,
    request: HttpRequest | None = None,
    unit: Unit | None = None,
    obj=None,
    message: str = "",
    data: dict | None = None,
) -> AuditEvent:
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return AuditEvent.objects.create(
        action=action,
        user=user if user is not None and user.pk else None,
        username=user.get_username() if user is not None else "",
        ip_address=client_ip(request),
        unit=unit,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        message=message,
        data=data or {},
    )


def record_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: every sign-in, on the site or the admin."""
    audit_record(action="login", user=user, request=request)


def record_logout(sender, request, user, **kwargs) -> None:
    """user_logged_out: user is None when the session had nobody signed in."""
    if user is not None:
        audit_record(action="logout", user=user, request=request)
