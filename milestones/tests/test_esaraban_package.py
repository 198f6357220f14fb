"""The E-saraban package: one streamed ZIP with the memo, the score report and every current evidence file."""

import datetime as dt
import hashlib
import io
import os
import tracemalloc
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.urls import reverse

from evidence.tests.factories import add_evidence
from milestones.models import AuditEvent
from milestones.reporting import esaraban
from milestones.tests.factories import ACCEPTED_AT, accept_steps, sample_filing
from milestones.tests.report_helpers import pdf_text, use_own_storage

UTF8_NAME_FLAG = 0x800


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    use_own_storage(settings, tmp_path / "storage")


@pytest.fixture
def filed(cast, before_deadline):
    a = cast.assessment_a
    accept_steps(a, 3, cast.staff_a, cast.reviewer, at=ACCEPTED_AT)
    files = [
        add_evidence(a, 1, "คำสั่งทบทวนกระบวนการ.pdf", b"%PDF-1.4 order " * 50, cast.staff_a, requirement_number=1),
        add_evidence(a, 2, "รายการกระบวนการ.csv", "กระบวนการ,ระบบ\n".encode() * 200, cast.staff_a,
                     requirement_number=2, content_type="text/csv"),
        add_evidence(a, 3, "ประชุม.jpg", os.urandom(3000), cast.staff_a, requirement_number=3, content_type="image/jpeg"),
        add_evidence(a, 3, "ประชุม.jpg", os.urandom(2000), cast.staff_a, requirement_number=3, content_type="image/jpeg"),
        add_evidence(a, 3, "notes.txt", b"plain ascii", cast.staff_a, requirement_number=3, content_type="text/plain"),
    ]  # fmt: skip
    removed = add_evidence(a, 1, "ฉบับเก่า.pdf", b"old", cast.staff_a, requirement_number=1)
    removed.removed_at = removed.uploaded_at
    removed.save()
    filing = sample_filing(a, cast.staff_a)
    return filing, files


def download(client, filing) -> tuple[StreamingHttpResponse, zipfile.ZipFile]:
    response = client.get(reverse("report-package", args=[filing.pk]))
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    return response, zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_every_current_evidence_file_is_in_the_package_with_its_sha256(cast, filed, login):
    filing, files = filed
    response, archive = download(login(cast.staff_a), filing)
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"] and ".zip" in response["Content-Disposition"]
    assert archive.testzip() is None
    names = archive.namelist()
    assert names == [
        "0-บันทึกข้อความ-T-A.pdf",
        "0-รายงานผลคะแนน-T-A.pdf",
        "1-คำสั่งทบทวนกระบวนการ.pdf",
        "2-รายการกระบวนการ.csv",
        "3-ประชุม.jpg",
        "3-ประชุม (2).jpg",
        "3-notes.txt",
    ]
    for name, evidence in zip(names[2:], files, strict=True):
        assert hashlib.sha256(archive.read(name)).hexdigest() == evidence.sha256, name
    assert "1-ฉบับเก่า.pdf" not in names


def test_thai_names_carry_the_utf8_flag(cast, filed, login):
    _, archive = download(login(cast.staff_a), filed[0])
    for info in archive.infolist():
        if info.filename.isascii():
            continue
        assert info.flag_bits & UTF8_NAME_FLAG, info.filename
    assert any(not i.filename.isascii() for i in archive.infolist())


def test_compressed_formats_are_stored_and_text_is_deflated(cast, filed, login):
    _, archive = download(login(cast.staff_a), filed[0])
    kinds = {i.filename: i.compress_type for i in archive.infolist()}
    assert kinds["3-ประชุม.jpg"] == zipfile.ZIP_STORED
    assert kinds["1-คำสั่งทบทวนกระบวนการ.pdf"] == zipfile.ZIP_STORED
    assert kinds["0-รายงานผลคะแนน-T-A.pdf"] == zipfile.ZIP_STORED
    assert kinds["2-รายการกระบวนการ.csv"] == zipfile.ZIP_DEFLATED
    assert kinds["3-notes.txt"] == zipfile.ZIP_DEFLATED


