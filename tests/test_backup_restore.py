"""export_round / import_round: a round trip through an empty database gives back every record
and every file byte for byte; a damaged, tampered, unsigned or zip-slip archive, or a non-empty
database, is refused before anything is restored. Password hashes travel only when asked for.
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
KEY = "test-backup-signing-key"


@pytest.fixture(autouse=True)
def signing_key(settings):
    settings.BACKUP_SIGNING_KEY = KEY


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


def snapshot(*, with_passwords=True):
    """Every record of the round, serialised, and the sha256 of every stored file."""
    round_ = Round.objects.get(fiscal_year=2563)
    lines = serialize_records(collect_round(round_), with_passwords=with_passwords).splitlines()
    data = [json.loads(line) for line in lines]
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
    call_command("export_round", "2563", str(archive), "--with-passwords", stdout=out)
    assert "3 evidence files" in out.getvalue()
    with zipfile.ZipFile(archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["fiscal_year"] == 2563
        assert {f["stored_name"]: f["sha256"] for f in manifest["files"]} == before_files
        assert manifest["records"]["milestones.decision"] == 2 and manifest["passwords"] is True

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


# --- passwords, signature, zip-slip, streaming (issue 15) --------------------------------------
def rewrite(source, target, *, change=None, add=None, manifest=None, key=KEY):
    """Copy an archive, changing members (name -> bytes), adding some, editing the manifest
    (a function of the dict) and signing it again with `key` (None: keep the old signature)."""
    import hashlib as _hashlib
    import hmac

    with zipfile.ZipFile(source) as zf:
        members = {item.filename: zf.read(item.filename) for item in zf.infolist()}
    members.update(change or {})
    data = json.loads(members["manifest.json"])
    if manifest is not None:
        manifest(data)
    raw = json.dumps(data, ensure_ascii=False).encode()
    members["manifest.json"] = raw
    if key is not None:
        members["manifest.sig"] = hmac.new(key.encode(), raw, _hashlib.sha256).hexdigest().encode()
    members.update(add or {})
    with zipfile.ZipFile(target, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return target


def test_without_with_passwords_no_hash_leaves_and_restored_users_cannot_log_in(archive, settings, tmp_path):
    with zipfile.ZipFile(archive) as zf:
        data = zf.read("data.jsonl").decode()
        assert json.loads(zf.read("manifest.json"))["passwords"] is False
    users = [json.loads(line) for line in data.splitlines() if '"model": "auth.user"' in line]
    assert users and all(u["fields"]["password"] == "!" for u in users)
    assert "md5$" not in data and "argon2" not in data and "pbkdf2" not in data
    call_command("flush", "--noinput")
    use_storage(settings, tmp_path / "new-host")
    call_command("import_round", str(archive), stdout=io.StringIO())
    staff_a = get_user_model().objects.get(username="staff_a")
    assert not staff_a.has_usable_password() and not staff_a.check_password(PASSWORD)


def test_an_archive_with_a_user_made_superuser_is_refused_before_anything_is_restored(archive, settings, tmp_path):
    """The attacker edits data.jsonl and fixes its sha256 in the manifest, but cannot sign it."""
    with zipfile.ZipFile(archive) as zf:
        data = zf.read("data.jsonl").replace(b'"is_superuser": false', b'"is_superuser": true')
    tampered = rewrite(
        archive,
        tmp_path / "tampered.zip",
        change={"data.jsonl": data},
        manifest=lambda m: m["data"].update(sha256=hashlib.sha256(data).hexdigest(), size=len(data)),
        key=None,
    )
    call_command("flush", "--noinput")
    new_host = tmp_path / "new-host"
    use_storage(settings, new_host)
    with pytest.raises(CommandError, match="ลายมือชื่อ"):
        call_command("import_round", str(tampered))
    assert not get_user_model().objects.exists() and not new_host.exists()


@pytest.mark.parametrize("how", ["other-key", "no-signature"])
def test_an_archive_not_signed_with_our_key_is_refused(archive, tmp_path, how):
    if how == "other-key":
        target = rewrite(archive, tmp_path / "other.zip", key="someone-elses-key")
    else:
        with zipfile.ZipFile(archive) as zf, zipfile.ZipFile(tmp_path / "other.zip", "w") as out:
            for item in zf.infolist():
                if item.filename != "manifest.sig":
                    out.writestr(item, zf.read(item.filename))
        target = tmp_path / "other.zip"
    call_command("flush", "--noinput")
    with pytest.raises(CommandError, match="ลายมือชื่อ"):
        call_command("import_round", str(target))
    assert not Unit.objects.exists()


def test_export_and_import_refuse_to_run_without_a_signing_key(archive, settings, tmp_path):
    settings.BACKUP_SIGNING_KEY = ""
    with pytest.raises(CommandError, match="BACKUP_SIGNING_KEY"):
        call_command("export_round", "2563", str(tmp_path / "unsigned.zip"))
    assert not (tmp_path / "unsigned.zip").exists()
    with pytest.raises(CommandError, match="BACKUP_SIGNING_KEY"):
        call_command("import_round", str(archive))


@pytest.mark.parametrize(
    "stored_name, member",
    [
        pytest.param("../../../escaped.pdf", "evidence/../../../escaped.pdf", id="dot-dot-member"),
        pytest.param("2020/../../escaped.pdf", "evidence/2020/../../escaped.pdf", id="dot-dot-inside"),
        pytest.param("/tmp/escaped.pdf", "evidence//tmp/escaped.pdf", id="absolute"),
        pytest.param("2020\\..\\..\\escaped.pdf", "evidence/2020\\..\\..\\escaped.pdf", id="windows-separators"),
    ],
)
def test_a_zip_slip_entry_is_refused_even_in_a_signed_archive(archive, settings, tmp_path, stored_name, member):
    body = b"%PDF-1.4 planted"

    def plant(manifest):
        manifest["files"].append(
            {"name": member, "stored_name": stored_name, "size": len(body), "sha256": hashlib.sha256(body).hexdigest()}
        )

    slipped = rewrite(archive, tmp_path / "slip.zip", add={member: body}, manifest=plant)
    call_command("flush", "--noinput")
    new_host = tmp_path / "restore" / "evidence"
    use_storage(settings, new_host)
    with pytest.raises(CommandError, match="zip-slip"):
        call_command("import_round", str(slipped))
    assert not Unit.objects.exists()
    assert [p for p in tmp_path.rglob("escaped.pdf")] == []


def test_records_are_restored_line_by_line_as_they_are_read(archive, tmp_path):
    """import_round never holds data.jsonl whole: the first row is inserted while most of the
    stream is still unread."""
    from django.db.models.signals import post_save

    from milestones.ops.backup import load_records

    with zipfile.ZipFile(archive) as zf:
        data = zf.read("data.jsonl")
    call_command("flush", "--noinput")
    stream = io.BytesIO(data)
    read_at_first_insert: list[int] = []

    def first_insert(**kwargs):
        if not read_at_first_insert:
            read_at_first_insert.append(stream.tell())

    post_save.connect(first_insert, weak=False, dispatch_uid="first-insert")
    try:
        counts = load_records(io.TextIOWrapper(stream, encoding="utf-8"))
    finally:
        post_save.disconnect(dispatch_uid="first-insert")
    assert sum(counts.values()) == len(data.splitlines())
    assert read_at_first_insert and read_at_first_insert[0] < len(data) // 2
