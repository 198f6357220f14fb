"""Writing the append-only audit log.

Every service that changes state calls audit_record() inside its transaction,
so a change and its record commit or roll back together. The dashboard's cache depends on
it: its data version is the newest event whose action is not in models.READ_ONLY_ACTIONS (see
milestones/selectors/dashboard.py), so a change that writes no event would leave a stale dashboard.
"""

from django.http import HttpRequest

from kpi_tracker.lib.net import parse_ip
from milestones.models import AuditAction, AuditEvent, Unit


def client_ip(request: HttpRequest | None) -> str | None:
    """REMOTE_ADDR if it is an IP address (behind a trusted proxy kpi_tracker.middleware.ForwardedForMiddleware
    sets it); anything else (a unix socket's peer, say) is recorded as no address, never a failed insert."""
    if request is None:
        return None
    address = parse_ip(request.META.get("REMOTE_ADDR"))
    return str(address) if address is not None else None


def audit_record(
    *,
    action: AuditAction,
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
    audit_record(action=AuditAction.LOGIN, user=user, request=request)


def record_logout(sender, request, user, **kwargs) -> None:
    """user_logged_out: user is None when the session had nobody signed in."""
    if user is not None:
        audit_record(action=AuditAction.LOGOUT, user=user, request=request)
