"""Every POST in the access matrix is refused (403, Thai page) without a CSRF token, for a user
who could otherwise make it; and nothing happens."""

import pytest
from django.test import Client

from milestones.models import AuditEvent
from tests.test_access_matrix import MATRIX, ROLES, World, url_for, user_for

CSRF_THAI = "ไม่สามารถยืนยันแบบฟอร์มได้"


ANONYMOUS_FORMS = {"login"}  # POST forms open to anonymous users


def _post_cases():
    for name, row in MATRIX.items():
        statuses = row.expect.get("POST", {})
        # The first logged-in role that gets through to the view (not 403/404/405).
        role = next((r for r in ROLES if r != "anonymous" and statuses.get(r) in {200, 302}), None)
        if role:
            yield pytest.param(name, role, id=f"{name}-{role}")
        if name in ANONYMOUS_FORMS:
            yield pytest.param(name, "anonymous", id=f"{name}-anonymous")


@pytest.mark.parametrize("name, role", list(_post_cases()))
def test_a_post_without_a_csrf_token_is_refused(cast, before_deadline, name, role):
    world = World(cast)
    url = url_for(world, name)
    client = Client(enforce_csrf_checks=True)
    user = user_for(world, role)
    if user is not None:
        client.force_login(user)
    events = AuditEvent.objects.count()
    response = client.post(url, MATRIX[name].data(world))
    assert response.status_code == 403, f"POST {name} as {role} without a token"
    assert CSRF_THAI in response.content.decode()
    assert AuditEvent.objects.count() == events


def test_a_post_with_the_token_from_the_page_is_accepted(cast):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/login/")
    token = page.context["csrf_token"]
    response = client.post(
        "/login/", {"username": "staff_a", "password": "pass-for-tests", "csrfmiddlewaretoken": str(token)}
    )
    assert response.status_code == 302
