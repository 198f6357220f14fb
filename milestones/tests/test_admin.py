import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_model_of_ours_is_in_the_admin():
    ours = [m for m in apps.get_models() if m._meta.app_label in {"milestones", "evidence"}]
    missing = [
        m.__name__ for m in ours if m not in admin.site._registry and m.__name__ != "Profile"
    ]  # Profile: an inline of the user admin
    assert missing == []


def test_admin_changelists_and_search_work(login, cast):
    client = login(cast.admin)
    for model, _ in admin.site._registry.items():
        if model._meta.app_label not in {"milestones", "evidence", "auth"}:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url, {"q": "ทดสอบ"}).status_code == 200, url


def test_admin_change_pages_render_in_thai(login, cast):
    client = login(cast.admin)
    response = client.get(reverse("admin:milestones_indicator_change", args=[cast.indicator.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "ผู้กำกับตัวชี้วัด" in body and "น้ำหนัก (ร้อยละ)" in body


def test_the_audit_log_is_read_only_in_the_admin(login, cast):
    from milestones.models import AuditEvent

    event = AuditEvent.objects.create(action="login", username="x")
    client = login(cast.admin)
    assert client.get(reverse("admin:milestones_auditevent_add")).status_code == 403
    assert (
        client.post(reverse("admin:milestones_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    )


def test_unit_staff_cannot_use_the_admin(login, cast):
    response = login(cast.staff_a).get(reverse("admin:index"))
    assert response.status_code == 302


def test_changing_a_weight_in_the_admin_recalculates_weighted_scores(login, cast):
    from milestones.models import StepStatus, Weight

    cast.assessment_a.steps.filter(step__number=1).update(status=StepStatus.ACCEPTED, accepted_at="2020-08-01T00:00Z")
    weight = Weight.objects.get(indicator=cast.indicator, unit_kind="central")
    client = login(cast.admin)
    response = client.post(
        reverse("admin:milestones_weight_change", args=[weight.pk]),
        {"indicator": cast.indicator.pk, "unit_kind": "central", "percent": "8"},
    )
    assert response.status_code == 302
    cast.assessment_a.refresh_from_db()
    assert str(cast.assessment_a.weighted_score) == "0.0800"
