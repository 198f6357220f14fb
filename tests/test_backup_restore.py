"""export_round / import_round: a round trip through an empty database gives back every record
and every file byte for byte; a damaged archive or a non-empty database is refused.
"""

import datetime as dt
import hashlib
import io
import json
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from conftest import PASSWORD
from evidence.models import EvidenceFile
from evidence.services import evidence_add, step_content_save, step_submit
from evidence.storage.integrity import check_evidence
from evidence.tests.factories import pdf_bytes, png_bytes
from milestones.models import AuditEvent, Decision, Extension, Filing, Round, Submission, Unit
from milestones.ops.backup import collect_round, serialize_records
from milestones.services import extension_decide, extension_request, step_review
from milestones.services.audit import audit_record

pytestmark = pytest.mark.django_db(transaction=True)


def use_storage(settings, path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(path)}},
    }
    return storages["default"]


def build_round_history(cast):
    """A round with history, made through the real services: files, content, submissions,
    an acceptance, a return with a comment, an extension, a filing and the audit trail."""
    a1 = cast.assessment_a.steps.select_related("step").get(step__number=1)
    a2 = cast.assessment_a.steps.select_related("step").get(step__number=2)
    step_content_save(progress=a1, user=cast.staff_a, content={"summary": "ทบทวนกระบวนการงานทั้งหมดของกองแล้ว"})
    evidence_add(
        progress=a1,
        user=cast.staff_a,
        upload=SimpleUploadedFile("คำสั่งแต่งตั้งคณะทำงาน.pdf", pdf_bytes("order"), "application/pdf"),
        evidence_date=dt.date(2020, 6, 1),
    )
    evidence_add(
        progress=a1,
        user=cast.staff_a,
        upload=SimpleUploadedFile("รายงานผลการทบทวน.pdf", pdf_bytes("report"), "application/pdf"),
    )
    step_submit(progress=a1, user=cast.staff_a)
    step_review(progress=a1, user=cast.reviewer, kind="accepted")
    step_content_save(
        progress=a2,
        user=cast.staff_a,
        content={"processes": [{"name": "การออกใบอนุญาตทำการประมง", "digital_use": "ยื่นคำขอออนไลน์", "is_chosen": True}]},
    )
    evidence_add(progress=a2, user=cast.staff_a, upload=SimpleUploadedFile("แผนภาพ.png", png_bytes(), "image/png"))
    step_submit(progress=a2, user=cast.staff_a)
    step_review(progress=a2, user=cast.reviewer, kind="returned", comment="กรุณาระบุกระบวนการให้ชัดเจน")
    extension = extension_request(assessment=cast.assessment_b, user=cast.staff_b, reason="น้ำท่วมสำนักงาน")
    extension_decide(extension=extension, user=cast.reviewer, grant=True, new_deadline=dt.date(2020, 9, 30))
    Filing.objects.create(
        unit=cast.unit_a,
        round=cast.indicator.round,
        assessment=cast.assessment_a,
        recipient="ผู้อำนวยการกลุ่มพัฒนาระบบบริหาร",
        memo_number="กษ 0509/123",
        memo_date=dt.date(2020, 8, 1),
        signer_name="นายทดสอบ ระบบ",
        signer_position="ผู้อำนวยการกอง",
        created_by=cast.staff_a,
    )
    audit_record(action="login", user=cast.staff_a, unit=cast.unit_a)


def snapshot():
    """Every record of the round, serialised, and the sha256 of every stored file."""
    round_ = Round.objects.get(fiscal_year=2563)
    data = json.loads(serialize_records(collect_round(round_)))
    storage = storages["default"]
    files = {}
    for name in EvidenceFile.objects.values_list("stored_name", flat=True):
        with storage.open(name, "rb") as handle:
            files[name] = hashlib.sha256(handle.read()).hexdigest()
    return data, files


