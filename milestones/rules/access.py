"""Who may see and change what. Every view goes through these helpers.

- Unit staff see and change only their own unit's assessments.
- Reviewers see every unit on the indicators their supervising groups supervise, and decide
  those; viewers and admins see every indicator; viewers change nothing.
- What a user may not see is a 404 (its existence is not revealed); what they
  may see but not change is a 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from milestones.models import Assessment, Indicator, Profile, Role, Unit


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


def group_ids_of(user) -> frozenset[int]:
    """The supervising groups a reviewer belongs to (read once per user object)."""
    cached = getattr(user, "_supervising_group_ids", None)
    if cached is None:
        try:
            cached = frozenset(user.profile.supervising_groups.values_list("pk", flat=True))
        except (AttributeError, Profile.DoesNotExist):
            cached = frozenset()
        user._supervising_group_ids = cached
    return cached


def sees_every_indicator(user) -> bool:
    return role_of(user) in {Role.VIEWER, Role.ADMIN}


def visible_indicators(user) -> QuerySet[Indicator]:
    """The indicators whose department pages the user may see: their groups' for a reviewer, every
    one for viewers and admins; unit staff see indicators only through their unit's assessments."""
    qs = Indicator.objects.select_related("round", "group")
    if sees_every_indicator(user):
        return qs
    if role_of(user) == Role.REVIEWER:
        return qs.filter(group__members__user_id=user.pk)  # a join, not a query of its own
    return qs.none()


def visible_assessments(user) -> QuerySet[Assessment]:
    qs = Assessment.objects.select_related("unit", "indicator__round", "indicator__group")
    if sees_every_indicator(user):
        return qs
    if role_of(user) == Role.REVIEWER:
        return qs.filter(indicator__group__members__user_id=user.pk)
    if is_unit_staff(user):
        return qs.filter(unit_id=unit_id_of(user))
    return qs.none()


def can_review_indicator(user, indicator: Indicator) -> bool:
    """Decide steps and extensions on this indicator: its group's reviewers, and admins."""
    role = role_of(user)
    return role == Role.ADMIN or (role == Role.REVIEWER and indicator.group_id in group_ids_of(user))


def get_unit_for_user(request: HttpRequest, pk: int) -> Unit:
    """A unit's round page: its own staff, and everyone who sees every unit (else 404)."""
    if sees_every_unit(request.user) or (is_unit_staff(request.user) and unit_id_of(request.user) == pk):
        unit = Unit.objects.filter(pk=pk).first()
        if unit is not None:
            return unit
    raise Http404("ไม่พบข้อมูล")


def get_indicator_for_user(request: HttpRequest, pk: int) -> Indicator:
    """An indicator's department pages: unit staff 403 (require_overview), another group's reviewer 404."""
    require_overview(request)
    indicator = visible_indicators(request.user).filter(pk=pk).first()
    if indicator is None:
        raise Http404("ไม่พบข้อมูล")
    return indicator


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
        raise PermissionDenied("หน้านี้สำหรับผู้กำกับตัวชี้วัดและผู้บริหาร")
