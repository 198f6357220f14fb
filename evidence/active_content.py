"""Active content in documents: macros, scripts, links that fetch on open, embedded files.

Every check reads the whole file, by parsing it the way the program that opens it would, not by
looking for a few member names:
- Office macros (VBA in .doc/.xls/.ppt and in any OLE part of an OOXML or ODF zip, renamed or
  not; Excel 4.0/XLM macro sheets in .xls) with oletools' olevba; mraptor says whether the code
  also runs by itself, for the log.
- OOXML: every content type in [Content_Types].xml (parsed whole, streamed) and every
  relationship in every .rels part: macro-enabled, VBA, XLM macro sheets, ActiveX; any relationship
  with TargetMode="External" but a hyperlink (attached templates, OLE links, frames, pictures
  fetched from a share leak the reader's Windows credentials when the file is opened).
- OpenDocument: Basic/ and Scripts/ libraries (as members or manifest entries) and event
  listeners or script links in the content and styles.
- PDF: parsed whole with pikepdf (qpdf), every object, inside object streams too: JavaScript,
  /Launch and other actions that run or open something, embedded files, RichMedia, XFA forms.
- HTML or script markers anywhere in a PDF or an image (scan_markup), read in 1 MiB chunks.

Each check raises EvidenceRefused with a Thai message; none holds the whole file in memory except
olevba on an OLE member (bounded by ZIP_MAX_OLE_MEMBER) and pikepdf's object table.
"""

import logging
import re
import xml.parsers.expat
import zipfile
from typing import BinaryIO

from django.utils.translation import gettext as _

from evidence.errors import EvidenceRefused

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024
XML_CHUNK = 64 * 1024
ZIP_MAX_OLE_MEMBER = 64 * 1024 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# An image or PDF that also carries a web page (a polyglot) could run as HTML if a browser ever
# sniffed it. Narrower than a general markup test: XMP metadata in images and PDFs has <?xml.
ACTIVE_MARKUP = re.compile(rb"<\s*(!doctype\s+html|html|script|iframe|object|embed|body)\b", re.IGNORECASE)
MARKUP_OVERLAP = 64

# OOXML content types and relationship types that are macros or controls.
OOXML_ACTIVE_TYPES = ("macroenabled", "vbaproject", "macrosheet", "activex", "dialogsheet", "vnd.ms-office.vba")
OOXML_ACTIVE_RELATIONSHIPS = ("/vbaproject", "/xlmacrosheet", "/xlintlmacrosheet", "/activexcontrol", "/dialogsheet")
HYPERLINK_RELATIONSHIP = "/hyperlink"

ODF_SCRIPT_DIRS = {"basic", "scripts"}
ODF_SCRIPTED_PARTS = ("content.xml", "styles.xml")
ODF_SCRIPT_NS = "urn:oasis:names:tc:opendocument:xmlns:script:1.0"
ODF_OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
ODF_SCRIPT_LINKS = ("vnd.sun.star.script:", "macro:", "vnd.sun.star.basic:")

# PDF actions that run code, start programs or open other files (a remote go-to on a share leaks
# credentials like an attached template). Links (/URI, /GoTo) stay allowed.
PDF_ACTIVE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/GoToR",
    "/GoToE",
    "/ImportData",
    "/SubmitForm",
    "/RichMediaExecute",
    "/Rendition",
}
PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFiles", "/EF", "/XFA", "/RichMediaContent", "/RichMediaSettings"}
PDF_ACTIVE_TYPES = {"/EmbeddedFile"}
PDF_ACTIVE_SUBTYPES = {"/RichMedia", "/FileAttachment"}
PDF_MAX_NODES = 2_000_000


def _macro_refusal() -> EvidenceRefused:
    return EvidenceRefused(_("ไฟล์นี้มีมาโคร (macro) ซึ่งไม่อนุญาต กรุณาบันทึกเป็นไฟล์แบบไม่มีมาโครแล้วอัปโหลดใหม่"))


def _markup_refusal() -> EvidenceRefused:
    return EvidenceRefused(_("ไฟล์นี้เป็นหน้าเว็บ (HTML) หรือสคริปต์ ไม่ใช่เอกสาร จึงไม่รับไฟล์"))


def _external_refusal() -> EvidenceRefused:
    return EvidenceRefused(
        _(
            "ไฟล์นี้เชื่อมโยงไปยังไฟล์หรือแม่แบบภายนอก (external link) ซึ่งจะถูกเปิดเองเมื่อเปิดไฟล์ จึงไม่รับไฟล์ "
            "กรุณาฝังเนื้อหาไว้ในไฟล์ หรือบันทึกเป็น PDF แล้วอัปโหลดใหม่"
        )
    )


