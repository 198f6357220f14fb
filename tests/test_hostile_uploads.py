"""A rejection corpus against the real upload view: every hostile file is refused with a clear Thai
message and leaves nothing behind (no EvidenceFile row, no file in storage, no spool file).

The corpus is built by code here (tests/fixtures/hostile.py), not kept as binary blobs.
"""

import io
import re

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evidence.models import EvidenceFile
from milestones.models import AuditEvent
from tests.fixtures import hostile
from tests.fixtures.documents import excel97, word97


@pytest.fixture
def storage_dir(settings, tmp_path):
    root = tmp_path / "evidence"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    storages["default"]  # noqa: B018  (created now, under root)
    return root


def stored_files(root) -> list[str]:
    """Every file under the storage root, the upload spool (.incoming) included."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload(client, cast, name: str, data: bytes, content_type="application/octet-stream"):
    url = reverse("evidence-upload", args=[cast.assessment_a.pk, 1])
    return client.post(
        url,
        {"files": SimpleUploadedFile(name, data, content_type=content_type), "evidence_date": "2020-07-01"},
        follow=True,
    )


REFUSALS = [
    # (id, file name, bytes, the Thai words the message must contain)
    ("elf-renamed-pdf", "รายงาน.pdf", hostile.elf_executable(), "โปรแกรมหรือสคริปต์"),
    ("pe-renamed-pdf", "report.pdf", hostile.pe_executable(), "โปรแกรมหรือสคริปต์"),
    ("pe-exe", "setup.exe", hostile.pe_executable(), "โปรแกรมหรือสคริปต์"),
    ("shell-script", "run.txt", b"#!/bin/sh\nrm -rf /\n", "โปรแกรมหรือสคริปต์"),
    ("html-script", "page.html", hostile.html_with_script(), "HTML"),
    ("html-renamed-pdf", "page.pdf", hostile.html_with_script(), "HTML"),
    ("html-renamed-txt", "notes.txt", hostile.html_with_script(), "HTML"),
    ("svg-script", "chart.svg", hostile.svg_with_script(), "HTML"),
    ("svg-renamed-png", "chart.png", hostile.svg_with_script(), "HTML"),
    ("png-html-polyglot", "photo.png", hostile.png_html_polyglot(), "HTML"),
    ("jpeg-html-polyglot", "photo.jpg", hostile.jpeg_html_polyglot(), "HTML"),
    ("pdf-html-polyglot", "doc.pdf", hostile.pdf_html_polyglot(), "HTML"),
    ("double-extension-exe", "report.pdf.exe", hostile.pdf(), "นามสกุลไฟล์"),
    ("double-extension-php", "shell.php.pdf", b"<?php system($_GET['c']); ?>\n", "นามสกุลไฟล์"),
    ("zip-bomb-docx", "bomb.docx", hostile.docx_zip_bomb(), "ขยายตัวมากเกินไป"),
    ("macro-docm-as-docx", "macro.docx", hostile.docx_with_macros(), "มาโคร"),
    ("plain-zip", "archive.pdf", hostile.plain_zip(), "zip"),
    ("empty", "empty.pdf", b"", "ว่าง"),
    # Active content (issue 15), each found by parsing the whole file rather than by member names.
    ("odt-python-script-macro", "รายงาน.odt", hostile.odt_with_python_script(), "มาโคร"),
    ("odt-basic-library", "รายงาน.odt", hostile.odt_with_basic_library(), "มาโคร"),
    ("odt-macro-on-open-event", "รายงาน.odt", hostile.odt_with_macro_on_open(), "มาโคร"),
    ("xlsx-excel4-macro-sheet", "ตาราง.xlsx", hostile.xlsx_with_macro_sheet(), "มาโคร"),
    ("docx-vba-override-past-1mib", "รายงาน.docx", hostile.docx_with_padded_vba_override(), "มาโคร"),
    ("docx-renamed-vba-project", "รายงาน.docx", hostile.docx_with_renamed_vba_project(), "มาโคร"),
    ("doc-vba-in-unnamed-stream", "รายงาน.doc", hostile.doc_with_vba(), "มาโคร"),
    ("xls-excel4-macro-sheet", "ตาราง.xls", hostile.xls_with_xlm_macro_sheet(), "มาโคร"),
    ("docx-external-template-unc", "รายงาน.docx", hostile.docx_with_external_template(), "external link"),
    ("docx-external-ole-link", "รายงาน.docx", hostile.docx_with_external_ole_link(), "external link"),
    ("pdf-openaction-javascript", "คำสั่ง.pdf", hostile.pdf_with_open_action_javascript(), "สคริปต์"),
    ("pdf-escaped-javascript-name", "คำสั่ง.pdf", hostile.pdf_with_escaped_javascript_name(), "สคริปต์"),
    ("pdf-javascript-in-object-stream", "คำสั่ง.pdf", hostile.pdf_with_javascript_in_object_stream(), "สคริปต์"),
    ("pdf-page-open-javascript", "คำสั่ง.pdf", hostile.pdf_with_page_open_javascript(), "สคริปต์"),
    ("pdf-launch-action", "คำสั่ง.pdf", hostile.pdf_with_launch_action(), "สคริปต์"),
    ("pdf-embedded-file", "คำสั่ง.pdf", hostile.pdf_with_embedded_file(), "ไฟล์แนบ"),
    ("pdf-xfa-form", "คำสั่ง.pdf", hostile.pdf_with_xfa_form(), "สคริปต์"),
    ("pdf-rich-media", "คำสั่ง.pdf", hostile.pdf_with_rich_media(), "สคริปต์"),
    ("pdf-html-after-70kb", "คำสั่ง.pdf", hostile.pdf_with_html_after_70kb(), "HTML"),
    ("png-html-after-70kb", "รูป.png", hostile.png_with_html_after_70kb(), "HTML"),
    ("jpeg-html-after-70kb", "รูป.jpg", hostile.jpeg_with_html_after_70kb(), "HTML"),
    ("pdf-unreadable", "คำสั่ง.pdf", b"%PDF-1.4\n% not a document\n%%EOF\n", "เสีย"),
]

# A valid file of each format above: every one is accepted and stored.
CONTROLS = [
    ("odt-with-picture", "รายงาน.odt", hostile.odt_with_picture()),
    ("xlsx-with-worksheet", "ตาราง.xlsx", hostile.xlsx_with_worksheet()),
    ("docx-content-types-past-1mib", "รายงาน.docx", hostile.docx_with_large_content_types()),
    ("docx-external-hyperlink", "รายงาน.docx", hostile.docx_with_hyperlink()),
    ("doc-word97", "รายงาน.doc", word97()),
    ("xls-excel97", "ตาราง.xls", excel97()),
    ("pdf-with-web-link", "คำสั่ง.pdf", hostile.pdf_with_link()),
    ("pdf-link-to-javascript-docs", "คำสั่ง.pdf", hostile.pdf_linking_to_javascript_docs()),
    ("pdf-with-object-streams", "คำสั่ง.pdf", hostile.pdf_with_object_streams()),
    ("pdf-100kb", "คำสั่ง.pdf", hostile.pdf_of_100kb()),
    ("png-100kb", "รูป.png", hostile.png_of_100kb()),
    ("jpeg-100kb", "รูป.jpg", hostile.jpeg_of_100kb()),
]


@pytest.mark.parametrize("name, data, words", [pytest.param(*r[1:], id=r[0]) for r in REFUSALS])
def test_a_hostile_file_is_refused_with_a_thai_message_and_nothing_is_stored(
    cast, login, before_deadline, storage_dir, name, data, words
):
    client = login(cast.staff_a)
    response = upload(client, cast, name, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert words in body, f"expected a message with {words!r}"
    assert "alert-danger" in body
    assert not EvidenceFile.objects.exists()
    assert not AuditEvent.objects.filter(action="evidence.upload").exists()
    assert stored_files(storage_dir) == []


@pytest.mark.parametrize("name, data", [pytest.param(*c[1:], id=c[0]) for c in CONTROLS])
def test_a_valid_file_of_each_hostile_format_is_accepted(cast, login, before_deadline, storage_dir, name, data):
    client = login(cast.staff_a)
    body = upload(client, cast, name, data).content.decode()
    assert "alert-danger" not in body
    evidence = EvidenceFile.objects.get()
    assert evidence.original_name == name and evidence.size == len(data)
    assert stored_files(storage_dir) == [evidence.stored_name]


def test_an_oversize_file_is_refused_and_not_kept(cast, login, before_deadline, storage_dir, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    client = login(cast.staff_a)
    response = upload(client, cast, "ใหญ่เกิน.pdf", hostile.pdf(size=1024 * 1024 + 1))
    body = response.content.decode()
    assert "alert-danger" in body and "MB" in body
    assert not EvidenceFile.objects.exists()
    assert stored_files(storage_dir) == []


def test_a_file_at_the_size_limit_is_accepted(cast, login, before_deadline, storage_dir, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    client = login(cast.staff_a)
    upload(client, cast, "พอดี.pdf", hostile.pdf(size=1024 * 1024))
    assert EvidenceFile.objects.count() == 1


NAMES = [
    ("unix-traversal", "../../etc/passwd.pdf", "passwd.pdf"),
    ("windows-traversal", "..\\..\\windows\\x.pdf", "x.pdf"),
    ("absolute", "/etc/cron.d/job.pdf", "job.pdf"),
    ("control-characters", "rep\x1bort\x07.pdf", "report.pdf"),
    ("leading-dots", "...hidden.pdf", "hidden.pdf"),
]


@pytest.mark.parametrize("name, shown", [pytest.param(*n[1:], id=n[0]) for n in NAMES])
def test_a_hostile_name_never_reaches_the_file_system(cast, login, before_deadline, storage_dir, tmp_path, name, shown):
    """The name is only data: the file is stored under a generated name inside the storage,
    and the name kept for display has no path parts or control characters."""
    client = login(cast.staff_a)
    upload(client, cast, name, hostile.pdf())
    evidence = EvidenceFile.objects.get()
    assert evidence.original_name == shown
    assert re.fullmatch(r"\d{4}/[0-9a-f]{32}\.pdf", evidence.stored_name)
    assert stored_files(storage_dir) == [evidence.stored_name]
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and storage_dir not in p.parents]
    assert outside == []


def test_a_name_with_a_nul_byte_is_refused_or_cleaned(cast, login, before_deadline, storage_dir):
    client = login(cast.staff_a)
    response = upload(client, cast, "evil.pdf\x00.exe", hostile.pdf())
    evidence = EvidenceFile.objects.first()
    if evidence is None:
        assert "alert-danger" in response.content.decode()
        assert stored_files(storage_dir) == []
    else:
        assert "\x00" not in evidence.original_name
        assert re.fullmatch(r"\d{4}/[0-9a-f]{32}\.pdf", evidence.stored_name)


def test_a_name_over_255_characters_is_refused_and_nothing_stored(cast, login, before_deadline, storage_dir):
    client = login(cast.staff_a)
    # A plain file object: SimpleUploadedFile would cut the name to 255 before it is sent.
    long_named = io.BytesIO(hostile.pdf())
    long_named.name = "ก" * 300 + ".pdf"
    response = client.post(
        reverse("evidence-upload", args=[cast.assessment_a.pk, 1]),
        {"files": long_named, "evidence_date": "2020-07-01"},
        follow=True,
    )
    assert "ชื่อไฟล์ยาวเกิน 255 ตัวอักษร" in response.content.decode()
    assert not EvidenceFile.objects.exists()
    assert stored_files(storage_dir) == []


def test_a_name_of_exactly_255_characters_is_kept(cast, login, before_deadline, storage_dir):
    client = login(cast.staff_a)
    upload(client, cast, "ก" * 251 + ".pdf", hostile.pdf())
    assert EvidenceFile.objects.get().original_name == "ก" * 251 + ".pdf"


def test_several_hostile_files_in_one_request_are_each_refused_and_a_good_one_kept(
    cast, login, before_deadline, storage_dir
):
    client = login(cast.staff_a)
    files = [
        SimpleUploadedFile("a.pdf", hostile.elf_executable()),
        SimpleUploadedFile("b.svg", hostile.svg_with_script()),
        SimpleUploadedFile("ดี.pdf", hostile.pdf()),
    ]
    response = client.post(
        reverse("evidence-upload", args=[cast.assessment_a.pk, 1]),
        {"files": files, "evidence_date": "2020-07-01"},
        follow=True,
    )
    body = response.content.decode()
    assert body.count("alert-danger") >= 2
    assert list(EvidenceFile.objects.values_list("original_name", flat=True)) == ["ดี.pdf"]
    assert len(stored_files(storage_dir)) == 1
