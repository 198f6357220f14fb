import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.tests.factories import jpeg_bytes, odf_bytes, ole_bytes, ooxml_bytes, pdf_bytes, png_bytes
from evidence.validation import EvidenceRefused, clean_name, sniff
from tests.fixtures.documents import excel97, word97


def sniffed(name: str, data: bytes) -> str:
    return sniff(io.BytesIO(data), name).content_type


@pytest.mark.parametrize(
    "name, data, content_type",
    [
        ("คำสั่ง.pdf", pdf_bytes(), "application/pdf"),
        ("รูป.JPG", jpeg_bytes(), "image/jpeg"),
        ("รูป.png", png_bytes(), "image/png"),
        (
            "รายงาน.docx",
            ooxml_bytes("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "ตาราง.xlsx",
            ooxml_bytes("xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "สไลด์.pptx",
            ooxml_bytes("ppt/presentation.xml"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("เอกสาร.odt", odf_bytes(), "application/vnd.oasis.opendocument.text"),
        (
            "ตาราง.ods",
            odf_bytes("application/vnd.oasis.opendocument.spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("เก่า.doc", ole_bytes("Root Entry", "WordDocument"), "application/msword"),
        ("เก่า.xls", ole_bytes("Root Entry", "Workbook"), "application/vnd.ms-excel"),
        ("เก่า.ppt", ole_bytes("Root Entry", "PowerPoint Document"), "application/vnd.ms-powerpoint"),
        ("บันทึก.txt", "สรุปการประชุม\n".encode(), "text/plain"),
        ("รายชื่อ.csv", "ชื่อ,จำนวน\nก,1\n".encode("cp874"), "text/csv"),
    ],
)
def test_it_recognises_every_allowed_type_from_the_bytes(name, data, content_type):
    assert sniffed(name, data) == content_type


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("setup.pdf", b"MZ\x90\x00" + b"\x00" * 100, "โปรแกรม"),
        ("program.docx", b"\x7fELF\x02\x01" + b"\x00" * 100, "โปรแกรม"),
        ("หน้าเว็บ.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "HTML"),
        ("note.txt", b"<html><body>x</body></html>", "HTML"),
        ("รูป.png", pdf_bytes(), "ไม่ตรงกับเนื้อหา"),
        ("เอกสาร.pdf", ooxml_bytes("word/document.xml"), "ไม่ตรงกับเนื้อหา"),
        ("ว่าง.pdf", b"", "ว่างเปล่า"),
        ("archive.zip", ooxml_bytes("random/file.txt"), "zip"),
        ("binary.txt", b"\x00\x01\x02\x03" * 10, "ไม่รับไฟล์ชนิดนี้"),
    ],
)
def test_it_refuses_what_is_not_what_it_claims_with_a_thai_message(name, data, words):
    with pytest.raises(EvidenceRefused) as refused:
        sniff(io.BytesIO(data), name)
    assert words in str(refused.value)


@pytest.mark.parametrize(
    "name, data",
    [
        # A VBA project is found by olevba whatever the part or stream is called.
        (
            "macro.docx",
            ooxml_bytes("word/document.xml", extra={"word/media/image9.bin": word97(macro_stream="Module1")}),
        ),
        (
            "macro.xlsx",
            ooxml_bytes(
                "xl/workbook.xml",
                content_types="<Types><Override ContentType='application/vnd.ms-excel.sheet.macroEnabled.main+xml'/></Types>",
            ),
        ),
        ("macro.doc", word97(macro_stream="Data2")),
        ("xlm.xls", excel97(macro_sheet=True)),
    ],
)
def test_it_refuses_macro_enabled_office_files(name, data):
    with pytest.raises(EvidenceRefused, match="มาโคร"):
        sniff(io.BytesIO(data), name)


def test_it_refuses_a_zip_bomb_by_its_declared_sizes_without_inflating_it():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (64 * 1024 * 1024))  # compresses ~1000:1
    with pytest.raises(EvidenceRefused, match="ขยายตัว"):
        sniff(buffer, "bomb.docx")


@pytest.mark.parametrize(
    "raw, cleaned",
    [
        ("C:\\Users\\สมชาย\\รายงาน.pdf", "รายงาน.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("ชื่อ\x00แปลก\n.pdf", "ชื่อแปลก.pdf"),
        ("", "file"),
    ],
)
def test_the_original_name_is_kept_without_path_parts_or_control_characters(raw, cleaned):
    assert clean_name(raw) == cleaned


def test_a_name_over_255_characters_is_refused_in_thai():
    with pytest.raises(EvidenceRefused, match="ชื่อไฟล์ยาวเกิน 255 ตัวอักษร"):
        clean_name("ก" * 400 + ".pdf")
    assert clean_name("ก" * 251 + ".pdf") == "ก" * 251 + ".pdf"


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=4096), name=st.text(max_size=300))
def test_any_bytes_and_any_name_are_either_recognised_or_refused_in_thai(data, name):
    try:
        file_type = sniff(io.BytesIO(data), name)
    except EvidenceRefused as refused:
        assert str(refused)
    else:
        assert name.rsplit(".", 1)[-1].lower() in file_type.extensions


@given(name=st.text(max_size=600))
def test_a_cleaned_name_never_has_path_parts_and_fits_the_column(name):
    try:
        cleaned = clean_name(name)
    except EvidenceRefused as refused:
        assert "255" in str(refused)
        return
    assert cleaned and len(cleaned) <= 255 and "/" not in cleaned and "\\" not in cleaned
