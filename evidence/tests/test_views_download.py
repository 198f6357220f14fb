import pytest
from django.urls import reverse

from evidence.services import evidence_add
from evidence.tests.factories import ooxml_bytes, pdf_bytes, png_bytes, progress_of, upload
from milestones.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdf(cast, before_deadline):
    return evidence_add(
        progress=progress_of(cast.assessment_a, 1),
        user=cast.staff_a,
        upload=upload("หนังสือสั่งการ ฉบับที่ 1.pdf", pdf_bytes()),
    )


def test_download_streams_the_file_with_the_thai_name_rfc5987_and_an_ascii_fallback(login, cast, pdf):
    response = login(cast.staff_a).get(reverse("evidence-download", args=[pdf.pk]))
    assert response.status_code == 200 and response.streaming
    assert b"".join(response.streaming_content) == pdf_bytes()
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E0%B8%AB%E0%B8%99" in disposition
    assert disposition.encode("ascii")  # the header itself is plain ASCII
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="evidence.download", object_id=str(pdf.pk), user=cast.staff_a).exists()


@pytest.mark.parametrize(
    "who, status", [("staff_a", 200), ("staff_b", 404), ("reviewer", 200), ("viewer", 200), ("admin", 200)]
)
def test_download_access(login, cast, pdf, who, status):
    assert login(getattr(cast, who)).get(reverse("evidence-download", args=[pdf.pk])).status_code == status


@pytest.mark.parametrize("name", ["evidence-download", "evidence-preview"])
def test_file_urls_send_anonymous_users_to_login_and_refuse_post(client, login, cast, pdf, name):
    response = client.get(reverse(name, args=[pdf.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert login(cast.staff_a).post(reverse(name, args=[pdf.pk])).status_code == 405


def test_a_missing_file_is_404(login, cast, pdf):
    assert login(cast.reviewer).get(reverse("evidence-download", args=[pdf.pk + 100])).status_code == 404


def test_removed_files_stay_downloadable_from_the_history(login, cast, pdf):
    from evidence.services import evidence_remove

    evidence_remove(evidence=pdf, user=cast.staff_a)
    assert login(cast.reviewer).get(reverse("evidence-download", args=[pdf.pk])).status_code == 200


def test_pdf_preview_is_inline_nosniff_sandboxed_and_only_framed_by_our_pages(login, cast, pdf):
    response = login(cast.reviewer).get(reverse("evidence-preview", args=[pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; frame-ancestors 'self'"


def test_image_preview_is_sandboxed(login, cast, before_deadline):
    png = evidence_add(
        progress=progress_of(cast.assessment_a, 1), user=cast.staff_a, upload=upload("ภาพ.png", png_bytes())
    )
    response = login(cast.reviewer).get(reverse("evidence-preview", args=[png.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"].startswith("sandbox;")


@pytest.mark.parametrize(
    "who, status", [("staff_a", 200), ("staff_b", 404), ("reviewer", 200), ("viewer", 200), ("admin", 200)]
)
def test_preview_access(login, cast, pdf, who, status):
    assert login(getattr(cast, who)).get(reverse("evidence-preview", args=[pdf.pk])).status_code == status


def test_office_files_have_no_preview(login, cast, before_deadline):
    docx = evidence_add(
        progress=progress_of(cast.assessment_a, 1), user=cast.staff_a, upload=upload("a.docx", ooxml_bytes())
    )
    assert login(cast.reviewer).get(reverse("evidence-preview", args=[docx.pk])).status_code == 403
