"""List (or delete) stored evidence files that no EvidenceFile row points at.

Also lists upload spool files that a dead worker left behind (under .incoming/ with local
storage, FILE_UPLOAD_TEMP_DIR or the system's temporary directory with S3): a spool file is
locked by the process writing it, so one that nobody holds and is older than --spool-grace
seconds is a leftover, however young, while an upload in progress is never touched.

Uploads save the file, then the row, and delete the file when the transaction fails, so
orphans only appear when the process dies between the two (a killed worker, a lost
database connection at commit). Files younger than --min-age minutes are left alone: their
upload may still be committing.

    python manage.py evidence_orphans            # list
    python manage.py evidence_orphans --delete   # delete them
"""

import datetime as dt
import os

from django.core.management.base import BaseCommand
from django.utils import timezone

from evidence.models import EvidenceFile
from evidence.storage import evidence_storage, stale_spool_files


def stored_names(storage, directory: str = ""):
    """Every file under directory, recursively (skipping the upload temp directory)."""
    directories, files = storage.listdir(directory)
    for name in files:
        yield f"{directory}/{name}" if directory else name
    for sub in directories:
        if sub.startswith("."):
            continue
        yield from stored_names(storage, f"{directory}/{sub}" if directory else sub)


def find_orphans(*, min_age: dt.timedelta, now: dt.datetime | None = None) -> list[str]:
    storage = evidence_storage()
    known = set(EvidenceFile.objects.values_list("stored_name", flat=True))
    cutoff = (now or timezone.now()) - min_age
    return [name for name in stored_names(storage) if name not in known and storage.get_modified_time(name) < cutoff]


class Command(BaseCommand):
    help = "List or delete stored evidence files that have no database row."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="delete the orphans instead of listing them")
        parser.add_argument("--min-age", type=int, default=60, help="only files older than this many minutes")
        parser.add_argument(
            "--spool-grace", type=int, default=60, help="spool files nobody holds, older than this many seconds"
        )

    def handle(self, *args, delete: bool, min_age: int, spool_grace: int, **options):
        orphans = find_orphans(min_age=dt.timedelta(minutes=min_age))
        spool = stale_spool_files(grace_seconds=spool_grace)
        storage = evidence_storage()
        for name in orphans:
            if delete:
                storage.delete(name)
            self.stdout.write(f"{'deleted' if delete else 'orphan'} {name}")
        for path in spool:
            if delete:
                try:
                    os.remove(path)
                except FileNotFoundError:
                    pass
            self.stdout.write(f"{'deleted' if delete else 'orphan'} spool {path}")
        total = len(orphans) + len(spool)
        self.stdout.write(f"{total} orphan(s){' deleted' if delete else ''}")
