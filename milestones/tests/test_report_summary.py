"""The department summary PDF (/reports/summary.pdf) for the management-systems group."""

import datetime as dt

import pytest
from django.urls import reverse

from milestones.models import AuditEvent, Unit, UnitKind
from milestones.reporting import reports
from milestones.services import assessments_ensure
from milestones.services.filings import filing_create, filing_record
from milestones.tests.factories import ACCEPTED_AT, accept_steps
from milestones.tests.report_helpers import built_document, glyph_problems, pdf_text, use_own_storage

URL = "report-summary"


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    use_own_storage(settings, tmp_path / "storage")


@pytest.fixture
def department(cast, before_deadline):
    """Unit A (central) at level 3, unit B (regional) at 5, and a second regional unit at 0."""
    Unit.objects.create(code="T-C", name="สำนักงานประมงจังหวัดที่สาม", kind=UnitKind.REGIONAL)
    assessments_ensure(indicator=cast.indicator)
    accept_steps(cast.assessment_a, 3, cast.staff_a, cast.reviewer, at=ACCEPTED_AT)
    accept_steps(cast.assessment_b, 5, cast.staff_b, cast.reviewer, at=ACCEPTED_AT)
    return cast


def test_totals_and_averages_by_kind(department):
    data = reports.department_summary(department.indicator)
    central, regional = data["groups"]
    assert (central.kind, central.count, str(central.total_weighted)) == ("central", 1, "0.1500")
    assert (regional.kind, regional.count, str(regional.total_weighted)) == ("regional", 2, "0.5000")
    assert str(regional.average_weighted) == "0.2500"
    assert str(regional.average_level) == "2.50"
    assert regional.level_counts == [1, 0, 0, 0, 0, 1]
    assert data["count"] == 3
    assert str(data["total_weighted"]) == "0.6500"
    assert str(data["average_weighted"]) == "0.2167"
    assert data["level_totals"] == [1, 0, 0, 1, 0, 1]


def test_the_chart_has_one_bar_per_level_and_kind_scaled_to_the_largest_count(department):
    chart = reports.department_summary(department.indicator)["chart"]
    assert len(chart["bars"]) == 6 * 2
    tallest = max(chart["bars"], key=lambda b: b.height)
    empty = [b for b in chart["bars"] if b.count == 0]
    assert tallest.count == 1 and all(b.height == 0 for b in empty)
    assert all(abs(b.y + b.height - chart["baseline"]) < 0.2 for b in chart["bars"])


def test_the_pdf_lists_every_unit_central_and_regional_apart_with_a_chart(department, login):
    client = login(department.reviewer)
    pdf = built_document(client, client.get(reverse(URL), {"indicator": department.indicator.pk}))
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "ส่วนกลาง" in text and "ส่วนภูมิภาค" in text
    assert "กองทดสอบ ก" in text and "สำนักงานประมงจังหวัดทดสอบ" in text and "สำนักงานประมงจังหวัดที่สาม" in text
    assert "0.1500" in text and "0.5000" in text and "0.6500" in text and "0.2167" in text
    assert text.index("กองทดสอบ ก") < text.index("สำนักงานประมงจังหวัดทดสอบ")
    assert b"/Subtype /Image" not in pdf  # the chart is vector (inline SVG), not a picture
    assert "ระดับ 5" in text
    assert glyph_problems(pdf) == []


def test_thai_digits_when_asked(department, login):
    client = login(department.viewer)
    text = pdf_text(
        built_document(client, client.get(reverse(URL), {"indicator": department.indicator.pk, "digits": "thai"}))
    )
    assert "๐.๖๕๐๐" in text and "0.6500" not in text


def test_the_export_is_audited(department, login):
    client = login(department.admin)
    built_document(client, client.get(reverse(URL), {"indicator": department.indicator.pk}))
    event = AuditEvent.objects.get(action="report.export")
    assert event.data == {"report": "indicator-summary", "indicator": department.indicator.pk, "digits": "arabic"}
    assert event.unit is None and event.user == department.admin


@pytest.mark.parametrize("role", ["staff_a", "staff_b"])
def test_unit_staff_get_403(cast, role, login):
    assert login(getattr(cast, role)).get(reverse(URL)).status_code == 403


@pytest.mark.parametrize("role", ["reviewer", "viewer", "admin"])
def test_department_roles_get_it_from_the_worker(cast, role, login):
    response = login(getattr(cast, role)).get(reverse(URL), {"indicator": cast.indicator.pk})
    assert response.status_code == 302 and response["Location"].startswith("/documents/")


def test_an_unknown_indicator_is_404(cast, login):
    assert login(cast.reviewer).get(reverse(URL) + "?indicator=999999").status_code == 404
    assert login(cast.reviewer).get(reverse(URL) + "?indicator=abc").status_code == 404


def test_anonymous_is_sent_to_login(cast, client):
    response = client.get(reverse(URL))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_post_is_not_allowed(cast, login):
    assert login(cast.reviewer).post(reverse(URL)).status_code == 405


def test_the_esaraban_numbers_recorded_are_listed(department, login):
    filing = filing_create(
        assessment=department.assessment_b,
        user=department.staff_b,
        memo_number="กษ 1/2563",
        memo_date=dt.date(2020, 9, 1),
        recipient="ผู้อำนวยการกลุ่มพัฒนาระบบบริหาร",
        signer_name="นายประมง",
        signer_position="ประมงจังหวัด",
    )
    filing_record(
        filing=filing, user=department.staff_b, esaraban_number="กษ 0509.2/ว 88", esaraban_date=dt.date(2020, 9, 3)
    )
    data = reports.department_summary(department.indicator)
    assert data["filed_count"] == 1
    rows = {r.code: r for g in data["groups"] for r in g.rows}
    assert rows["T-B"].esaraban_number == "กษ 0509.2/ว 88" and rows["T-A"].esaraban_number == ""
    client = login(department.reviewer)
    text = pdf_text(built_document(client, client.get(reverse(URL), {"indicator": department.indicator.pk})))
    assert "กษ 0509.2/ว 88" in text and "3 ก.ย. 2563" in text
    assert "รายงานผลทางระบบ E-saraban แล้ว 1 จาก 3 หน่วยงาน" in text