def _pdf_refusal() -> EvidenceRefused:
    return EvidenceRefused(
        _(
            "ไฟล์ PDF นี้มีสคริปต์ คำสั่งที่ทำงานเองเมื่อเปิด หรือไฟล์แนบฝังอยู่ ซึ่งไม่อนุญาต "
            "กรุณาพิมพ์เป็น PDF ใหม่ (Print to PDF) แล้วอัปโหลดอีกครั้ง"
        )
    )


def _corrupt_refusal() -> EvidenceRefused:
    return EvidenceRefused(_("ไฟล์เสียหรือไม่สมบูรณ์ กรุณาตรวจสอบแล้วอัปโหลดใหม่"))


# --- raw bytes ---------------------------------------------------------------------------------
def scan_markup(stream: BinaryIO) -> None:
    """Refuse HTML or script markers anywhere in the file, read in 1 MiB chunks with an overlap.

    (PDF names such as /JavaScript are not looked for in the raw bytes: "…/Web/JavaScript" in a
    link is the same bytes; check_pdf finds them where a reader would act on them.)"""
    stream.seek(0)
    tail = b""
    while chunk := stream.read(CHUNK):
        window = tail + chunk
        if ACTIVE_MARKUP.search(window):
            raise _markup_refusal()
        tail = window[-MARKUP_OVERLAP:]
    stream.seek(0)


# --- Office macros (oletools) ------------------------------------------------------------------
def check_office_macros(stream: BinaryIO, name: str) -> None:
    """VBA (any OLE stream or OLE part, whatever it is called) and XLM macro sheets, with olevba."""
    from oletools.mraptor import MacroRaptor
    from oletools.olevba import VBA_Parser

    path = _path_of(stream)
    stream.seek(0)
    try:
        parser = VBA_Parser(path, relaxed=True) if path else VBA_Parser(name, data=stream.read(), relaxed=True)
    except Exception:  # olevba cannot open it as Office at all: the caller's structural checks decide
        logger.info("olevba could not open %s", name, exc_info=True)
        stream.seek(0)
        return
    try:
        if parser.detect_macros():
            code = parser.get_vba_code_all_modules() if parser.contains_vba_macros else ""
            raptor = MacroRaptor(code or "")
            raptor.scan()
            logger.warning(
                "refused an upload with macros: %s (vba=%s xlm=%s mraptor=%s)",
                name,
                parser.contains_vba_macros,
                parser.contains_xlm_macros,
                raptor.get_flags() if code else "-",
            )
            raise _macro_refusal()
    finally:
        parser.close()
        stream.seek(0)


def _path_of(stream) -> str | None:
    getter = getattr(stream, "temporary_file_path", None)
    return getter() if getter else None


# --- XML inside zips, streamed -----------------------------------------------------------------
class _Stop(Exception):
    pass


