"""What an uploaded file really is, read from its bytes, not its name.

sniff() tells the type from the first bytes, checks it against the extension, and then reads the
whole file for active content (evidence/active_content.py: macros with oletools, OOXML
relationships, OpenDocument scripts, PDFs parsed with pikepdf, HTML anywhere in a PDF or image).
For zip containers (OOXML, OpenDocument) the end-of-central-directory record is read first and
a file with too many members or too large a directory is refused before the directory itself is
parsed. It returns the detected type or raises EvidenceRefused with a Thai message: unknown or
dangerous content (executables, HTML, scripts), macros, links that fetch on open, zip bombs, and
an extension that does not match the content. It is called outside any lock (evidence_add).
"""

import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evidence import active_content
from evidence.errors import EvidenceRefused

__all__ = ["EvidenceRefused", "FileType", "sniff", "clean_name"]

HEAD_BYTES = 64 * 1024
# Zip containers: refuse when the member count, the central directory, the declared uncompressed
# total or any member's ratio is absurd.
ZIP_MAX_MEMBERS = 5_000
ZIP_MAX_DIRECTORY_BYTES = 2 * 1024 * 1024  # 5,000 members with 300-byte names fit in 1.7 MB
ZIP_MAX_TOTAL_UNCOMPRESSED = 512 * 1024 * 1024
ZIP_MAX_RATIO = 200
ZIP_RATIO_MIN_SIZE = 10 * 1024 * 1024  # small members may compress very well (XML of empty cells)
ZIP_MAX_MEMBER_READ = 1024 * 1024
EOCD = b"PK\x05\x06"
EOCD64_LOCATOR = b"PK\x06\x07"
EOCD64 = b"PK\x06\x06"


@dataclass(frozen=True)
class FileType:
    content_type: str
    extensions: tuple[str, ...]
    label: object
    previewable: bool = False


TYPES = {
    "pdf": FileType("application/pdf", ("pdf",), "PDF", previewable=True),
    "doc": FileType("application/msword", ("doc",), "Word"),
    "xls": FileType("application/vnd.ms-excel", ("xls",), "Excel"),
    "ppt": FileType("application/vnd.ms-powerpoint", ("ppt", "pps"), "PowerPoint"),
    "docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",), "Word"),
    "xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",), "Excel"),
    "pptx": FileType(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", ("pptx", "ppsx"), "PowerPoint"
    ),
    "odt": FileType("application/vnd.oasis.opendocument.text", ("odt",), "OpenDocument"),
    "ods": FileType("application/vnd.oasis.opendocument.spreadsheet", ("ods",), "OpenDocument"),
    "odp": FileType("application/vnd.oasis.opendocument.presentation", ("odp",), "OpenDocument"),
    "jpeg": FileType("image/jpeg", ("jpg", "jpeg"), "JPEG", previewable=True),
    "png": FileType("image/png", ("png",), "PNG", previewable=True),
    "txt": FileType("text/plain", ("txt",), gettext_lazy("ข้อความ")),
    "csv": FileType("text/csv", ("csv",), "CSV"),
}
ALLOWED_EXTENSIONS = sorted({ext for t in TYPES.values() for ext in t.extensions})
PREVIEWABLE_CONTENT_TYPES = {t.content_type for t in TYPES.values() if t.previewable}

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
# Names of OLE2 directory entries (UTF-16LE) that tell Word, Excel and PowerPoint apart, and macros.
OLE_STREAMS = {
    "doc": ["WordDocument"],
    "xls": ["Workbook", "Book"],
    "ppt": ["PowerPoint Document"],
}
ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OOXML_MAIN = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|script|svg|iframe|object|embed|\?xml)\b", re.IGNORECASE)


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


MAX_NAME_LENGTH = 255


