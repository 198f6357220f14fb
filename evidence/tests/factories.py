"""Test data for the evidence app: small real files of each kind built in memory, a step filled so
it can be submitted, an evidence file stored as the upload stores it.

progress_of and return_step come from milestones/tests/factories.py (one copy) and are importable
from here too, for the evidence tests."""

import datetime as dt
import hashlib
import io
import uuid
import zipfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from evidence.models import EvidenceFile, Feedback, FeedbackTopic, PlanRow, StepSummary, WorkItem, WorkProcess
from milestones.models import StepProgress
from milestones.tests.factories import ACCEPTED_AT, progress_of, return_step
from tests.fixtures.documents import minimal_pdf, odf


def pdf_bytes(marker: str = "") -> bytes:
    return minimal_pdf(marker)


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17


def jpeg_bytes() -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"


def ooxml_bytes(part: str = "word/document.xml", *, content_types: str = "", extra: dict | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types or '<?xml version="1.0"?><Types/>')
        archive.writestr(part, "<document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def odf_bytes(mimetype: str = "application/vnd.oasis.opendocument.text") -> bytes:
    return odf(mimetype)


def ole_bytes(*streams: str) -> bytes:
    """An OLE2 compound file header followed by directory entries with these names (enough for sniffing)."""
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    for name in streams:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        body += encoded + b"\x00" * (128 - len(encoded))
    return body


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def fill_step(progress: StepProgress, user, *, files: int = 1) -> None:
    """Give a step everything its form asks for (content rows and files written directly)."""
    kind = progress.step.form_kind
    if kind == "review":
        StepSummary.objects.create(progress=progress, text="ทบทวนกระบวนการงานแล้ว")
    elif kind == "processes":
        WorkProcess.objects.create(progress=progress, name="การออกใบอนุญาต", digital_use="ยื่นคำขอออนไลน์", is_chosen=True)
    elif kind == "work_items":
        for i in range(2):
            item = WorkItem.objects.create(
                progress=progress,
                date=dt.date(2020, 7, 1 + i),
                kind="e_meeting",
                platform="zoom",
                topic=f"ประชุมครั้งที่ {i + 1}",
                participants="staff",
                participant_count=10,
            )
            EvidenceFile.objects.create(
                progress=progress,
                work_item=item,
                stored_name=f"test/{progress.pk}-{i}.pdf",
                original_name=f"รายงานการประชุม {i + 1}.pdf",
                size=10,
                content_type="application/pdf",
                sha256=f"{progress.pk:032d}{i:032d}",
                uploaded_by=user,
            )
        files = 0
    elif kind == "plan":
        PlanRow.objects.create(
            progress=progress,
            process="การออกใบอนุญาต",
            digital_system="ระบบออนไลน์",
            activity="พัฒนาระบบ",
            target="ร้อยละ 80",
            months=["2020-10", "2020-11"],
            responsible="หัวหน้าฝ่าย",
        )
    elif kind == "feedback":
        Feedback.objects.create(
            progress=progress,
            topic=FeedbackTopic.PROCESSES,
            opinions="ดี",
            suggestions="ขยายผล",
            problems="เน็ตช้า",
            solutions="เพิ่มแบนด์วิดท์",
        )
    for i in range(files):
        EvidenceFile.objects.create(
            progress=progress,
            stored_name=f"test/{progress.pk}-f{i}.pdf",
            original_name=f"หลักฐาน {i + 1}.pdf",
            size=10,
            content_type="application/pdf",
            sha256=f"f{progress.pk:031d}{i:032d}",
            uploaded_by=user,
        )


def docx_name() -> str:
    return "รายงานผลการทบทวนกระบวนการ.docx"


__all__ = ["progress_of", "return_step"]  # re-exported for the evidence tests


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
    """An evidence file saved with default_storage like the upload does, without the upload's checks."""
    p = progress_of(assessment, step_number)
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
