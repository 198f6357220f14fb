"""What uploads may take: the same bytes stored once per unit (also after removal), a per-unit
quota, a per-user hourly rate, a total request size, zip directories refused from their end
record, and requests refused before their body is read."""

import io
import struct
import threading
import zipfile

import pytest
import time_machine
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.db import connection, transaction
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from evidence.models import EvidenceFile
from evidence.services import evidence_add, evidence_remove
from evidence.storage.integrity import check_evidence
from evidence.tests.factories import pdf_bytes, progress_of, upload
from evidence.validation import EvidenceRefused, sniff
from evidence.views import evidence_upload
from milestones.models import StepProgress, StepStatus
from tests.fixtures.documents import minimal_pdf, ooxml

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return storages["default"]


def evidence_files(storage) -> list[str]:
    root = storage.location
    import pathlib

    return sorted(
        str(p.relative_to(root)) for p in pathlib.Path(root).rglob("*") if p.is_file() and ".incoming" not in p.parts
    )


def add(cast, data: bytes, name="หลักฐาน.pdf", *, step=1, user=None, assessment=None):
    return evidence_add(
        progress=progress_of(assessment or cast.assessment_a, step),
        user=user or cast.staff_a,
        upload=upload(name, data),
    )


# --- the same bytes, stored once ---------------------------------------------------------------
def test_the_same_bytes_uploaded_again_after_removal_reuse_the_stored_object_and_every_version_stays(
    cast, before_deadline, storage
):
    data = pdf_bytes("คำสั่ง")
    first = add(cast, data, "คำสั่ง.pdf")
    for round_trip in range(3):
        evidence_remove(evidence=EvidenceFile.objects.current().get(), user=cast.staff_a)
        add(cast, data, f"คำสั่ง-{round_trip}.pdf")
    add(cast, data, "คำสั่ง-ขั้นตอน2.pdf", step=2)
    rows = list(EvidenceFile.objects.order_by("pk"))
    assert len(rows) == 5 and {r.stored_name for r in rows} == {first.stored_name}
    assert [r.removed_at is not None for r in rows] == [True, True, True, False, False]
    assert evidence_files(storage) == [first.stored_name]
    assert storage.open(first.stored_name).read() == data
    assert check_evidence(storage=storage)[2] == []
    assert EvidenceFile.objects.stored_bytes_of_unit(cast.unit_a.pk) == len(data)


def test_every_version_is_listed_on_the_step_page(login, cast, before_deadline, storage):
    data = pdf_bytes("ฉบับเดียว")
    evidence_remove(evidence=add(cast, data, "ฉบับแรก.pdf"), user=cast.staff_a)
    add(cast, data, "ฉบับสอง.pdf")
    body = login(cast.staff_a).get(reverse("step-detail", args=[cast.assessment_a.pk, 1])).content.decode()
    assert "ฉบับแรก.pdf" in body and "ฉบับสอง.pdf" in body


def test_the_same_bytes_in_another_unit_are_stored_apart(cast, before_deadline, storage):
    data = pdf_bytes("สองหน่วยงาน")
    a = add(cast, data)
    b = add(cast, data, user=cast.staff_b, assessment=cast.assessment_b)
    assert a.stored_name != b.stored_name and len(evidence_files(storage)) == 2


# --- quota and rate ----------------------------------------------------------------------------
def test_the_unit_quota_counts_every_stored_version_and_says_how_much_is_used(
    login, cast, before_deadline, storage, settings
):
    settings.EVIDENCE_UNIT_QUOTA_MB = 1
    client = login(cast.staff_a)
    url = reverse("evidence-upload", args=[cast.assessment_a.pk, 1])
    first = minimal_pdf("one", size=600 * 1024)
    client.post(url, {"files": [upload("หนึ่ง.pdf", first)], "evidence_date": "2020-07-01"})
    evidence_remove(evidence=EvidenceFile.objects.get(), user=cast.staff_a)  # removed still counts
    response = client.post(
        url,
        {"files": [upload("สอง.pdf", minimal_pdf("two", size=600 * 1024))], "evidence_date": "2020-07-01"},
        follow=True,
    )
    body = response.content.decode()
    assert "พื้นที่เก็บหลักฐานของหน่วยงานไม่พอ" in body and "ใช้ไปแล้ว 0.6 MB จาก 1 MB" in body
    assert EvidenceFile.objects.count() == 1 and len(evidence_files(storage)) == 1
    # The bytes already stored cost nothing more.
    client.post(url, {"files": [upload("หนึ่งอีกครั้ง.pdf", first)], "evidence_date": "2020-07-01"})
    assert EvidenceFile.objects.count() == 2 and len(evidence_files(storage)) == 1


