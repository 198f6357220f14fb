import pytest
from django.core.files.storage import storages
from django.urls import reverse

from evidence.models import EvidenceFile, WorkItem
from evidence.tests.factories import docx_name, ooxml_bytes, pdf_bytes, png_bytes, progress_of, upload
from milestones.models import AuditEvent

pytestmark = pytest.mark.django_db


def upload_url(cast, number=1):
    return reverse("evidence-upload", args=[cast.assessment_a.pk, number])


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_several_files_at_once_each_with_the_evidence_date(login, cast, before_deadline):
    files = [
        upload("หนังสือสั่งการ.pdf", pdf_bytes("1")),
        upload("ภาพประชุม.png", png_bytes()),
        upload(docx_name(), ooxml_bytes()),
    ]
    response = login(cast.staff_a).post(upload_url(cast), {"files": files, "evidence_date": "15/06/2563"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("step-detail", args=[cast.assessment_a.pk, 1])
    rows = list(EvidenceFile.objects.order_by("id"))
    assert [r.original_name for r in rows] == ["หนังสือสั่งการ.pdf", "ภาพประชุม.png", docx_name()]
    assert {str(r.evidence_date) for r in rows} == {"2020-06-15"}
    assert all(storages["default"].exists(r.stored_name) for r in rows)
    assert AuditEvent.objects.filter(action="evidence.upload").count() == 3
    assert all(r.requirement and r.requirement.number == 1 for r in rows)


def test_uploads_stream_through_the_hashing_handler(login, cast, before_deadline):
    import hashlib

    data = pdf_bytes() + b"x" * (3 * 1024 * 1024)  # above FILE_UPLOAD_MAX_MEMORY_SIZE
    login(cast.staff_a).post(upload_url(cast), {"files": [upload("ใหญ่.pdf", data)], "evidence_date": "2020-06-15"})
    row = EvidenceFile.objects.get()
    assert row.sha256 == hashlib.sha256(data).hexdigest() and row.size == len(data)
    assert storages["default"].open(row.stored_name).read() == data


def test_a_renamed_executable_and_html_called_pdf_are_refused_in_thai(login, cast, before_deadline):
    files = [
        upload("รายงาน.pdf", b"MZ\x90\x00" + b"\x00" * 64),
        upload("หน้าเว็บ.pdf", b"<html><script>x</script></html>"),
    ]
    response = login(cast.staff_a).post(upload_url(cast), {"files": files, "evidence_date": "15/06/2563"}, follow=True)
    text = messages_of(response)
    assert "ไม่รับไฟล์ “รายงาน.pdf”" in text and "โปรแกรม" in text and "HTML" in text
    assert not EvidenceFile.objects.exists()


def test_the_same_file_twice_is_recognised(login, cast, before_deadline):
    client = login(cast.staff_a)
    client.post(upload_url(cast), {"files": [upload("a.pdf", pdf_bytes())], "evidence_date": "15/06/2563"})
    response = client.post(
        upload_url(cast), {"files": [upload("b.pdf", pdf_bytes())], "evidence_date": "15/06/2563"}, follow=True
    )
    assert "มีอยู่แล้วในขั้นตอนนี้" in messages_of(response)
    assert EvidenceFile.objects.count() == 1


def test_a_file_over_the_limit_is_refused_and_not_kept(login, cast, before_deadline, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    data = pdf_bytes() + b"0" * (2 * 1024 * 1024)
    response = login(cast.staff_a).post(
        upload_url(cast), {"files": [upload("ใหญ่.pdf", data)], "evidence_date": "15/06/2563"}, follow=True
    )
    assert "เกินขนาดสูงสุด 1 MB" in messages_of(response)
    assert not EvidenceFile.objects.exists()


def test_the_evidence_date_is_required(login, cast, before_deadline):
    response = login(cast.staff_a).post(upload_url(cast), {"files": [upload("a.pdf", pdf_bytes())]}, follow=True)
    assert "กรุณาระบุวันที่ของหลักฐาน" in messages_of(response)
    assert not EvidenceFile.objects.exists()


def test_a_file_can_be_attached_to_a_work_item(login, cast, before_deadline):
    progress = progress_of(cast.assessment_a, 3)
    item = WorkItem.objects.create(
        progress=progress,
        date="2020-07-01",
        kind="e_meeting",
        platform="line",
        topic="ประชุม",
        participants="farmers",
        participant_count=30,
    )
    login(cast.staff_a).post(
        upload_url(cast, 3),
        {"files": [upload("ภาพ.png", png_bytes())], "evidence_date": "01/07/2563", "work_item": str(item.pk)},
    )
    assert EvidenceFile.objects.get().work_item == item


def test_it_rejects_upload_after_deadline(login, cast, after_deadline):
    response = login(cast.staff_a).post(
        upload_url(cast), {"files": [upload("a.pdf", pdf_bytes())], "evidence_date": "15/06/2563"}, follow=True
    )
    assert "พ้นกำหนด" in messages_of(response)
    assert not EvidenceFile.objects.exists()


@pytest.mark.parametrize("who, status", [("staff_b", 404), ("reviewer", 403), ("viewer", 403), ("admin", 403)])
def test_only_the_units_staff_may_upload(login, cast, before_deadline, who, status):
    response = login(getattr(cast, who)).post(
        upload_url(cast), {"files": [upload("a.pdf", pdf_bytes())], "evidence_date": "15/06/2563"}
    )
    assert response.status_code == status
    assert not EvidenceFile.objects.exists()


def test_upload_refuses_get_and_anonymous_users(client, login, cast):
    response = client.post(upload_url(cast), {"evidence_date": "15/06/2563"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert login(cast.staff_a).get(upload_url(cast)).status_code == 405


def test_upload_still_checks_csrf(cast, before_deadline):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.staff_a)
    assert (
        client.post(
            upload_url(cast), {"files": [upload("a.pdf", pdf_bytes())], "evidence_date": "15/06/2563"}
        ).status_code
        == 403
    )
    assert not EvidenceFile.objects.exists()


def test_removing_a_file_through_the_page(login, cast, before_deadline):
    client = login(cast.staff_a)
    client.post(upload_url(cast), {"files": [upload("a.pdf", pdf_bytes())], "evidence_date": "15/06/2563"})
    row = EvidenceFile.objects.get()
    response = client.post(reverse("evidence-remove", args=[row.pk]), follow=True)
    assert "นำ “a.pdf” ออกแล้ว" in messages_of(response)
    row.refresh_from_db()
    assert row.removed_at is not None
    assert "ไฟล์ที่นำออกแล้ว" in response.content.decode()


@pytest.mark.parametrize("who, status", [("staff_b", 404), ("reviewer", 403), ("viewer", 403), ("admin", 403)])
def test_only_the_units_staff_may_remove(login, cast, before_deadline, who, status):
    login(cast.staff_a).post(upload_url(cast), {"files": [upload("a.pdf", pdf_bytes())], "evidence_date": "15/06/2563"})
    row = EvidenceFile.objects.get()
    assert login(getattr(cast, who)).post(reverse("evidence-remove", args=[row.pk])).status_code == status
    row.refresh_from_db()
    assert row.removed_at is None


def test_remove_refuses_get(login, cast, before_deadline):
    login(cast.staff_a).post(upload_url(cast), {"files": [upload("a.pdf", pdf_bytes())], "evidence_date": "15/06/2563"})
    assert login(cast.staff_a).get(reverse("evidence-remove", args=[EvidenceFile.objects.get().pk])).status_code == 405


def test_the_progress_bar_script_gets_the_next_address_as_json_and_the_messages_wait_for_it(
    login, cast, before_deadline
):
    client = login(cast.staff_a)
    response = client.post(
        upload_url(cast),
        {"files": [upload("a.pdf", pdf_bytes())], "evidence_date": "15/06/2563"},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert response.status_code == 200
    assert response.json() == {"redirect": reverse("step-detail", args=[cast.assessment_a.pk, 1])}
    page = client.get(response.json()["redirect"])
    assert "อัปโหลด “a.pdf” แล้ว" in messages_of(page)


def _workers() -> int:
    import threading

    return sum(1 for t in threading.enumerate() if t.name.startswith("evidence-upload"))


def test_a_part_the_parser_gives_up_on_leaves_no_worker_spool_file_or_row(login, cast, before_deadline):
    """Django calls neither file_complete nor upload_interrupted when a part is malformed
    half-way (here: bad base64); the view still stops the file's workers and deletes its spool."""
    import os

    from evidence.storage import incoming_dir

    client = login(cast.staff_a)
    body = (
        b'--BoUnD\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\nContent-Type: application/pdf\r\n\r\n"
        + b"JVBERi0x" * 200_000  # 1.6 MB of good base64: the file has started streaming
        + b"QQ\r\n--BoUnD--\r\n"  # then a chunk that does not decode
    )
    spool = incoming_dir()
    before = set(os.listdir(spool))
    for _ in range(3):
        response = client.generic("POST", upload_url(cast), body, content_type="multipart/form-data; boundary=BoUnD")
        assert response.status_code == 400
    assert _workers() == 0
    assert set(os.listdir(spool)) == before
    assert not EvidenceFile.objects.exists()
