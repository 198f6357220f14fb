"""List (or delete) stored evidence files that no EvidenceFile row points at.

Also lists upload temporary files under .incoming/ that a dead worker left behind.

Uploads save the file, then the row, and delete the file when the transaction fails, so
orphans only appear when the process dies between the two (a killed worker, a lost
database connection at commit). Files younger than --min-age minutes are left alone: their
upload may still be committing.

    python manage.py evidence_orphans            # list
    python manage.py evidence_orphans --delete   # delete them
"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from evidence.models import EvidenceFile
from evidence.storage import evidence_storage, is_local


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


def stale_incoming(*, min_age: dt.timedelta, now: dt.datetime | None = None) -> list[str]:
    """Upload temporary files (local storage) left by a worker that died mid-upload."""
    storage = evidence_storage()
    if not is_local(storage) or not storage.exists(".incoming"):
        return []
    cutoff = (now or timezone.now()) - min_age
    return [
        f".incoming/{n}"
        for n in storage.listdir(".incoming")[1]
        if storage.get_modified_time(f".incoming/{n}") < cutoff
    ]


class Command(BaseCommand):
    help = "List or delete stored evidence files that have no database row."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="delete the orphans instead of listing them")
        parser.add_argument("--min-age", type=int, default=60, help="only files older than this many minutes")

    def handle(self, *args, delete: bool, min_age: int, **options):
        age = dt.timedelta(minutes=min_age)
        orphans = find_orphans(min_age=age) + stale_incoming(min_age=age)
        storage = evidence_storage()
        for name in orphans:
            if delete:
                storage.delete(name)
            self.stdout.write(f"{'deleted' if delete else 'orphan'} {name}")
        self.stdout.write(f"{len(orphans)} orphan(s){' deleted' if delete else ''}")
