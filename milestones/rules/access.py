"""Who may see and change what. Every view goes through these helpers.

- Unit staff see and change only their own unit's assessments.
- Reviewers, viewers and admins see every unit; viewers change nothing.
- What a user may not see is a 404 (its existence is not revealed); what they
  may see but not change is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from milestones.models import Assessment, Profile, Role


def role_of(user) -> str | None:
    if not user.is_authenticated:
        return None
    profile = getattr(user, "profile", None)
    if profile is not None:
        return profile.role
    return Role.ADMIN if user.is_superuser else None


def unit_id_of(user) -> int | None:
    try:
        return user.profile.unit_id
    except (AttributeError, Profile.DoesNotExist):
        return None


def sees_every_unit(user) -> bool:
    return role_of(user) in {Role.REVIEWER, Role.VIEWER, Role.ADMIN}


def can_review(user) -> bool:
    return role_of(user) in {Role.REVIEWER, Role.ADMIN}


def can_reopen(user) -> bool:
    """Only an admin sends an accepted step back to the unit."""
    return role_of(user) == Role.ADMIN


def is_unit_staff(user) -> bool:
    """Staff of a unit (they land on their unit's page)."""
    return role_of(user) == Role.STAFF and unit_id_of(user) is not None


def visible_assessments(user) -> QuerySet[Assessment]:
    qs = Assessment.objects.select_related("unit", "indicator__round")
    if sees_every_unit(user):
        return qs
    unit_id = unit_id_of(user)
    if is_unit_staff(user):
        return qs.filter(unit_id=unit_id)
    return qs.none()


def can_change_assessment(user, assessment: Assessment) -> bool:
    """Only the unit's own staff edit its evidence, submit its steps and file its memo."""
    return role_of(user) == Role.STAFF and unit_id_of(user) == assessment.unit_id


def get_assessment_for_user(request: HttpRequest, pk: int, *, for_change: bool = False) -> Assessment:
    """The assessment if the user may see it (else 404); with for_change, 403 unless they may change it."""
    try:
        assessment = visible_assessments(request.user).get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("ไม่พบข้อมูล") from None
    if for_change and not can_change_assessment(request.user, assessment):
        raise PermissionDenied("คุณไม่มีสิทธิ์แก้ไขข้อมูลของหน่วยงานนี้")
    return assessment


def require_reviewer(request: HttpRequest) -> None:
    if not can_review(request.user):
        if sees_every_unit(request.user):
            raise PermissionDenied("เฉพาะผู้ตรวจประเมินเท่านั้น")
        raise Http404("ไม่พบข้อมูล")


def require_admin(request: HttpRequest) -> None:
    """Admin-only actions on pages others may see: 403."""
    if not can_reopen(request.user):
        raise PermissionDenied("เฉพาะผู้ดูแลระบบเท่านั้น")


def require_overview(request: HttpRequest) -> None:
    """Department-wide pages: reviewers, viewers and admins; unit staff get 403."""
    if not sees_every_unit(request.user):
        raise PermissionDenied("หน้านี้สำหรับกลุ่มพัฒนาระบบบริหารและผู้บริหาร")
