from milestones.rules.access import can_review, role_of, sees_every_unit, unit_id_of


def role(request):
    """The user's role, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "user_role": role_of(user),
        "user_sees_every_unit": sees_every_unit(user),
        "user_can_review": can_review(user),
        "user_unit_id": unit_id_of(user),
    }