def test_the_memo_and_report_in_the_package_are_the_real_pdfs(cast, filed, login):
    _, archive = download(login(cast.staff_a), filed[0])
    memo = pdf_text(archive.read("0-บันทึกข้อความ-T-A.pdf"))
    report = pdf_text(archive.read("0-รายงานผลคะแนน-T-A.pdf"))
    assert "บันทึกข้อความ" in memo and "กษ 0509/123" in memo
    assert "กองทดสอบ ก" in report and "0.1500" in report


def test_the_package_is_audited(cast, filed, login):
    download(login(cast.reviewer), filed[0])
    event = AuditEvent.objects.get(action="report.export", data__report="package")
    assert event.unit == cast.unit_a and event.user == cast.reviewer


def test_evidence_is_read_in_chunks_and_the_archive_streams_in_small_pieces(cast, filed, login, monkeypatch):
    """A 3 MB file goes out in pieces of about CHUNK_SIZE; no piece holds the file or the archive."""
    filing, _ = filed
    big = os.urandom(3 * 1024 * 1024)
    evidence = add_evidence(cast.assessment_a, 4, "วิดีโอ.mp4", big, cast.staff_a, requirement_number=4,
                            content_type="video/mp4")  # fmt: skip
    response = login(cast.staff_a).get(reverse("report-package", args=[filing.pk]))
    pieces = list(response.streaming_content)
    assert max(len(p) for p in pieces) <= 2 * esaraban.CHUNK_SIZE + 64 * 1024
    archive = zipfile.ZipFile(io.BytesIO(b"".join(pieces)))
    assert hashlib.sha256(archive.read("4-วิดีโอ.mp4")).hexdigest() == evidence.sha256


def test_streaming_a_large_member_keeps_memory_small():
    """Peak Python memory while zipping 20 MB from a generator stays far below the data size."""
    now = dt.datetime(2020, 8, 1, tzinfo=dt.UTC)
    block = os.urandom(esaraban.CHUNK_SIZE)

    def chunks():
        for _ in range(320):  # 20 MiB
            yield block

    member = esaraban.Member(name="4-ใหญ่.mp4", modified=now, chunks=chunks, content_type="video/mp4")
    tracemalloc.start()
    total = 0
    for piece in esaraban.stream_zip([member]):
        total += len(piece)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert total > 20 * 1024 * 1024
    assert peak < 2 * 1024 * 1024


@pytest.mark.parametrize("role", ["reviewer", "viewer", "admin"])
def test_department_roles_can_download_it(cast, filed, role, login):
    assert login(getattr(cast, role)).get(reverse("report-package", args=[filed[0].pk])).status_code == 200


def test_other_units_staff_get_404(cast, filed, login):
    assert login(cast.staff_b).get(reverse("report-package", args=[filed[0].pk])).status_code == 404
    assert not AuditEvent.objects.filter(action="report.export").exists()


def test_anonymous_is_sent_to_login(cast, filed, client):
    response = client.get(reverse("report-package", args=[filed[0].pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_post_is_not_allowed(cast, filed, login):
    assert login(cast.staff_a).post(reverse("report-package", args=[filed[0].pk])).status_code == 405


def test_compress_type_rules():
    assert esaraban.compress_type_for("a.DOCX") == zipfile.ZIP_STORED
    assert esaraban.compress_type_for("scan", "image/png") == zipfile.ZIP_STORED
    assert esaraban.compress_type_for("drawing.svg", "image/svg+xml") == zipfile.ZIP_DEFLATED
    assert esaraban.compress_type_for("old.doc", "application/msword") == zipfile.ZIP_DEFLATED


def test_a_file_missing_from_storage_stops_the_package_before_it_starts(cast, filed, login):
    filing, files = filed
    default_storage.delete(files[1].stored_name)
    response = login(cast.staff_a).get(reverse("report-package", args=[filing.pk]), follow=True)
    assert not isinstance(response, StreamingHttpResponse)
    assert "ไม่พบไฟล์หลักฐานในระบบจัดเก็บ" in response.text and "รายการกระบวนการ.csv" in response.text
    assert not AuditEvent.objects.filter(action="report.export").exists()
