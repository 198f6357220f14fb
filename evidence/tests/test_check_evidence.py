import datetime as dt
import hashlib
import io

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from moto import mock_aws
from storages.backends.s3 import S3Storage

from evidence.models import EvidenceFile
from evidence.storage.integrity import check_evidence


@pytest.fixture
def storage(settings, tmp_path):
    """Evidence storage of this test's own: other tests' files must not look like orphans."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "evidence")},
        },
    }
    return storages["default"]


def add_evidence(storage, cast, name: str, content: bytes, *, row_content: bytes | None = None) -> EvidenceFile:
    """A stored file and its row; row_content lets the row describe other bytes than were stored."""
    saved = storage.save(name, ContentFile(content))
    described = content if row_content is None else row_content
    return EvidenceFile.objects.create(
        progress=cast.assessment_a.steps.get(step__number=1),
        stored_name=saved,
        original_name="คำสั่งแต่งตั้ง.pdf",
        size=len(described),
        content_type="application/pdf",
        sha256=hashlib.sha256(described).hexdigest(),
        uploaded_by=cast.staff_a,
    )


def run(**options) -> tuple[str, str | None]:
    out = io.StringIO()
    try:
        call_command("check_evidence", stdout=out, **options)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def test_it_reports_nothing_when_storage_and_rows_agree(cast, storage):
    add_evidence(storage, cast, "2020/a.pdf", b"%PDF-1.7 one")
    add_evidence(storage, cast, "2020/b.pdf", b"%PDF-1.7 two")
    storage.save("reports-cache/abc.pdf", ContentFile(b"%PDF cached report"))  # not evidence
    storage.save(".incoming/tmp123.upload", ContentFile(b"partial"))  # upload spool, not evidence
    out, error = run()
    assert error is None
    assert "checked 2 rows and 2 files: 0 mismatches" in out


def test_it_reports_a_row_whose_file_is_missing(cast, storage):
    evidence = add_evidence(storage, cast, "2020/gone.pdf", b"%PDF-1.7 gone")
    storage.delete(evidence.stored_name)
    out, error = run()
    assert f"missing: 2020/gone.pdf (EvidenceFile {evidence.pk})" in out
    assert "1 mismatches" in error and "missing 1" in error


def test_it_reports_a_file_whose_size_differs(cast, storage):
    evidence = add_evidence(storage, cast, "2020/short.pdf", b"%PDF-1.7 short", row_content=b"%PDF-1.7 longer text")
    out, error = run()
    assert f"size: 2020/short.pdf (EvidenceFile {evidence.pk}): recorded 20 bytes, stored 14" in out
    assert error is not None


def test_it_reports_a_file_whose_sha256_differs(cast, storage):
    evidence = add_evidence(storage, cast, "2020/changed.pdf", b"%PDF-1.7 AAAA", row_content=b"%PDF-1.7 BBBB")
    out, error = run()
    assert f"sha256: 2020/changed.pdf (EvidenceFile {evidence.pk})" in out
    assert "sha256 1" in error
    # Sizes alone cannot see it.
    assert run(no_hash=True)[1] is None


def test_it_reports_files_without_a_row(cast, storage):
    add_evidence(storage, cast, "2020/kept.pdf", b"%PDF-1.7 kept")
    storage.save("2020/orphan.pdf", ContentFile(b"%PDF-1.7 orphan"))
    storage.save("2021/deep/orphan2.png", ContentFile(b"\x89PNG orphan"))
    out, error = run()
    assert "orphan: 2020/orphan.pdf" in out and "orphan: 2021/deep/orphan2.png" in out
    assert "orphan 2" in error


def test_a_grace_period_skips_young_orphans_only(cast, storage):
    storage.save("2020/in-flight.pdf", ContentFile(b"%PDF-1.7 in flight"))
    assert run(orphan_grace_minutes=10)[1] is None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=11)
    _, _, mismatches = check_evidence(storage=storage, orphan_grace=dt.timedelta(minutes=10), now=later)
    assert [m.kind for m in mismatches] == ["orphan"]


def test_removed_files_are_still_checked(cast, storage):
    evidence = add_evidence(storage, cast, "2020/removed.pdf", b"%PDF-1.7 removed")
    EvidenceFile.objects.filter(pk=evidence.pk).update(removed_at=dt.datetime.now(dt.UTC))
    storage.delete(evidence.stored_name)
    assert "missing: 2020/removed.pdf" in run()[0]


def test_it_works_on_s3_storage(cast):
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="kpi-evidence")
        s3 = S3Storage(bucket_name="kpi-evidence", region_name="us-east-1", file_overwrite=False)
        add_evidence(s3, cast, "2020/ok.pdf", b"%PDF-1.7 ok")
        changed = add_evidence(s3, cast, "2020/changed.pdf", b"%PDF-1.7 AAAA", row_content=b"%PDF-1.7 BBBB")
        s3.save("2020/orphan.pdf", ContentFile(b"%PDF-1.7 orphan"))
        s3.save("reports-cache/x.pdf", ContentFile(b"%PDF cache"))
        rows, files, mismatches = check_evidence(storage=s3)
    assert (rows, files) == (2, 3)
    assert sorted((m.kind, m.name, m.evidence_id) for m in mismatches) == [
        ("orphan", "2020/orphan.pdf", None),
        ("sha256", "2020/changed.pdf", changed.pk),
    ]


def test_the_command_line_exit_status_says_whether_anything_is_wrong(tmp_path):
    """Cron and the fault benchmark rely on the exit status, not on the text."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DEBUG": "1", "VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True)

    assert manage("migrate", "-v0").returncode == 0
    clean = manage("check_evidence")
    assert clean.returncode == 0, clean.stderr
    assert "0 mismatches" in clean.stdout
    (tmp_path / "evidence" / "2020").mkdir(parents=True)
    (tmp_path / "evidence" / "2020" / "stray.pdf").write_bytes(b"%PDF-1.4 stray")
    wrong = manage("check_evidence")
    assert wrong.returncode == 1
    assert "orphan: 2020/stray.pdf" in wrong.stdout and "orphan 1" in wrong.stderr