def clean_name(name: str) -> str:
    """The original name for display: no path parts, no control characters.

    A name longer than MAX_NAME_LENGTH characters is refused rather than cut: a shortened name
    would no longer be the name the unit gave its document.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    if not name:
        name = "file"
    if len(name) > MAX_NAME_LENGTH:
        raise EvidenceRefused(_("ชื่อไฟล์ยาวเกิน %(n)s ตัวอักษร กรุณาตั้งชื่อไฟล์ให้สั้นลงแล้วอัปโหลดใหม่") % {"n": MAX_NAME_LENGTH})
    return name


def _ole_kind(stream: BinaryIO) -> str:
    """Word, Excel or PowerPoint, by the names in the compound file's directory.

    Directory entries store names in UTF-16LE; scanning for them (in chunks, with an
    overlap) avoids parsing the FAT chain, which is enough to tell the three apart.
    Macros are olevba's business (active_content.check_office_macros), whatever the streams are called.
    """
    wanted = {kind: [n.encode("utf-16-le") for n in names] for kind, names in OLE_STREAMS.items()}
    found: set[str] = set()
    stream.seek(0)
    tail = b""
    while chunk := stream.read(1024 * 1024):
        window = tail + chunk
        for kind, names in wanted.items():
            if any(n + b"\x00\x00" in window for n in names):
                found.add(kind)
        tail = window[-80:]
    if len(found) != 1:
        raise EvidenceRefused(_("ไม่สามารถระบุชนิดของไฟล์ Office นี้ได้ กรุณาบันทึกเป็น PDF แล้วอัปโหลดใหม่"))
    return found.pop()


def _too_many_members() -> EvidenceRefused:
    return EvidenceRefused(_("ไฟล์นี้มีโครงสร้างผิดปกติ (จำนวนไฟล์ภายในมากเกินไป)"))


def zip_directory_size(stream: BinaryIO) -> tuple[int, int]:
    """(entries, central directory bytes) from the end-of-central-directory record (ZIP64 too),
    read from the last 64 KiB without parsing the directory itself."""
    stream.seek(0, 2)
    size = stream.tell()
    back = min(size, 22 + 65535 + 20 + 56)
    stream.seek(size - back)
    tail = stream.read(back)
    stream.seek(0)
    at = tail.rfind(EOCD)
    if at < 0 or len(tail) - at < 22:
        raise EvidenceRefused(_("ไฟล์เสียหรือไม่สมบูรณ์ กรุณาตรวจสอบแล้วอัปโหลดใหม่"))
    entries, directory_bytes = struct.unpack("<HI", tail[at + 10 : at + 16])
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:
        locator = tail.rfind(EOCD64_LOCATOR, 0, at)
        if locator < 0:
            raise EvidenceRefused(_("ไฟล์เสียหรือไม่สมบูรณ์ กรุณาตรวจสอบแล้วอัปโหลดใหม่"))
        (record_at,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
        stream.seek(record_at)
        record = stream.read(56)
        stream.seek(0)
        if not record.startswith(EOCD64) or len(record) < 56:
            raise EvidenceRefused(_("ไฟล์เสียหรือไม่สมบูรณ์ กรุณาตรวจสอบแล้วอัปโหลดใหม่"))
        entries, directory_bytes = struct.unpack("<QQ", record[32:48])
    return entries, directory_bytes


def _zip_kind(stream: BinaryIO, original_name: str) -> str:
    entries, directory_bytes = zip_directory_size(stream)
    if entries > ZIP_MAX_MEMBERS or directory_bytes > ZIP_MAX_DIRECTORY_BYTES:
        raise _too_many_members()
    stream.seek(0)
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise EvidenceRefused(_("ไฟล์เสียหรือไม่สมบูรณ์ กรุณาตรวจสอบแล้วอัปโหลดใหม่")) from None
    if len(members) > ZIP_MAX_MEMBERS:  # the record's count can lie; the directory's size cannot
        raise _too_many_members()
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > ZIP_RATIO_MIN_SIZE and ratio > ZIP_MAX_RATIO:
            raise EvidenceRefused(_("ไฟล์นี้มีโครงสร้างผิดปกติ (ข้อมูลภายในขยายตัวมากเกินไป) จึงไม่รับไฟล์"))
    if total > ZIP_MAX_TOTAL_UNCOMPRESSED:
        raise EvidenceRefused(_("ไฟล์นี้มีโครงสร้างผิดปกติ (ข้อมูลภายในขยายตัวมากเกินไป) จึงไม่รับไฟล์"))
    names = {m.filename for m in members}

    def read_member(name: str) -> bytes:
        with archive.open(name) as member:
            return member.read(ZIP_MAX_MEMBER_READ)

    kind = None
    try:
        if "mimetype" in names:
            mimetype = read_member("mimetype").decode("ascii", "replace").strip()
            kind = ODF_MIMETYPES.get(mimetype)
            if kind:
                active_content.check_odf(archive)
        if kind is None and "[Content_Types].xml" in names:
            active_content.check_ooxml(archive)
            kinds = {kind for prefix, kind in OOXML_MAIN.items() if any(n.startswith(prefix) for n in names)}
            if len(kinds) == 1:
                kind = kinds.pop()
        if kind is None:
            raise EvidenceRefused(_("ไม่รับไฟล์บีบอัด (zip) กรุณาแนบไฟล์เอกสารหรือรูปภาพโดยตรง"))
        active_content.check_zip_ole_members(archive)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError):  # a member that will not inflate
        raise EvidenceRefused(_("ไฟล์เสียหรือไม่สมบูรณ์ กรุณาตรวจสอบแล้วอัปโหลดใหม่")) from None
    active_content.check_office_macros(stream, original_name)
    return kind


def _text_kind(head: bytes, extension: str) -> str | None:
    if b"\x00" in head or MARKUP.search(head[:4096]):
        return None
    sample = head.removeprefix(b"\xef\xbb\xbf")
    try:
        # A chunk boundary may cut a multi-byte character: ignore an incomplete tail.
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 3:
            try:
                sample.decode("cp874")  # Thai Windows encoding, common in CSV exported from Excel
            except UnicodeDecodeError:
                return None
    return "csv" if extension == "csv" else "txt"


def sniff(stream: BinaryIO, original_name: str) -> FileType:
    """The file's real type, checked against its extension; raises EvidenceRefused."""
    extension = extension_of(original_name)
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head:
        raise EvidenceRefused(_("ไฟล์ว่างเปล่า (0 ไบต์)"))
    kind: str | None = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(OLE2_MAGIC):
        kind = _ole_kind(stream)
    elif head.startswith(ZIP_MAGIC):
        kind = _zip_kind(stream, original_name)
    elif head.startswith(EXECUTABLE_MAGIC):
        raise EvidenceRefused(_("ไฟล์นี้เป็นโปรแกรมหรือสคริปต์ ไม่ใช่เอกสาร จึงไม่รับไฟล์"))
    elif MARKUP.search(head[:4096]):
        raise EvidenceRefused(_("ไฟล์นี้เป็นหน้าเว็บ (HTML) หรือสคริปต์ ไม่ใช่เอกสาร จึงไม่รับไฟล์"))
    else:
        kind = _text_kind(head, extension)
    stream.seek(0)
    if kind is None:
        raise EvidenceRefused(
            _("ไม่รับไฟล์ชนิดนี้ รับเฉพาะ PDF, Word, Excel, PowerPoint, OpenDocument, JPEG, PNG, ข้อความ (.txt) และ CSV")
        )
    file_type = TYPES[kind]
    if extension not in file_type.extensions:
        raise EvidenceRefused(
            _("นามสกุลไฟล์ (.%(ext)s) ไม่ตรงกับเนื้อหาจริงของไฟล์ (%(label)s) กรุณาตรวจสอบไฟล์")
            % {"ext": extension or "-", "label": file_type.label}
        )
    _check_active_content(stream, kind, original_name)
    return file_type


def _check_active_content(stream: BinaryIO, kind: str, original_name: str) -> None:
    """The whole file, after its type is known (zip containers were checked while being identified)."""
    if kind in {"pdf", "jpeg", "png"}:
        active_content.scan_markup(stream)
    if kind == "pdf":
        active_content.check_pdf(stream)
    elif kind in {"doc", "xls", "ppt"}:
        active_content.check_office_macros(stream, original_name)
    stream.seek(0)