def test_a_unit_whose_storage_is_full_is_refused_before_the_body_is_read(cast, before_deadline, storage, settings):
    settings.EVIDENCE_UNIT_QUOTA_MB = 1
    add(cast, minimal_pdf("full", size=1024 * 1024))
    request, response = post_directly(cast.staff_a, cast, [upload("อีก.pdf", pdf_bytes("more"))])
    assert not request.META["wsgi.input"].read_started
    assert "พื้นที่เก็บหลักฐานของหน่วยงานไม่พอ" in messages_text(request)


def test_a_user_may_upload_only_so_many_files_an_hour(cast, storage, settings):
    settings.EVIDENCE_UPLOADS_PER_HOUR = 2
    import datetime as dt

    from kpi_tracker.lib.thai import BANGKOK

    with time_machine.travel(dt.datetime(2020, 8, 1, 10, 0, tzinfo=BANGKOK), tick=False) as clock:
        add(cast, pdf_bytes("1"))
        add(cast, pdf_bytes("2"))
        with pytest.raises(EvidenceRefused, match="ครบ 2 ไฟล์ภายในหนึ่งชั่วโมง"):
            add(cast, pdf_bytes("3"))
        request, _ = post_directly(cast.staff_a, cast, [upload("4.pdf", pdf_bytes("4"))])
        assert not request.META["wsgi.input"].read_started and "หนึ่งชั่วโมง" in messages_text(request)
        clock.shift(dt.timedelta(hours=1, seconds=1))
        add(cast, pdf_bytes("3"))
    assert EvidenceFile.objects.count() == 3


# --- before the body is read -------------------------------------------------------------------
def post_directly(user, cast, files, *, assessment=None, step=1):
    """The upload view called on a request whose body is a FakePayload that records any read."""
    assessment = assessment or cast.assessment_a
    request = RequestFactory().post(
        reverse("evidence-upload", args=[assessment.pk, step]), {"files": files, "evidence_date": "2020-07-01"}
    )
    request.user = user
    SessionMiddleware(lambda r: None).process_request(request)
    MessageMiddleware(lambda r: None).process_request(request)
    request._dont_enforce_csrf_checks = True
    try:
        response = evidence_upload(request, assessment.pk, step)
    except (PermissionDenied, Http404) as refused:
        response = refused
    request.close()  # what the handler does after the response: the uploaded files' spool
    return request, response


def messages_text(request) -> str:
    return " ".join(str(m) for m in request._messages)


@pytest.mark.parametrize(
    "who, refusal", [("viewer", PermissionDenied), ("reviewer", PermissionDenied), ("staff_b", Http404)]
)
def test_someone_who_may_not_upload_is_refused_before_the_body_is_read(cast, before_deadline, storage, who, refusal):
    request, response = post_directly(getattr(cast, who), cast, [upload("a.pdf", minimal_pdf(size=2 * 1024 * 1024))])
    assert isinstance(response, refusal)
    assert not request.META["wsgi.input"].read_started
    assert evidence_files(storage) == [] and not EvidenceFile.objects.exists()


def test_a_step_that_takes_no_files_refuses_the_request_before_its_body_is_read(cast, before_deadline, storage):
    StepProgress.objects.filter(assessment=cast.assessment_a, step__number=1).update(status=StepStatus.SUBMITTED)
    request, response = post_directly(cast.staff_a, cast, [upload("a.pdf", pdf_bytes())])
    assert response.status_code == 302 and not request.META["wsgi.input"].read_started
    assert "ส่งแล้ว" in messages_text(request)


