"""What the navigation bar may offer this user, as flags decided by milestones.rules.access
(templates show or hide links; they never compare roles)."""

from milestones.rules.access import can_review, is_unit_staff, sees_every_unit


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_my_unit": is_unit_staff(user),
        "nav_department": sees_every_unit(user),
        "nav_audit": can_review(user),
        "nav_admin": user.is_staff,  # Django's own flag for the admin site
    }
