import datetime as dt
import io
import os
import signal
import subprocess
import sys
import time

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from evidence.services import evidence_add
from evidence.tests.factories import pdf_bytes, progress_of, upload
from kpi_tracker.lib.thai import BANGKOK

pytestmark = pytest.mark.django_db


def test_it_lists_and_deletes_only_old_files_without_a_row(cast):
    with time_machine.travel(dt.datetime(2020, 8, 1, 10, 0, tzinfo=BANGKOK), tick=False):
        kept = evidence_add(
            progress=progress_of(cast.assessment_a, 1), user=cast.staff_a, upload=upload("a.pdf", pdf_bytes())
        )
    storage = storages["default"]
    orphan = storage.save("2020/orphan.pdf", ContentFile(b"%PDF-1.4 lost"))
    out = io.StringIO()
    call_command("evidence_orphans", "--min-age", "0", stdout=out)
    assert f"orphan {orphan}" in out.getvalue() and kept.stored_name not in out.getvalue()
    assert storage.exists(orphan)

    call_command("evidence_orphans", "--min-age", "0", "--delete", stdout=io.StringIO())
    assert not storage.exists(orphan) and storage.exists(kept.stored_name)


def test_a_file_still_being_committed_is_left_alone(cast):
    from evidence.management.commands.evidence_orphans import find_orphans

    name = storages["default"].save("2020/fresh.pdf", ContentFile(b"%PDF-1.4"))
    assert name not in find_orphans(min_age=dt.timedelta(minutes=60), now=timezone.now())
    storages["default"].delete(name)


def test_a_killed_workers_spool_file_is_swept_and_a_live_upload_is_left_alone(cast):
    """The spool of a process that died (SIGKILL: no cleanup ran) is unlocked and goes; one this
    process still writes is locked and stays, however old."""
    from evidence.storage import incoming_dir
    from evidence.storage.upload import HashedUpload

    directory = incoming_dir()
    script = (
        "import os, signal, sys; sys.path.insert(0, '.');"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'kpi_tracker.settings_test');"
        "from evidence.storage.upload import HashedUpload;"
        f"u = HashedUpload('x.pdf', 'application/pdf', None, {{}}, {directory!r}); u.file.write(b'half an upload');"
        "u.file.flush(); print(u.temporary_file_path(), flush=True); os.kill(os.getpid(), signal.SIGKILL)"
    )
    killed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=settings.BASE_DIR)
    leftover = killed.stdout.strip()
    assert killed.returncode == -signal.SIGKILL and os.path.exists(leftover)
    live = HashedUpload("y.pdf", "application/pdf", None, {}, directory)
    old = time.time() - 3600
    for path in (leftover, live.temporary_file_path()):
        os.utime(path, (old, old))

    out = io.StringIO()
    call_command("evidence_orphans", "--delete", stdout=out)
    assert f"deleted spool {leftover}" in out.getvalue() and not os.path.exists(leftover)
    assert os.path.exists(live.temporary_file_path())
    live.close()