def test_a_request_over_the_total_size_is_refused_before_its_body_is_read(cast, before_deadline, storage, settings):
    settings.EVIDENCE_MAX_REQUEST_MB = 1
    files = [upload(f"{i}.pdf", minimal_pdf(str(i), size=600 * 1024)) for i in range(2)]  # each under the file limit
    request, response = post_directly(cast.staff_a, cast, files)
    assert response.status_code == 302 and not request.META["wsgi.input"].read_started
    assert "เกิน 1 MB" in messages_text(request) and "แบ่งอัปโหลด" in messages_text(request)
    assert not EvidenceFile.objects.exists() and evidence_files(storage) == []


def test_a_request_within_the_limits_is_read_and_stored(cast, before_deadline, storage):
    request, response = post_directly(cast.staff_a, cast, [upload("ดี.pdf", pdf_bytes("ok"))])
    assert response.status_code == 302 and request.META["wsgi.input"].read_started
    assert EvidenceFile.objects.get().original_name == "ดี.pdf"


# --- zip directories ---------------------------------------------------------------------------
def with_end_record(data: bytes, *, entries: int | None = None, directory_bytes: int | None = None) -> bytes:
    """The zip with its end-of-central-directory record claiming other figures."""
    at = data.rfind(b"PK\x05\x06")
    record = bytearray(data[at : at + 22])
    if entries is not None:
        record[8:12] = struct.pack("<HH", entries, entries)
    if directory_bytes is not None:
        record[12:16] = struct.pack("<I", directory_bytes)
    return data[:at] + bytes(record) + data[at + 22 :]


def zip64_claiming(entries: int) -> bytes:
    """A small .docx whose ZIP64 end record (which a 400,000-member file needs) claims `entries`."""
    data = ooxml("docx")
    at = data.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack("<II", data[at + 12 : at + 20])
    record64 = b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, entries, entries, cd_size, cd_offset)
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, at, 1)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:at] + record64 + locator + end


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(with_end_record(ooxml("docx"), entries=60_000), id="count-over-5000"),
        pytest.param(with_end_record(ooxml("docx"), directory_bytes=30 * 1024 * 1024), id="directory-30mb"),
        pytest.param(zip64_claiming(400_000), id="zip64-400000-entries"),
    ],
)
def test_a_zip_is_refused_from_its_end_record_before_the_directory_is_parsed(data, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("the central directory was parsed")

    monkeypatch.setattr(zipfile, "ZipFile", never)
    with pytest.raises(EvidenceRefused, match="จำนวนไฟล์ภายในมากเกินไป"):
        sniff(io.BytesIO(data), "รายงาน.docx")


def test_a_zip_with_more_members_than_allowed_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for i in range(5_000):
            archive.writestr(f"word/media/{i}.txt", "")
    with pytest.raises(EvidenceRefused, match="จำนวนไฟล์ภายในมากเกินไป"):
        sniff(buffer, "รายงาน.docx")


@pytest.mark.django_db(transaction=True)
def test_a_file_is_inspected_and_refused_while_another_upload_holds_the_steps_row(cast, before_deadline, storage):
    """The checks that read the file run before the step's row lock is taken: a refused file is
    answered at once even while another request holds the step."""
    hostile = with_end_record(ooxml("docx"), entries=60_000)
    progress = progress_of(cast.assessment_a, 1)
    outcome: list = []

    def other_request():
        try:
            evidence_add(progress=progress, user=cast.staff_a, upload=upload("รายงาน.docx", hostile))
        except EvidenceRefused as refused:
            outcome.append(refused)
        finally:
            connection.close()

    with transaction.atomic():
        StepProgress.objects.select_for_update().get(pk=progress.pk)  # held until the block ends
        worker = threading.Thread(target=other_request)
        worker.start()
        worker.join(timeout=15)
        answered_while_locked = not worker.is_alive()
    worker.join()
    assert answered_while_locked and len(outcome) == 1 and "มากเกินไป" in str(outcome[0])
