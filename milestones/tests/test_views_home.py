import pytest
from django.urls import reverse

from milestones.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_login_page_is_thai(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "เข้าสู่ระบบ" in response.content.decode()


def test_login_is_audited_and_staff_land_on_their_unit_page(client, cast):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "pass-for-tests"})
    assert response.status_code == 302
    assert client.get(response.url).url == reverse("unit-round", args=[2563, cast.unit_a.pk])
    assert AuditEvent.objects.filter(action="login", user=cast.staff_a).exists()


def test_logout_is_audited_and_ends_the_session(login, cast):
    client = login(cast.staff_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="logout", user=cast.staff_a).count() == 1
    assert client.get(reverse("home")).status_code == 302  # to the login page again
    client.post(reverse("logout"))  # already out: nothing more to record
    assert AuditEvent.objects.filter(action="logout").count() == 1


def test_a_bad_password_shows_a_thai_error(client, cast):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "wrong"})
    assert response.status_code == 200
    assert "ชื่อผู้ใช้" in response.content.decode() or "รหัสผ่าน" in response.content.decode()
    assert not AuditEvent.objects.filter(action="login").exists()


@pytest.mark.parametrize("who", ["reviewer", "viewer", "admin"])
def test_department_roles_land_on_the_overview(login, cast, who):
    response = login(getattr(cast, who)).get(reverse("home"))
    assert response.url == reverse("overview")


def test_the_unit_page_shows_the_rubric_level_and_deadline(login, cast, before_deadline):
    response = login(cast.staff_b).get(reverse("assessment-detail", args=[cast.assessment_b.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert cast.unit_b.name in body
    assert cast.indicator.steps.get(number=3).description in body
    assert "15 กันยายน 2563" in body
    assert "เหลืออีก 45 วัน" in body
    assert "0.0000" in body
    assert "อย่างน้อย 2 ชิ้นงาน" in body


def test_the_unit_page_says_plainly_when_the_deadline_has_passed(login, cast, after_deadline):
    body = login(cast.staff_a).get(reverse("assessment-detail", args=[cast.assessment_a.pk])).content.decode()
    assert "พ้นกำหนดแล้ว" in body


@pytest.mark.parametrize(
    "who, status",
    [("staff_a", 200), ("staff_b", 404), ("reviewer", 200), ("viewer", 200), ("admin", 200)],
)
def test_unit_page_access(login, cast, who, status):
    response = login(getattr(cast, who)).get(reverse("assessment-detail", args=[cast.assessment_a.pk]))
    assert response.status_code == status


def test_anonymous_users_are_sent_to_login(client, cast):
    for url in (reverse("home"), reverse("overview"), reverse("assessment-detail", args=[cast.assessment_a.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who, status", [("staff_a", 403), ("reviewer", 200), ("viewer", 200), ("admin", 200)])
def test_overview_access(login, cast, who, status):
    assert login(getattr(cast, who)).get(reverse("overview")).status_code == status


def test_overview_lists_every_unit_with_its_weighted_score(login, cast):
    body = login(cast.viewer).get(reverse("overview")).content.decode()
    assert cast.unit_a.name in body and cast.unit_b.name in body


def test_english_is_selectable(client, cast):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in body


def test_the_admin_sites_own_login_and_logout_are_audited(client, cast):
    response = client.post(reverse("admin:login"), {"username": "admin", "password": "pass-for-tests"})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login", user=cast.admin).count() == 1
    client.post(reverse("admin:logout"))
    assert AuditEvent.objects.filter(action="logout", user=cast.admin).count() == 1