def _parse_xml(archive: zipfile.ZipFile, member: str, on_start) -> None:
    """Feed a member to expat in chunks, calling on_start(name, attributes) with namespaced names
    ("uri local"). DOCTYPE and entity declarations are refused: Office files never have them."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")

    def refuse_dtd(*args):
        raise _Stop

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.StartElementHandler = on_start
    try:
        with archive.open(member) as handle:
            while chunk := handle.read(XML_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except (_Stop, xml.parsers.expat.ExpatError, zipfile.BadZipFile, OSError, EOFError):
        raise _corrupt_refusal() from None


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def check_ooxml(archive: zipfile.ZipFile) -> None:
    """Content types and relationships of an Office Open XML package."""
    names = archive.namelist()

    def content_type(name, attributes):
        value = attributes.get("ContentType", "").lower()
        if any(marker in value for marker in OOXML_ACTIVE_TYPES):
            raise _macro_refusal()

    _parse_xml(archive, "[Content_Types].xml", content_type)

    def relationship(name, attributes):
        if _local(name) != "Relationship":
            return
        kind = attributes.get("Type", "").lower()
        if kind.endswith(OOXML_ACTIVE_RELATIONSHIPS):
            raise _macro_refusal()
        if attributes.get("TargetMode", "").lower() == "external" and not kind.endswith(HYPERLINK_RELATIONSHIP):
            raise _external_refusal()

    for member in names:
        if member.lower().endswith(".rels"):
            _parse_xml(archive, member, relationship)


def check_odf(archive: zipfile.ZipFile) -> None:
    """Basic and script libraries, and event listeners or script links, of an OpenDocument file."""
    names = archive.namelist()
    for member in names:
        folders = [part.lower() for part in member.split("/")[:-1]]
        if ODF_SCRIPT_DIRS & set(folders):
            raise _macro_refusal()

    def manifest_entry(name, attributes):
        for key, value in attributes.items():
            local = _local(key)
            if local == "full-path" and value.split("/", 1)[0].lower() in ODF_SCRIPT_DIRS:
                raise _macro_refusal()
            if local == "media-type" and "script" in value.lower():
                raise _macro_refusal()

    if "META-INF/manifest.xml" in names:
        _parse_xml(archive, "META-INF/manifest.xml", manifest_entry)

    def content(name, attributes):
        uri, _, local = name.rpartition(" ")
        if uri == ODF_SCRIPT_NS or local == "event-listener" or (uri == ODF_OFFICE_NS and local == "script"):
            raise _macro_refusal()
        for value in attributes.values():
            if value.strip().lower().startswith(ODF_SCRIPT_LINKS):
                raise _macro_refusal()

    for part in ODF_SCRIPTED_PARTS:
        for member in names:
            if member == part or member.endswith("/" + part):  # embedded objects have their own
                _parse_xml(archive, member, content)


def check_zip_ole_members(archive: zipfile.ZipFile) -> None:
    """OLE parts inside a zip (where a VBA project hides, whatever its name) must fit in memory for olevba."""
    for info in archive.infolist():
        if info.file_size > ZIP_MAX_OLE_MEMBER:
            with archive.open(info) as handle:
                if handle.read(len(OLE2_MAGIC)) == OLE2_MAGIC:
                    raise EvidenceRefused(_("ไฟล์นี้มีวัตถุฝัง (embedded object) ขนาดใหญ่ผิดปกติ จึงไม่รับไฟล์"))


# --- PDF (pikepdf) -----------------------------------------------------------------------------
def check_pdf(stream: BinaryIO) -> None:
    """Parse the whole PDF and refuse scripts, actions that run or open something, embedded files,
    RichMedia and XFA forms, anywhere in any object."""
    import pikepdf

    path = _path_of(stream)
    stream.seek(0)
    try:
        with pikepdf.open(path or stream) as pdf:
            _walk_pdf(pdf, pikepdf)
    except EvidenceRefused:
        raise
    except pikepdf.PasswordError:
        raise EvidenceRefused(_("ไฟล์ PDF นี้มีรหัสผ่าน จึงตรวจเนื้อหาไม่ได้ กรุณาบันทึกแบบไม่มีรหัสผ่านแล้วอัปโหลดใหม่")) from None
    except Exception:  # qpdf could not make sense of it even with its repairs: neither can we
        logger.info("pikepdf could not read an uploaded PDF", exc_info=True)
        raise EvidenceRefused(_("ไฟล์ PDF นี้เสียหรือไม่สมบูรณ์ เปิดอ่านไม่ได้ กรุณาบันทึกเป็น PDF ใหม่แล้วอัปโหลดอีกครั้ง")) from None
    finally:
        stream.seek(0)


def _walk_pdf(pdf, pikepdf) -> None:
    """Every object of the file (pdf.objects: the whole cross-reference table, object streams
    included); direct dictionaries and arrays inside each are walked too, indirect ones are
    objects of their own."""
    seen = 0
    for obj in pdf.objects:
        stack = [obj]
        while stack:
            node = stack.pop()
            seen += 1
            if seen > PDF_MAX_NODES:
                raise ValueError("too many PDF objects")
            if isinstance(node, pikepdf.Stream):
                node = node.stream_dict
            if isinstance(node, pikepdf.Dictionary):
                keys = set(node.keys())
                if keys & PDF_ACTIVE_KEYS:
                    raise _pdf_refusal()
                for key, values in (
                    ("/S", PDF_ACTIVE_ACTIONS),
                    ("/Type", PDF_ACTIVE_TYPES),
                    ("/Subtype", PDF_ACTIVE_SUBTYPES),
                ):
                    if key in keys:
                        value = node.get(key)
                        if isinstance(value, pikepdf.Name) and str(value) in values:
                            raise _pdf_refusal()
                children = node.values()
            elif isinstance(node, pikepdf.Array):
                children = list(node)
            else:
                continue
            containers = (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)
            stack.extend(child for child in children if isinstance(child, containers) and not child.is_indirect)
