import datetime as dt
import io

import pytest
import time_machine
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


def test_a_dead_workers_upload_temp_file_is_cleaned_up(cast):
    storage = storages["default"]
    leftover = storage.save(".incoming/tmpabc.upload", ContentFile(b"half an upload"))
    out = io.StringIO()
    call_command("evidence_orphans", "--min-age", "0", "--delete", stdout=out)
    assert f"deleted {leftover}" in out.getvalue() and not storage.exists(leftover)
