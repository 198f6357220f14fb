"""The unit score report PDF (/reports/assessments/<pk>/score.pdf)."""

import pytest
from django.urls import reverse

from evidence.tests.factories import add_evidence
from kpi_tracker.lib import pdf as pdf_lib
from milestones.models import AuditEvent, DecisionKind
from milestones.tests.factories import ACCEPTED_AT, accept_steps, decide, submit
from milestones.tests.report_helpers import embedded_fonts, glyph_problems, pdf_text, use_own_storage


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    use_own_storage(settings, tmp_path / "storage")


@pytest.fixture
def unit_a(cast, before_deadline):
    """Unit A at level 3 with two evidence files and a returned-then-accepted step 4 comment."""
    a = cast.assessment_a
    accept_steps(a, 3, cast.staff_a, cast.reviewer, at=ACCEPTED_AT)
    submit(a, 4, cast.staff_a, at=ACCEPTED_AT)
    decide(a, 4, cast.reviewer, DecisionKind.RETURNED, "แผนยังไม่ระบุปีงบประมาณ หนี้ นี้ ลิ้น เยิ้ม", at=ACCEPTED_AT)
    cast.reviewer.first_name, cast.reviewer.last_name = "สมศรี", "ตรวจดี"
    cast.reviewer.save()
    add_evidence(a, 1, "คำสั่ง.pdf", b"%PDF-1.4 order", cast.staff_a, requirement_number=1)
    add_evidence(a, 3, "Zoom ครั้งที่ 1.jpg", b"jpeg bytes", cast.staff_a, requirement_number=3)
    a.refresh_from_db()
    return a


def url(assessment, **query) -> str:
    base = reverse("report-unit", args=[assessment.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_report_shows_unit_level_weighted_score_steps_evidence_and_comments(cast, unit_a, login):
    response = login(cast.staff_a).get(url(unit_a))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "กองทดสอบ ก" in text and "ส่วนกลาง" in text
    assert "กรมประมง" in text and "ปีงบประมาณ พ.ศ. 2563" in text
    assert "ตัวชี้วัดที่ 2" in text and "เทคโนโลยีดิจิทัล" in text
    assert unit_a.level == 3
    assert "0.1500" in text  # 3 x 5% to 4 decimals
    assert "3.0000" in text
    assert "3 ส.ค. 2563" in text  # accepted (B.E.)
    assert "สมศรี ตรวจดี" in text  # the reviewer who accepted
    assert "คำสั่ง.pdf" in text and "Zoom ครั้งที่ 1.jpg" in text
    assert "20 ก.ค. 2563" in text  # evidence date
    assert "แผนยังไม่ระบุปีงบประมาณ" in text  # the returned step's comment
    assert "ลงชื่อ" in text and "ตำแหน่ง" in text and "วันที่" in text
    assert "หน้า 1/" in text


def test_the_report_stays_thai_when_the_interface_is_english(cast, unit_a, login):
    client = login(cast.staff_a)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = pdf_text(client.get(url(unit_a)).content)
    assert "ปีงบประมาณ พ.ศ. 2563" in text and "3 ส.ค. 2563" in text and "ลงชื่อ" in text
    assert "Fiscal year" not in text and "B.E." not in text


def test_the_report_lists_the_short_sha256_of_each_current_file_only(cast, unit_a, login):
    files = list(unit_a.steps.get(step__number=1).files.all())
    removed = add_evidence(unit_a, 1, "ฉบับเก่า.pdf", b"old", cast.staff_a, requirement_number=1)
    removed.removed_at = removed.uploaded_at
    removed.save()
    text = pdf_text(login(cast.reviewer).get(url(unit_a)).content)
    assert files[0].sha256[:12] in text
    assert "ฉบับเก่า.pdf" not in text


def test_the_font_is_embedded_and_thai_marks_are_drawn(cast, unit_a, login):
    content = login(cast.staff_a).get(url(unit_a)).content
    fonts = embedded_fonts(content)
    assert fonts and all(f["file_key"] == "/FontFile2" and "Sarabun" in f["name"] for f in fonts)
    assert glyph_problems(content) == []
    assert "หนี้ นี้ ลิ้น เยิ้ม" in pdf_text(content)


def test_thai_digits_when_asked(cast, unit_a, login):
    text = pdf_text(login(cast.staff_a).get(url(unit_a, digits="thai")).content)
    assert "๐.๑๕๐๐" in text
    assert "๓ ส.ค. ๒๕๖๓" in text
    assert "หน้า ๑/" in text
    assert "0.1500" not in text
    # Identifiers keep their digits: file names (as in the package), hashes, "SHA-256".
    sha = unit_a.steps.get(step__number=3).files.get().sha256[:12]
    assert "Zoom ครั้งที่ 1.jpg" in text and sha in text and "SHA-256" in text


def test_every_export_is_audited(cast, unit_a, login):
    login(cast.viewer).get(url(unit_a, digits="thai"))
    event = AuditEvent.objects.get(action="report.export")
    assert event.unit == cast.unit_a
    assert event.user == cast.viewer
    assert event.data == {"report": "unit", "digits": "thai"}


def test_a_second_export_is_served_from_cache_and_a_new_decision_makes_a_new_pdf(cast, unit_a, login, monkeypatch):
    calls = []
    real = pdf_lib.html_to_pdf
    monkeypatch.setattr(pdf_lib, "html_to_pdf", lambda html: calls.append(1) or real(html))
    client = login(cast.staff_a)
    first = client.get(url(unit_a)).content
    second = client.get(url(unit_a)).content
    assert first == second and len(calls) == 1
    submit(unit_a, 4, cast.staff_a, at=ACCEPTED_AT)
    decide(unit_a, 4, cast.reviewer, DecisionKind.ACCEPTED, at=ACCEPTED_AT)
    third = client.get(url(unit_a)).content
    assert len(calls) == 2 and third != first
    assert "0.2000" in pdf_text(third)


def test_other_units_staff_get_404(cast, unit_a, login):
    assert login(cast.staff_b).get(url(unit_a)).status_code == 404
    assert not AuditEvent.objects.filter(action="report.export").exists()


@pytest.mark.parametrize("role", ["reviewer", "viewer", "admin"])
def test_department_roles_get_any_units_report(cast, role, login):
    response = login(getattr(cast, role)).get(url(cast.assessment_b))
    assert response.status_code == 200
    assert "สำนักงานประมงจังหวัดทดสอบ" in pdf_text(response.content)


def test_anonymous_is_sent_to_login(cast, client):
    response = client.get(url(cast.assessment_a))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_post_is_not_allowed(cast, login):
    assert login(cast.staff_a).post(url(cast.assessment_a)).status_code == 405
