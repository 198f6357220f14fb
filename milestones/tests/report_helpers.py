"""PDF readers and storage for the report tests (the steps, decisions and filings they need come
from milestones/tests/factories.py, stored evidence files from evidence/tests/factories.py)."""

import io
import re
import subprocess
import tempfile
import unicodedata

from fontTools.ttLib import TTFont
from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as poppler's pdftotext reads it (in content-stream order), whitespace collapsed.

    HarfBuzz draws SARA AM (ำ) as NIKHAHIT + SARA AA, so it reads back as "ํา" (with a tone
    mark: "ํ้า"); that pair is folded back to "ำ" here. Nothing else is changed.
    """
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        # -raw: content-stream order. Poppler's reading-order heuristics split a Thai syllable
        # whose tone mark is drawn raised in a bold face ("ตัวชีว ้ ัด"); the stream order is right.
        out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", f.name, "-"], capture_output=True, check=True)
    text = re.sub(r"\s+", " ", out.stdout.decode("utf-8"))
    return re.sub("\u0e4d([\u0e48-\u0e4b]?)\u0e32", "\\1\u0e33", text)


def embedded_fonts(pdf: bytes) -> list[dict]:
    """Every font of every page: its name, whether a font file is embedded, and the parsed font and ToUnicode map."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor_owner = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descriptor_owner["/FontDescriptor"].get_object()
            file_key = next((k for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor), None)
            fonts[font["/BaseFont"]] = {
                "name": str(font["/BaseFont"]),
                "file_key": file_key,
                "font": TTFont(io.BytesIO(descriptor[file_key].get_data())) if file_key == "/FontFile2" else None,
                "to_unicode": _to_unicode(font["/ToUnicode"].get_data().decode("latin-1"))
                if "/ToUnicode" in font
                else {},
            }
    return list(fonts.values())


def _to_unicode(cmap: str) -> dict[int, str]:
    mapping = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.DOTALL):
        for gid, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(gid, 16)] = bytes.fromhex(text).decode("utf-16-be")
    return mapping


def glyph_problems(pdf: bytes) -> list[str]:
    """What would draw wrongly: a .notdef glyph (id 0) or a base character drawn with another character's glyph.

    WeasyPrint writes glyph ids (Identity-H) and a ToUnicode map per font. For every glyph
    whose text is one base character (not a combining mark, which Thai shaping may swap for
    a shifted variant), the embedded font's own cmap must have that character and give that
    very glyph.
    """
    problems = [f"glyph 0 (.notdef) drawn on page {n}" for n in pages_drawing_notdef(pdf)]
    for info in embedded_fonts(pdf):
        font = info["font"]
        if font is None:
            continue
        order = font.getGlyphOrder()
        cmap = font.getBestCmap() or {}
        for gid, text in info["to_unicode"].items():
            if gid == 0 or gid >= len(order):
                # WeasyPrint draws a missing character as .notdef under an id past the font's glyphs.
                problems.append(f"{info['name']}: .notdef drawn for {text!r}")
                continue
            if len(text) != 1 or unicodedata.category(text).startswith("M"):
                continue
            if ord(text) not in cmap:
                problems.append(f"{info['name']}: {text!r} drawn with glyph {gid} of a font without it")
            elif order.index(cmap[ord(text)]) != gid:
                problems.append(f"{info['name']}: {text!r} drawn with glyph {gid} ({order[gid]})")
    return problems


def pages_drawing_notdef(pdf: bytes) -> list[int]:
    """Pages whose text operators show glyph id 0 (fonts are Identity-H: two bytes per glyph)."""
    pages = []
    for n, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, start=1):
        content = page.get_contents().get_data().decode("latin-1")
        for hexstring in re.findall(r"<([0-9a-fA-F]+)>", content):
            if any(hexstring[i : i + 4] == "0000" for i in range(0, len(hexstring), 4)):
                pages.append(n)
                break
    return pages


def use_own_storage(settings, tmp_path) -> None:
    """Point the default storage (evidence files, the PDF cache) at this test's own folder."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }


def run_queued_tasks() -> int:
    """What `manage.py run_worker` does with each task on the queue, in this process and this test's
    transaction: the worker's own loop closes connections between tasks, which would end the test's
    transaction on PostgreSQL (tests/test_document_worker.py runs the real worker process)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
        result.claim(worker.worker_id)
        worker.run_task(result)
        ran += 1
    return ran


def built_document(client, response) -> bytes:
    """The file of a document the background worker builds: the request's redirect names the job; the
    queued tasks run; the file is downloaded."""
    from django.urls import resolve, reverse

    assert response.status_code == 302, response.status_code
    job_id = resolve(response["Location"]).kwargs["pk"]
    run_queued_tasks()
    download = client.get(reverse("document-download", args=[job_id]))
    assert download.status_code == 200, download.status_code
    return b"".join(download.streaming_content)
