"""Storage and database agree about evidence: every row has its file, intact; every file has its row.

Used by `manage.py check_evidence` (cron, after a restore, after a fault). Works on any Django
storage (local files or S3) through listdir/size/open only.

Evidence lives under `<yyyy>/` folders at the top of the storage (see evidence.storage.stored_name);
other top-level folders (the PDF cache `reports-cache/`, the upload spool `.incoming/`) are not
evidence and are not looked at.

Rows of one unit with the same bytes share one stored file (evidence.services.files.evidence_add):
each file is measured and hashed once, and every row naming it must agree with it.

Cost: one query streaming (id, stored_name, size, sha256) for every row, removed ones included
(their files are kept on purpose); one listdir per year folder (paginated on S3); and, unless
hashing is turned off, every byte of every file read once in 1 MiB chunks.
"""

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files.storage import Storage, storages
from django.utils import timezone

from evidence.models import EvidenceFile

YEAR_FOLDER = re.compile(r"^\d{4}$")
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Mismatch:
    kind: str  # "missing" | "size" | "sha256" | "orphan"
    name: str
    evidence_id: int | None = None
    detail: str = ""

    def __str__(self) -> str:
        row = f" (EvidenceFile {self.evidence_id})" if self.evidence_id else ""
        return f"{self.kind}: {self.name}{row}{': ' + self.detail if self.detail else ''}"


def evidence_names(storage: Storage) -> Iterator[str]:
    """Every file under the year folders, as storage names (yyyy/…)."""
    try:
        folders, _ = storage.listdir("")
    except FileNotFoundError:  # local storage before the first upload: no folder yet
        return
    for folder in sorted(folders):
        if YEAR_FOLDER.match(folder):
            yield from _walk(storage, folder)


def _walk(storage: Storage, path: str) -> Iterator[str]:
    folders, files = storage.listdir(path)
    for name in sorted(files):
        yield f"{path}/{name}"
    for folder in sorted(folders):
        yield from _walk(storage, f"{path}/{folder}")


def file_sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def check_evidence(
    *,
    storage: Storage | None = None,
    verify_hash: bool = True,
    orphan_grace: dt.timedelta = dt.timedelta(0),
    now: dt.datetime | None = None,
) -> tuple[int, int, list[Mismatch]]:
    """Compare storage with the EvidenceFile rows. Returns (rows checked, files seen, mismatches).

    orphan_grace skips files younger than that: an upload in flight has its file saved a moment
    before its row commits, so a check on a live system may ask for a few minutes' grace.
    """
    storage = storage or storages["default"]
    now = now or timezone.now()
    on_disk = set(evidence_names(storage))
    mismatches: list[Mismatch] = []
    stored: dict[str, tuple[int, str] | None] = {}  # name -> (size, sha256 or ""), None when missing
    rows = 0
    for pk, name, size, sha256 in (
        EvidenceFile.objects.order_by("pk").values_list("pk", "stored_name", "size", "sha256").iterator()
    ):
        rows += 1
        if name not in stored:
            if name not in on_disk and not storage.exists(name):
                stored[name] = None
            else:
                stored[name] = (storage.size(name), file_sha256(storage, name) if verify_hash else "")
        actual = stored[name]
        if actual is None:
            mismatches.append(Mismatch("missing", name, pk, "the row has no file in storage"))
        elif actual[0] != size:
            mismatches.append(Mismatch("size", name, pk, f"recorded {size} bytes, stored {actual[0]}"))
        elif verify_hash and actual[1] != sha256:
            mismatches.append(Mismatch("sha256", name, pk, f"recorded {sha256}, stored {actual[1]}"))
    known = set(stored)
    for name in sorted(on_disk - known):
        if orphan_grace and now - storage.get_modified_time(name) < orphan_grace:
            continue
        mismatches.append(Mismatch("orphan", name, None, "a file in storage with no row"))
    return rows, len(on_disk), mismatches