def test_a_round_survives_export_flush_and_import(cast, before_deadline, settings, tmp_path):
    use_storage(settings, tmp_path / "old-host")
    build_round_history(cast)
    before_records, before_files = snapshot()
    models_seen = {record["model"] for record in before_records}
    assert {
        "auth.user",
        "milestones.unit",
        "milestones.profile",
        "milestones.round",
        "milestones.indicator",
        "milestones.step",
        "milestones.evidencerequirement",
        "milestones.weight",
        "milestones.assessment",
        "milestones.stepprogress",
        "milestones.submission",
        "milestones.decision",
        "milestones.extension",
        "milestones.filing",
        "milestones.auditevent",
        "evidence.evidencefile",
        "evidence.stepsummary",
        "evidence.workprocess",
    } <= models_seen
    assert len(before_files) == 3

    archive = tmp_path / "round-2563.zip"
    out = io.StringIO()
    call_command("export_round", "2563", str(archive), stdout=out)
    assert "3 evidence files" in out.getvalue()
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["fiscal_year"] == 2563
        assert {f["stored_name"]: f["sha256"] for f in manifest["files"]} == before_files
        assert manifest["records"]["milestones.decision"] == 2

    # A new machine: the database emptied (TRUNCATE on PostgreSQL, which the audit log's
    # UPDATE/DELETE trigger does not block) and an empty evidence store.
    assert AuditEvent.objects.exists()
    call_command("flush", "--noinput")
    assert not AuditEvent.objects.exists() and not Unit.objects.exists()
    use_storage(settings, tmp_path / "new-host")

    out = io.StringIO()
    call_command("import_round", str(archive), stdout=out)
    assert "3 evidence files" in out.getvalue()

    after_records, after_files = snapshot()
    assert after_records == before_records
    # The restore is in the audit log itself (with no unit, so not part of the round's records).
    assert AuditEvent.objects.filter(action="round.import", data__fiscal_year=2563).count() == 1
    assert after_files == before_files
    assert check_evidence(storage=storages["default"])[2] == []
    # The restored history behaves: sequences continue after the restored keys, and the
    # accepted step still counts.
    staff_a = get_user_model().objects.get(username="staff_a")
    assert audit_record(action="login", user=staff_a).pk > max(
        r["pk"] for r in before_records if r["model"] == "milestones.auditevent"
    )
    assert staff_a.check_password(PASSWORD) and staff_a.profile.unit.code == "T-A"
    assert Decision.objects.filter(kind="accepted").count() == 1
    assert Submission.objects.count() == 2
    assert Extension.objects.get().new_deadline == dt.date(2020, 9, 30)


@pytest.fixture
def archive(cast, before_deadline, settings, tmp_path):
    use_storage(settings, tmp_path / "old-host")
    build_round_history(cast)
    path = tmp_path / "round-2563.zip"
    call_command("export_round", "2563", str(path), stdout=io.StringIO())
    return path


def test_it_refuses_a_database_that_is_not_empty(archive):
    records_before = EvidenceFile.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CommandError, match="ไม่ว่าง"):
        call_command("import_round", str(archive))
    assert (EvidenceFile.objects.count(), AuditEvent.objects.count()) == records_before


def test_it_refuses_a_damaged_archive_and_changes_nothing(archive, settings, tmp_path):
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("evidence/") and item.filename.endswith(".png"):
                data = data[:-1] + b"X"
            target.writestr(item, data)
    call_command("flush", "--noinput")
    new_host = tmp_path / "new-host"
    use_storage(settings, new_host)
    with pytest.raises(CommandError, match="sha256"):
        call_command("import_round", str(damaged))
    assert not Unit.objects.exists()
    assert not new_host.exists() or not any(p.is_file() for p in new_host.rglob("*"))


def test_it_refuses_a_file_that_is_not_an_export(db, tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(CommandError, match="manifest"):
        call_command("import_round", str(path))


def test_it_says_so_when_the_round_does_not_exist(db, tmp_path):
    with pytest.raises(CommandError, match="2599"):
        call_command("export_round", "2599", str(tmp_path / "x.zip"))


def test_a_round_restores_into_s3_storage(archive, tmp_path):
    import boto3
    from moto import mock_aws
    from storages.backends.s3 import S3Storage

    from milestones.ops.backup import import_round

    call_command("flush", "--noinput")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="kpi-restored")
        s3 = S3Storage(bucket_name="kpi-restored", region_name="us-east-1", file_overwrite=False)
        result = import_round(path=archive, storage=s3)
        rows, files, mismatches = check_evidence(storage=s3)
    assert result.files == 3
    assert (rows, files, mismatches) == (3, 3, [])
