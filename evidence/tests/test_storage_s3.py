"""The S3 path against a real S3 protocol server (moto's standalone server, started by the s3_server fixture)."""

import urllib.request

import pytest
from django.urls import reverse

from evidence.models import EvidenceFile
from evidence.tests.factories import pdf_bytes, png_bytes, upload

pytestmark = pytest.mark.django_db


def upload_url(cast):
    return reverse("evidence-upload", args=[cast.assessment_a.pk, 1])


def test_upload_goes_to_the_bucket_and_download_is_a_short_lived_presigned_url(
    login, cast, before_deadline, s3_storage
):
    client = login(cast.staff_a)
    client.post(upload_url(cast), {"files": [upload("หนังสือสั่งการ.pdf", pdf_bytes())], "evidence_date": "15/06/2563"})
    row = EvidenceFile.objects.get()
    assert s3_storage.exists(row.stored_name)

    response = client.get(reverse("evidence-download", args=[row.pk]))
    assert response.status_code == 302
    assert "X-Amz-Expires=300" in response.url and "X-Amz-Signature=" in response.url
    with urllib.request.urlopen(response.url, timeout=10) as fetched:
        assert fetched.read() == pdf_bytes()
        disposition = fetched.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E0%B8%AB%E0%B8%99" in disposition


def test_objects_are_private(login, cast, before_deadline, s3_storage, s3_server):
    login(cast.staff_a).post(upload_url(cast), {"files": [upload("a.pdf", pdf_bytes())], "evidence_date": "15/06/2563"})
    row = EvidenceFile.objects.get()
    bucket = s3_storage.bucket_name
    acl = s3_storage.connection.meta.client.get_object_acl(Bucket=bucket, Key=row.stored_name)
    assert not any(g["Grantee"].get("URI", "").endswith("AllUsers") for g in acl["Grants"])


def test_two_files_with_the_same_name_both_survive(login, cast, before_deadline, s3_storage):
    client = login(cast.staff_a)
    client.post(upload_url(cast), {"files": [upload("รายงาน.pdf", pdf_bytes("one"))], "evidence_date": "15/06/2563"})
    client.post(upload_url(cast), {"files": [upload("รายงาน.pdf", pdf_bytes("two"))], "evidence_date": "15/06/2563"})
    first, second = EvidenceFile.objects.order_by("id")
    assert first.stored_name != second.stored_name
    assert s3_storage.open(first.stored_name).read() == pdf_bytes("one")
    assert s3_storage.open(second.stored_name).read() == pdf_bytes("two")


@pytest.mark.parametrize("name, data", [("ภาพ.pdf", pdf_bytes("preview")), ("ภาพ.png", png_bytes())])
def test_a_preview_on_s3_comes_through_the_app_with_nosniff_and_a_sandbox(
    login, cast, before_deadline, s3_storage, name, data
):
    """S3 cannot send nosniff or a CSP, so a preview is streamed from the bucket by the app."""
    client = login(cast.staff_a)
    client.post(upload_url(cast), {"files": [upload(name, data)], "evidence_date": "15/06/2563"})
    response = client.get(reverse("evidence-preview", args=[EvidenceFile.objects.get().pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox;")


def test_a_download_on_s3_is_a_presigned_attachment_that_is_not_cached(login, cast, before_deadline, s3_storage):
    client = login(cast.staff_a)
    client.post(upload_url(cast), {"files": [upload("ภาพ.pdf", pdf_bytes())], "evidence_date": "15/06/2563"})
    response = client.get(reverse("evidence-download", args=[EvidenceFile.objects.get().pk]))
    assert response.status_code == 302
    with urllib.request.urlopen(response.url, timeout=10) as fetched:
        assert fetched.headers["Content-Disposition"].startswith("attachment;")
        assert fetched.headers["Cache-Control"] == "private, no-store"
