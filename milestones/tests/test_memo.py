"""The cover memo: the unit's short form (creates a Filing) and the memo PDF."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from evidence.tests.factories import add_evidence
from milestones.models import AuditEvent, Filing
from milestones.tests.factories import ACCEPTED_AT, accept_steps, sample_filing
from milestones.tests.report_helpers import embedded_fonts, glyph_problems, pdf_text, use_own_storage

FORM = {
    "memo_number": "กษ 0509/123",
    "memo_date": "2020-09-01",
    "recipient": "ผู้อำนวยการกลุ่มพัฒนาระบบบริหาร",
    "signer_name": "นายสมชาย ใจดี",
    "signer_position": "ผู้อำนวยการกองทดสอบ ก",
}


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    use_own_storage(settings, tmp_path / "storage")


@pytest.fixture
def filing(cast, before_deadline):
    accept_steps(cast.assessment_a, 3, cast.staff_a, cast.reviewer, at=ACCEPTED_AT)
    add_evidence(cast.assessment_a, 1, "คำสั่ง.pdf", b"%PDF order", cast.staff_a, requirement_number=1)
    add_evidence(cast.assessment_a, 3, "ประชุม.jpg", b"jpeg", cast.staff_a, requirement_number=3)
    return sample_filing(cast.assessment_a, cast.staff_a)


def create_url(cast) -> str:
    return reverse("report-memo-create", args=[cast.assessment_a.pk])


def test_the_form_offers_the_default_recipient_and_today(cast, login, before_deadline):
    response = login(cast.staff_a).get(create_url(cast))
    assert response.status_code == 200
    assert "ผู้อำนวยการกลุ่มพัฒนาระบบบริหาร" in response.text
    assert 'value="2020-08-01"' in response.text


def test_the_unit_creates_a_filing_and_it_is_audited(cast, login, before_deadline):
    response = login(cast.staff_a).post(create_url(cast), FORM)
    assert response.status_code == 302 and response["Location"] == reverse(
        "assessment-detail", args=[cast.assessment_a.pk]
    )
    filing = Filing.objects.get(assessment=cast.assessment_a)
    assert (filing.memo_number, filing.memo_date, filing.signer_name) == (
        "กษ 0509/123",
        dt.date(2020, 9, 1),
        "นายสมชาย ใจดี",
    )
    assert filing.created_by == cast.staff_a
    event = AuditEvent.objects.get(action="filing.create")
    assert event.unit == cast.unit_a and event.object_id == str(filing.pk)


def test_missing_fields_get_thai_messages_and_nothing_is_saved(cast, login, before_deadline):
    response = login(cast.staff_a).post(create_url(cast), {**FORM, "memo_number": " ", "signer_name": ""})
    assert response.status_code == 200
    assert "กรุณาระบุเลขที่หนังสือ" in response.text and "กรุณาระบุชื่อผู้ลงนาม" in response.text
    assert not Filing.objects.exists() and not AuditEvent.objects.filter(action="filing.create").exists()


def test_a_date_typed_as_buddhist_era_is_refused(cast, login, before_deadline):
    response = login(cast.staff_a).post(create_url(cast), {**FORM, "memo_date": "2563-09-01"})
    assert response.status_code == 200
    assert "อาจระบุเป็นปี พ.ศ." in response.text
    assert not Filing.objects.exists()


def test_a_date_before_the_rounds_fiscal_year_is_refused(cast, login, before_deadline):
    response = login(cast.staff_a).post(create_url(cast), {**FORM, "memo_date": "2019-09-30"})
    assert "วันที่ต้องไม่ก่อนเริ่มปีงบประมาณ" in response.text
    assert not Filing.objects.exists()


def test_the_form_remembers_the_last_signer(cast, filing, login):
    response = login(cast.staff_a).get(create_url(cast))
    assert "นายสมชาย ใจดี" in response.text


@pytest.mark.parametrize("role", ["reviewer", "viewer", "admin"])
def test_department_roles_cannot_create_a_memo(cast, role, login, before_deadline):
    client = login(getattr(cast, role))
    assert client.get(create_url(cast)).status_code == 403
    assert client.post(create_url(cast), FORM).status_code == 403
    assert not Filing.objects.exists()


def test_other_units_staff_get_404(cast, login, before_deadline):
    assert login(cast.staff_b).post(create_url(cast), FORM).status_code == 404
    assert not Filing.objects.exists()


def test_the_memo_form_rejects_other_methods(cast, login):
    assert login(cast.staff_a).put(create_url(cast)).status_code == 405


def test_the_memo_pdf_has_the_government_memo_layout(cast, filing, login):
    response = login(cast.staff_a).get(reverse("report-memo", args=[filing.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for label in ("บันทึกข้อความ", "ส่วนราชการ", "ที่", "วันที่", "เรื่อง", "เรียน"):
        assert label in text
    assert "กองทดสอบ ก" in text and "กรมประมง" in text
    assert "กษ 0509/123" in text and "1 กันยายน 2563" in text
    assert "รายงานผลการดำเนินงานตามตัวชี้วัดที่ 2" in text
    assert "ผู้อำนวยการกลุ่มพัฒนาระบบบริหาร" in text
    assert "ระดับ 3" in text and "0.1500" in text
    assert "1-คำสั่ง.pdf" in text and "3-ประชุม.jpg" in text  # the attachments, as named in the package
    assert "(นายสมชาย ใจดี)" in text and "ผู้อำนวยการกองทดสอบ ก" in text
    assert glyph_problems(response.content) == []
    assert all("Sarabun" in f["name"] and f["file_key"] == "/FontFile2" for f in embedded_fonts(response.content))


def test_the_memo_gives_the_units_phone_on_the_ส่วนราชการ_line_when_it_has_one(cast, filing, login):
    assert "โทร." not in pdf_text(login(cast.staff_a).get(reverse("report-memo", args=[filing.pk])).content)
    cast.unit_a.phone = "0 2562 0527"
    cast.unit_a.save()
    text = pdf_text(login(cast.staff_a).get(reverse("report-memo", args=[filing.pk])).content)
    assert "โทร. 0 2562 0527" in text


def test_the_memo_is_set_at_16_points(cast, filing, login):
    content = login(cast.staff_a).get(reverse("report-memo", args=[filing.pk])).content
    sizes = []

    def visit(text, cm, tm, font, size):  # size x text matrix x page matrix = points on paper
        if text.strip():
            sizes.append(round(abs(tm[0] * size * cm[0]), 1))

    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=visit)
    assert sizes.count(16.0) > len(sizes) / 2  # the body; the heading is 29pt and the labels 20pt
    assert 29.0 in sizes and 20.0 in sizes


def test_the_memo_in_thai_digits(cast, filing, login):
    text = pdf_text(login(cast.staff_a).get(reverse("report-memo", args=[filing.pk]) + "?digits=thai").content)
    assert "กษ ๐๕๐๙/๑๒๓" in text and "๑ กันยายน ๒๕๖๓" in text and "๐.๑๕๐๐" in text


@pytest.mark.parametrize("role", ["reviewer", "viewer", "admin"])
def test_department_roles_see_the_memo(cast, filing, role, login):
    response = login(getattr(cast, role)).get(reverse("report-memo", args=[filing.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="report.export")
    assert event.data["report"] == "memo" and event.unit == cast.unit_a


def test_other_units_staff_cannot_see_the_memo(cast, filing, login):
    assert login(cast.staff_b).get(reverse("report-memo", args=[filing.pk])).status_code == 404


def test_an_unknown_filing_is_404(cast, login):
    assert login(cast.reviewer).get(reverse("report-memo", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_login(cast, filing, client):
    response = client.get(reverse("report-memo", args=[filing.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_post_to_the_memo_pdf_is_not_allowed(cast, filing, login):
    assert login(cast.staff_a).post(reverse("report-memo", args=[filing.pk])).status_code == 405


def test_the_unit_page_offers_the_exports_to_its_staff(cast, filing, login):
    page = login(cast.staff_a).get(reverse("assessment-detail", args=[cast.assessment_a.pk])).text
    assert reverse("report-unit", args=[cast.assessment_a.pk]) in page
    assert reverse("report-memo-create", args=[cast.assessment_a.pk]) in page
    assert reverse("report-package", args=[filing.pk]) in page
    assert reverse("report-esaraban-record", args=[filing.pk]) in page


def test_reviewers_see_the_exports_but_not_the_unit_forms(cast, filing, login):
    page = login(cast.reviewer).get(reverse("assessment-detail", args=[cast.assessment_a.pk])).text
    assert reverse("report-unit", args=[cast.assessment_a.pk]) in page
    assert reverse("report-memo", args=[filing.pk]) in page
    assert reverse("report-memo-create", args=[cast.assessment_a.pk]) not in page
    assert reverse("report-esaraban-record", args=[filing.pk]) not in page
