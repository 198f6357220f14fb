"""When the storage fails under an upload (S3 unreachable, a full disk): the user gets a Thai
message, nothing is half-stored, and the rest of the page still works."""

import os
import shutil
import subprocess

import pytest
from django.core.files.storage import storages
from django.urls import reverse

from evidence.models import EvidenceFile
from evidence.tests.factories import pdf_bytes, upload
from milestones.models import AuditEvent
from tests.fixtures.documents import minimal_pdf

pytestmark = pytest.mark.django_db

THAI_STORAGE_ERROR = "ระบบจัดเก็บไฟล์ขัดข้องชั่วคราวหรือพื้นที่เต็ม"


def post(client, cast, data: bytes, name="หลักฐาน.pdf"):
    return client.post(
        reverse("evidence-upload", args=[cast.assessment_a.pk, 1]),
        {"files": [upload(name, data)], "evidence_date": "2020-07-01"},
        follow=True,
    )


def test_an_unreachable_s3_endpoint_gives_a_thai_error_and_stores_nothing(login, cast, before_deadline, settings):
    from botocore.config import Config

    from conftest import free_port

    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "evidence-down",
                "endpoint_url": closed,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "file_overwrite": False,
                "client_config": Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=2),
            },
        },
    }
    response = post(login(cast.staff_a), cast, pdf_bytes("s3 down"))
    body = response.content.decode()
    assert response.status_code == 200 and THAI_STORAGE_ERROR in body
    assert not EvidenceFile.objects.exists()
    assert not AuditEvent.objects.filter(action="evidence.upload").exists()


@pytest.fixture
def small_disk(tmp_path, settings):
    """A 1 MB file system (tmpfs) as the evidence storage; needs root, as the fault benchmark does."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small file system needs root")
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(mount_point)},
        },
    }
    try:
        yield storages["default"]
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_a_full_disk_gives_a_thai_error_keeps_nothing_and_the_step_page_still_works(
    login, cast, before_deadline, small_disk
):
    client = login(cast.staff_a)
    post(client, cast, pdf_bytes("fits"), "พอดี.pdf")
    kept = EvidenceFile.objects.get()
    response = post(client, cast, minimal_pdf("too big", size=2 * 1024 * 1024), "ใหญ่.pdf")
    body = response.content.decode()
    assert response.status_code == 200 and THAI_STORAGE_ERROR in body
    assert list(EvidenceFile.objects.all()) == [kept]
    on_disk = [os.path.join(d, f) for d, _, files in os.walk(small_disk.location) for f in files]
    assert on_disk == [small_disk.path(kept.stored_name)]  # no half-written spool left behind
    page = client.get(reverse("step-detail", args=[cast.assessment_a.pk, 1]))
    assert page.status_code == 200 and "พอดี.pdf" in page.content.decode()
