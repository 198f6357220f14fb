from django.urls import reverse


def test_row_deletion_checkboxes_are_labelled_in_thai(login, cast, before_deadline):
    body = login(cast.staff_a).get(reverse("step-detail", args=[cast.assessment_a.pk, 3])).content.decode()
    assert "ลบรายการนี้" in body and ">Delete<" not in body
