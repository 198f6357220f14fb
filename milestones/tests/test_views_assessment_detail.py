import pytest
from django.urls import reverse

from evidence.services import step_submit
from evidence.tests.factories import fill_step, progress_of
from milestones.models import Unit, UnitKind
from milestones.services import assessments_ensure

pytestmark = pytest.mark.django_db


def add_units(cast, n: int) -> None:
    Unit.objects.bulk_create(
        [
            Unit(code=f"Q-{i:04d}", name=f"หน่วยงาน {i}", kind=UnitKind.CENTRAL if i % 2 else UnitKind.REGIONAL)
            for i in range(n)
        ]
    )
    assessments_ensure(indicator=cast.indicator)


@pytest.mark.parametrize("n_units", [5, 500])
@pytest.mark.parametrize("who", ["staff_a", "reviewer"])
def test_the_unit_page_takes_a_fixed_number_of_queries(
    login, cast, before_deadline, django_assert_max_num_queries, n_units, who
):
    add_units(cast, n_units)
    for number in (1, 2):
        progress = progress_of(cast.assessment_a, number)
        fill_step(progress, cast.staff_a)
        step_submit(progress=progress, user=cast.staff_a)
    client = login(getattr(cast, who))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("assessment-detail", args=[cast.assessment_a.pk]))
    assert response.status_code == 200


def test_each_step_card_links_to_its_step_page_with_who_changed_it_and_when(login, cast, before_deadline):
    progress = progress_of(cast.assessment_a, 2)
    fill_step(progress, cast.staff_a)
    step_submit(progress=progress, user=cast.staff_a)
    body = login(cast.staff_a).get(reverse("assessment-detail", args=[cast.assessment_a.pk])).content.decode()
    for number in range(1, 6):
        assert reverse("step-detail", args=[cast.assessment_a.pk, number]) in body
    assert "ส่งแล้ว รอตรวจ" in body and "1 ส.ค. 2563 10:00 น." in body and "staff_a" in body
    assert "กรอกข้อมูลและแนบหลักฐาน" in body


def test_reviewers_get_a_view_link_not_an_edit_link(login, cast, before_deadline):
    body = login(cast.reviewer).get(reverse("assessment-detail", args=[cast.assessment_a.pk])).content.decode()
    assert "ดูรายละเอียด" in body and "กรอกข้อมูลและแนบหลักฐาน" not in body


def test_the_unit_page_refuses_post(login, cast):
    assert login(cast.staff_a).post(reverse("assessment-detail", args=[cast.assessment_a.pk])).status_code == 405
