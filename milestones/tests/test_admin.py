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


def _accept_step_1(assessment):
    from milestones.models import StepStatus

    assessment.steps.filter(step__number=1).update(status=StepStatus.ACCEPTED, accepted_at="2020-08-01T00:00Z")


def test_deleting_a_weight_in_the_admin_recalculates_weighted_scores(login, cast):
    from milestones.models import Weight
    from milestones.services import assessments_recalculate

    _accept_step_1(cast.assessment_a)
    assessments_recalculate(indicator=cast.indicator)
    weight = Weight.objects.get(indicator=cast.indicator, unit_kind="central")
    response = login(cast.admin).post(reverse("admin:milestones_weight_delete", args=[weight.pk]), {"post": "yes"})
    assert response.status_code == 302
    cast.assessment_a.refresh_from_db()
    assert (cast.assessment_a.level, str(cast.assessment_a.weighted_score)) == (1, "0.0000")


def test_deleting_weights_with_the_bulk_action_recalculates_too(login, cast):
    from milestones.models import Weight
    from milestones.services import assessments_recalculate

    _accept_step_1(cast.assessment_b)
    assessments_recalculate(indicator=cast.indicator)
    weights = Weight.objects.filter(indicator=cast.indicator)
    response = login(cast.admin).post(
        reverse("admin:milestones_weight_changelist"),
        {"action": "delete_selected", "_selected_action": [w.pk for w in weights], "post": "yes"},
    )
    assert response.status_code == 302 and not Weight.objects.exists()
    cast.assessment_b.refresh_from_db()
    assert str(cast.assessment_b.weighted_score) == "0.0000"


def test_changing_a_units_kind_in_the_admin_gives_it_the_other_weight(login, cast):
    from milestones.services import assessments_recalculate

    _accept_step_1(cast.assessment_a)
    assessments_recalculate(indicator=cast.indicator)
    unit = cast.unit_a
    response = login(cast.admin).post(
        reverse("admin:milestones_unit_change", args=[unit.pk]),
        {"code": unit.code, "name": unit.name, "kind": "regional", "is_active": "on"},
    )
    assert response.status_code == 302
    cast.assessment_a.refresh_from_db()
    assert (str(cast.assessment_a.weight), str(cast.assessment_a.weighted_score)) == ("10.00", "0.1000")


