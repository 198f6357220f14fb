"""Test data and PDF readers for the report tests.

Decisions go through the real review service (step_review). Submissions are written
directly: step_submit checks every requirement of the step's web form, which is not what
these tests are about. Evidence files are saved with default_storage like the upload does.
"""

import datetime as dt
import hashlib
import io
import re
import subprocess
import tempfile
import unicodedata
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from evidence.models import EvidenceFile
from kpi_tracker.lib.thai import BANGKOK
from milestones.models import DecisionKind, StepProgress, StepStatus, Submission
from milestones.services.filings import filing_create
from milestones.services.review import step_review

ACCEPTED_AT = dt.datetime(2020, 8, 3, 9, 30, tzinfo=BANGKOK)


def progress(assessment, number: int) -> StepProgress:
    return assessment.steps.select_related("step").get(step__number=number)


def submit(assessment, number: int, staff, *, at: dt.datetime = ACCEPTED_AT) -> Submission:
    p = progress(assessment, number)
    count = p.submissions.count()
    p.status = StepStatus.SUBMITTED
    p.submitted_at = at
    p.save()
    return Submission.objects.create(progress=p, number=count + 1, submitted_by=staff, submitted_at=at)


def decide(assessment, number: int, reviewer, kind: str, comment: str = "", *, at: dt.datetime = ACCEPTED_AT):
    """Decide the step's latest submission through the review service (it recalculates the level)."""
    decision = step_review(progress=progress(assessment, number), user=reviewer, kind=kind, comment=comment, now=at)
    assessment.refresh_from_db()
    return decision


def accept_steps(assessment, upto: int, staff, reviewer, *, comment: str = "") -> None:
    for number in range(1, upto + 1):
        submit(assessment, number, staff)
        decide(assessment, number, reviewer, DecisionKind.ACCEPTED, comment)


def add_evidence(
    assessment,
    step_number: int,
    name: str,
    content: bytes,
    user,
    *,
    requirement_number: int | None = None,
    content_type: str = "application/pdf",
    evidence_date: dt.date | None = dt.date(2020, 7, 20),
) -> EvidenceFile:
    p = progress(assessment, step_number)
    requirement = None
    if requirement_number is not None:
        requirement = assessment.indicator.requirements.get(number=requirement_number)
    stored = default_storage.save(f"test/{uuid.uuid4().hex}", ContentFile(content))
    return EvidenceFile.objects.create(
        progress=p,
        requirement=requirement,
        stored_name=stored,
        original_name=name,
        size=len(content),
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        evidence_date=evidence_date,
        uploaded_by=user,
        uploaded_at=ACCEPTED_AT - dt.timedelta(days=3),
    )


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


def sample_filing(assessment, staff, *, signer_position: str = "ผู้อำนวยการกองทดสอบ ก"):
    """The cover memo the report tests file: memo กษ 0509/123 of 1 September 2563, through the real service."""
    return filing_create(
        assessment=assessment,
        user=staff,
        memo_number="กษ 0509/123",
        memo_date=dt.date(2020, 9, 1),
        recipient="ผู้อำนวยการกลุ่มพัฒนาระบบบริหาร",
        signer_name="นายสมชาย ใจดี",
        signer_position=signer_position,
    )
