"""Backup figures: a 500-unit round with 1,000 evidence files (32 MB) and its audit trail.

Prints export_round_s, backup_archive_mb, import_round_s (into an emptied database and an empty
evidence store: a restore on a new machine), check_evidence_s (every file hashed) and
backup_records. Uses PostgreSQL when DATABASE_URL points at it (benchmarks/_setup.py).
"""

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

from _setup import load_rubric_and_units, report, setup_django

os.environ.setdefault("BACKUP_SIGNING_KEY", "benchmark-only-backup-signing-key")
vendor = setup_django()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import storages  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from evidence.models import EvidenceFile  # noqa: E402
from evidence.storage.integrity import check_evidence  # noqa: E402
from milestones.models import AuditEvent, Profile, Role, StepProgress, Unit  # noqa: E402
from milestones.ops.backup import export_round, import_round  # noqa: E402

N_UNITS = 500
FILES_PER_UNIT = 2
FILE_BYTES = 32 * 1024


def local_storage(path: Path) -> dict:
    return {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(path)}},
    }


work = Path(tempfile.mkdtemp(prefix="kpi-bench-backup-"))
with override_settings(STORAGES=local_storage(work / "old-host")):
    load_rubric_and_units(N_UNITS)
    User = get_user_model()
    units = list(Unit.objects.order_by("pk"))
    users = User.objects.bulk_create([User(username=f"staff{u.pk}", password="!") for u in units])
    Profile.objects.bulk_create([Profile(user=s, unit=u, role=Role.STAFF) for s, u in zip(users, units, strict=True)])
    staff_of = {u.pk: s for s, u in zip(users, units, strict=True)}
    storage = storages["default"]
    rows = []
    for progress in StepProgress.objects.filter(step__number=1).select_related("assessment"):
        staff = staff_of[progress.assessment.unit_id]
        for i in range(FILES_PER_UNIT):
            body = b"%PDF-1.4\n" + os.urandom(FILE_BYTES)
            name = storage.save(f"2020/{progress.pk:06d}-{i}.pdf", ContentFile(body))
            rows.append(
                EvidenceFile(
                    progress=progress,
                    stored_name=name,
                    original_name=f"หลักฐาน {i + 1}.pdf",
                    size=len(body),
                    content_type="application/pdf",
                    sha256=hashlib.sha256(body).hexdigest(),
                    uploaded_by=staff,
                )
            )
    EvidenceFile.objects.bulk_create(rows, batch_size=500)
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="evidence.upload", unit_id=f.progress.assessment.unit_id, user=f.uploaded_by) for f in rows],
        batch_size=500,
    )

    archive = work / "round-2563.zip"
    started = time.perf_counter()
    result = export_round(fiscal_year=2563, path=archive)
    report("export_round_s", f"{time.perf_counter() - started:.2f}")
    report("backup_archive_mb", f"{archive.stat().st_size / 1024 / 1024:.1f}")
    report("backup_records", sum(result.counts.values()))

call_command("flush", "--noinput", verbosity=0)
with override_settings(STORAGES=local_storage(work / "new-host")):
    started = time.perf_counter()
    import_round(path=archive)
    report("import_round_s", f"{time.perf_counter() - started:.2f}")
    started = time.perf_counter()
    rows_checked, files_seen, mismatches = check_evidence()
    report("check_evidence_s", f"{time.perf_counter() - started:.2f}")
    assert (rows_checked, files_seen, mismatches) == (len(rows), len(rows), []), mismatches
report("backup_database", vendor)
shutil.rmtree(work, ignore_errors=True)