def test_a_unit_added_in_the_admin_gets_its_assessment(login, cast):
    from milestones.models import Assessment

    response = login(cast.admin).post(
        reverse("admin:milestones_unit_add"), {"code": "T-N", "name": "กองใหม่", "kind": "central", "is_active": "on"}
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(unit__code="T-N", indicator=cast.indicator)
    assert assessment.steps.count() == cast.indicator.steps.count() and str(assessment.weight) == "5.00"


def test_a_parent_loop_is_refused_in_the_admin_and_nothing_changes(login, cast):
    from milestones.models import Unit

    child = Unit.objects.create(code="T-C", name="ศูนย์ทดสอบ", kind="regional", parent=cast.unit_a)
    grandchild = Unit.objects.create(code="T-G", name="หน่วยย่อย", kind="regional", parent=child)
    unit = cast.unit_a
    response = login(cast.admin).post(
        reverse("admin:milestones_unit_change", args=[unit.pk]),
        {"code": unit.code, "name": unit.name, "kind": unit.kind, "is_active": "on", "parent": grandchild.pk},
    )
    assert response.status_code == 200
    assert "สายการสังกัดวนกลับมาที่หน่วยงานนี้" in response.content.decode()
    unit.refresh_from_db()
    assert unit.parent is None


def test_a_new_step_in_the_admin_gets_a_progress_row_in_every_assessment(login, cast):
    from milestones.models import Step

    number = cast.indicator.steps.count() + 1
    response = login(cast.admin).post(
        reverse("admin:milestones_step_add"),
        {
            "indicator": cast.indicator.pk,
            "number": number,
            "description": "ขั้นตอนเพิ่ม",
            "score": "6",
            "form_kind": "files",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    step = Step.objects.get(indicator=cast.indicator, number=number)
    assert cast.assessment_a.steps.filter(step=step).exists() and cast.assessment_b.steps.filter(step=step).exists()


def _change_form_data(response) -> dict:
    """The POST data of an admin change page as rendered: the main form and every inline formset."""
    data = {}

    def add(form):
        for field in form:
            value = field.value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            data[field.html_name] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = str(value)
        for form in formset.forms:
            add(form)
    return data


def test_a_step_added_inline_on_the_indicator_page_gets_progress_rows(login, cast):
    from milestones.models import Step, StepProgress

    client = login(cast.admin)
    url = reverse("admin:milestones_indicator_change", args=[cast.indicator.pk])
    data = _change_form_data(client.get(url))
    prefix = next(k.removesuffix("-TOTAL_FORMS") for k in data if k.startswith("steps") and k.endswith("-TOTAL_FORMS"))
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    number = cast.indicator.steps.count() + 1
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": str(n + 1),
            f"{prefix}-{n}-indicator": str(cast.indicator.pk),
            f"{prefix}-{n}-number": str(number),
            f"{prefix}-{n}-description": "ขั้นตอนเพิ่มจากหน้าตัวชี้วัด",
            f"{prefix}-{n}-score": "6",
            f"{prefix}-{n}-form_kind": "files",
        }
    )
    assert client.post(url, data).status_code == 302
    step = Step.objects.get(indicator=cast.indicator, number=number)
    assert StepProgress.objects.filter(step=step).count() == 2  # unit A and unit B


def test_editing_a_step_of_a_closed_round_does_not_add_units_created_since(login, cast):
    from milestones.models import Assessment, Unit

    cast.indicator.round.is_open = False
    cast.indicator.round.save()
    late = Unit.objects.create(code="T-NEW", name="หน่วยงานตั้งใหม่", kind="central")
    step = cast.indicator.steps.get(number=1)
    response = login(cast.admin).post(
        reverse("admin:milestones_step_change", args=[step.pk]),
        {
            "number": 1,
            "description": step.description + " (แก้คำผิด)",
            "score": str(step.score),
            "form_kind": step.form_kind,
        },
    )
    assert response.status_code == 302
    assert not Assessment.objects.filter(unit=late).exists()


def test_a_steps_indicator_cannot_be_changed_once_it_exists(login, cast):
    step = cast.indicator.steps.get(number=1)
    form = login(cast.admin).get(reverse("admin:milestones_step_change", args=[step.pk])).context["adminform"].form
    assert "indicator" not in form.fields


# --- admin edits in the product's audit log (issue 15) ------------------------------------------
def test_adding_a_unit_in_the_admin_is_in_the_audit_log_with_the_unit(login, cast):
    from django.contrib.admin.models import LogEntry

    from milestones.models import AuditEvent, Unit

    client = login(cast.admin)
    response = client.post(
        reverse("admin:milestones_unit_add"),
        {"code": "T-C", "name": "กองใหม่", "name_en": "", "kind": "central", "phone": "", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    unit = Unit.objects.get(code="T-C")
    event = AuditEvent.objects.get(action="admin.add")
    assert (event.user, event.unit, event.object_type, event.object_id) == (
        cast.admin,
        unit,
        "milestones.unit",
        str(unit.pk),
    )
    assert "กองใหม่" in event.message
    assert LogEntry.objects.filter(object_id=str(unit.pk)).exists()


def test_changing_a_round_in_the_admin_records_what_changed(login, cast):
    from milestones.models import AuditEvent

    round_ = cast.indicator.round
    client = login(cast.admin)
    response = client.post(
        reverse("admin:milestones_round_change", args=[round_.pk]),
        {"fiscal_year": round_.fiscal_year, "title": "รอบที่แก้ไข", "deadline": "2020-09-15", "is_open": "on"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.change")
    assert event.object_type == "milestones.round" and event.data["model"] == "milestones.round"
    assert "title" in str(event.data["change"]) or "ชื่อรอบการประเมิน" in event.message


def test_a_bulk_delete_in_the_admin_writes_one_audit_event_per_object(login, cast):
    from milestones.models import AuditEvent, Weight

    weights = list(Weight.objects.filter(indicator=cast.indicator))
    client = login(cast.admin)
    response = client.post(
        reverse("admin:milestones_weight_changelist"),
        {"action": "delete_selected", "_selected_action": [w.pk for w in weights], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Weight.objects.filter(indicator=cast.indicator).exists()
    deleted = AuditEvent.objects.filter(action="admin.delete")
    assert sorted(deleted.values_list("object_id", flat=True)) == sorted(str(w.pk) for w in weights)
    assert all(e.unit is None and e.user == cast.admin for e in deleted)


def test_a_password_set_in_the_admin_is_in_the_audit_log(login, cast):
    from milestones.models import AuditEvent

    client = login(cast.admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[cast.staff_a.pk]),
        {"password1": "a-new-pass-for-2563", "password2": "a-new-pass-for-2563", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:800]
    event = AuditEvent.objects.get(action="admin.change")
    assert event.object_type == "auth.user" and event.object_id == str(cast.staff_a.pk)
    assert "a-new-pass" not in event.message and "a-new-pass" not in str(event.data)
