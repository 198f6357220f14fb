import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages

from evidence.models import EvidenceFile
from evidence.services import DuplicateEvidence, evidence_add, evidence_remove
from evidence.tests.factories import pdf_bytes, progress_of, upload
from evidence.validation import EvidenceRefused
from milestones.models import AuditEvent, StepStatus
from milestones.services.steps import StepRefused

pytestmark = pytest.mark.django_db


def stored_files() -> set[str]:
    storage = storages["default"]
    found = set()
    for year in storage.listdir("")[0]:
        if year.startswith("."):
            continue
        found |= {f"{year}/{name}" for name in storage.listdir(year)[1]}
    return found


def test_it_stores_the_file_under_a_generated_name_with_its_hash_and_audits(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 1)
    evidence = evidence_add(
        progress=progress,
        user=cast.staff_a,
        upload=upload("หนังสือสั่งการ.pdf", pdf_bytes()),
        evidence_date=dt.date(2020, 6, 1),
    )
    assert evidence.original_name == "หนังสือสั่งการ.pdf"
    assert evidence.stored_name.startswith("2020/") and evidence.stored_name.endswith(".pdf")
    assert "หนังสือ" not in evidence.stored_name
    assert evidence.content_type == "application/pdf" and evidence.size == len(pdf_bytes())
    assert len(evidence.sha256) == 64
    assert storages["default"].open(evidence.stored_name).read() == pdf_bytes()
    progress.refresh_from_db()
    assert progress.status == StepStatus.DRAFT and progress.changed_by == cast.staff_a
    assert AuditEvent.objects.filter(action="evidence.upload", object_id=str(evidence.pk), user=cast.staff_a).exists()


def test_the_same_content_twice_in_one_step_is_recognised_and_not_stored_twice(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 1)
    first = evidence_add(progress=progress, user=cast.staff_a, upload=upload("a.pdf", pdf_bytes()))
    before = stored_files()
    with pytest.raises(DuplicateEvidence) as duplicate:
        evidence_add(progress=progress, user=cast.staff_a, upload=upload("สำเนา.pdf", pdf_bytes()))
    assert duplicate.value.existing == first
    assert stored_files() == before
    assert EvidenceFile.objects.filter(progress=progress).count() == 1


def test_the_same_content_may_be_evidence_of_another_step(cast, before_deadline):
    evidence_add(progress=progress_of(cast.assessment_a, 1), user=cast.staff_a, upload=upload("a.pdf", pdf_bytes()))
    evidence_add(progress=progress_of(cast.assessment_a, 3), user=cast.staff_a, upload=upload("a.pdf", pdf_bytes()))
    assert EvidenceFile.objects.count() == 2


def test_a_failed_row_leaves_no_file_behind(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 1)
    before = stored_files()
    with mock.patch("evidence.services.files.audit_record", side_effect=RuntimeError("audit down")):
        with pytest.raises(RuntimeError):
            evidence_add(progress=progress, user=cast.staff_a, upload=upload("a.pdf", pdf_bytes()))
    assert stored_files() == before
    assert not EvidenceFile.objects.exists()


def test_a_refused_file_leaves_neither_file_nor_row(cast, before_deadline):
    before = stored_files()
    with pytest.raises(EvidenceRefused):
        evidence_add(progress=progress_of(cast.assessment_a, 1), user=cast.staff_a, upload=upload("x.pdf", b"MZ\x90"))
    assert stored_files() == before and not EvidenceFile.objects.exists()


def test_it_rejects_upload_after_deadline(cast, after_deadline):
    with pytest.raises(StepRefused, match="พ้นกำหนด"):
        evidence_add(progress=progress_of(cast.assessment_a, 1), user=cast.staff_a, upload=upload("a.pdf", pdf_bytes()))
    assert not EvidenceFile.objects.exists()


def test_an_extension_lets_the_unit_upload_after_the_rounds_deadline(cast, after_deadline):
    cast.assessment_a.extended_deadline = dt.date(2020, 9, 30)
    cast.assessment_a.save()
    evidence_add(progress=progress_of(cast.assessment_a, 1), user=cast.staff_a, upload=upload("a.pdf", pdf_bytes()))
    assert EvidenceFile.objects.count() == 1


def test_a_file_over_the_size_limit_is_refused(cast, before_deadline, settings):
    settings.EVIDENCE_MAX_UPLOAD_MB = 1
    big = pdf_bytes() + b"0" * (1024 * 1024)
    with pytest.raises(EvidenceRefused, match="เกินขนาดสูงสุด 1 MB"):
        evidence_add(progress=progress_of(cast.assessment_a, 1), user=cast.staff_a, upload=upload("big.pdf", big))


@pytest.mark.parametrize("who", ["staff_b", "reviewer", "viewer", "admin"])
def test_only_the_units_own_staff_may_add_evidence(cast, before_deadline, who):
    with pytest.raises(PermissionDenied):
        evidence_add(
            progress=progress_of(cast.assessment_a, 1), user=getattr(cast, who), upload=upload("a.pdf", pdf_bytes())
        )


def test_a_submitted_step_takes_no_more_files(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 1)
    progress.status = StepStatus.SUBMITTED
    progress.save()
    with pytest.raises(StepRefused, match="ส่งแล้ว"):
        evidence_add(progress=progress, user=cast.staff_a, upload=upload("a.pdf", pdf_bytes()))


def test_removing_a_draft_file_keeps_it_stored_and_in_the_history(cast, before_deadline):
    progress = progress_of(cast.assessment_a, 1)
    evidence = evidence_add(progress=progress, user=cast.staff_a, upload=upload("a.pdf", pdf_bytes()))
    evidence_remove(evidence=evidence, user=cast.staff_a)
    evidence.refresh_from_db()
    assert evidence.removed_at is not None and evidence.removed_by == cast.staff_a
    assert storages["default"].exists(evidence.stored_name)
    assert AuditEvent.objects.filter(action="evidence.remove", object_id=str(evidence.pk)).exists()
    # Once removed, the same content may be uploaded again as a new row, on the same stored object.
    again = evidence_add(progress=progress, user=cast.staff_a, upload=upload("a.pdf", pdf_bytes()))
    assert again.pk != evidence.pk and again.stored_name == evidence.stored_name
