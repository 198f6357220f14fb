"""The E-saraban package: one ZIP with the cover memo, the score report and every current evidence file.

The archive is streamed: zipfile writes into a small sink that never seeks, and the
generator hands the browser whatever the sink holds after each chunk, so neither the
archive nor an evidence file is ever whole in memory or on disk. Without seeking,
zipfile writes each member's sizes and CRC in a data descriptor after its data.

Names keep their Thai characters; zipfile sets the UTF-8 name flag (0x800) for any
non-ASCII name. Files that are already compressed (PDF, images, Office documents,
archives, media) are STORED: deflating them again costs CPU and saves nothing.
"""

import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.storage import default_storage

from kpi_tracker.lib.thai import BANGKOK
from milestones.reporting.reports import EvidenceRow, package_names

CHUNK_SIZE = 64 * 1024

ALREADY_COMPRESSED_EXTENSIONS = {
    ".pdf", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic",
    ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp",
    ".zip", ".7z", ".rar", ".gz", ".bz2", ".xz",
    ".mp3", ".mp4", ".m4a", ".mov", ".avi", ".mkv",
}  # fmt: skip
ALREADY_COMPRESSED_PREFIXES = ("image/", "video/", "audio/")
ALREADY_COMPRESSED_TYPES = {
    "application/pdf",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def compress_type_for(name: str, content_type: str = "") -> int:
    """STORED for formats that are compressed already, DEFLATED for the rest (text, CSV, old .doc)."""
    content_type = content_type.lower()
    if (
        PurePosixPath(name).suffix.lower() in ALREADY_COMPRESSED_EXTENSIONS
        or content_type in ALREADY_COMPRESSED_TYPES
        or (content_type.startswith(ALREADY_COMPRESSED_PREFIXES) and content_type != "image/svg+xml")
    ):
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


@dataclass(frozen=True)
class Member:
    """One file in the archive: its name, when it was made, and where its bytes come from."""

    name: str
    modified: dt.datetime
    chunks: Callable[[], Iterable[bytes]]
    content_type: str = ""
    size: int | None = None


def bytes_member(name: str, data: bytes, modified: dt.datetime, content_type: str = "") -> Member:
    return Member(name=name, modified=modified, chunks=lambda: [data], content_type=content_type, size=len(data))


def storage_member(name: str, row: EvidenceRow, storage=None) -> Member:
    """An evidence file read from storage (local disk or S3) CHUNK_SIZE bytes at a time."""
    storage = storage or default_storage

    def chunks() -> Iterator[bytes]:
        with storage.open(row.stored_name, "rb") as source:
            yield from source.chunks(CHUNK_SIZE)

    return Member(name=name, modified=row.uploaded_at, chunks=chunks, content_type=row.content_type, size=row.size)


def evidence_members(rows: list[EvidenceRow], storage=None) -> list[Member]:
    return [storage_member(name, row, storage) for name, row in zip(package_names(rows), rows, strict=True)]


class _Sink(io.RawIOBase):
    """A write-only, non-seekable file that keeps what was written until drained."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self._pending = 0
        self._position = 0

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def write(self, data) -> int:
        data = bytes(data)
        self._parts.append(data)
        self._pending += len(data)
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def seek(self, *args):
        raise io.UnsupportedOperation("the package is streamed")

    @property
    def pending(self) -> int:
        return self._pending

    def drain(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self._pending = 0
        return data


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    local = moment.astimezone(BANGKOK) if moment.tzinfo else moment
    local = max(local.replace(tzinfo=None), dt.datetime(1980, 1, 1))
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def stream_zip(members: Iterable[Member], *, chunk_size: int = CHUNK_SIZE) -> Iterator[bytes]:
    """Yield the ZIP archive of the members piece by piece (each piece at most about chunk_size + one chunk)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", allowZip64=True) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=_zip_time(member.modified))
            info.compress_type = compress_type_for(member.name, member.content_type)
            info.external_attr = 0o644 << 16
            force_zip64 = member.size is not None and member.size >= zipfile.ZIP64_LIMIT
            with archive.open(info, mode="w", force_zip64=force_zip64) as target:
                for chunk in member.chunks():
                    target.write(chunk)
                    if sink.pending >= chunk_size:
                        yield sink.drain()
            if sink.pending:
                yield sink.drain()
    if sink.pending:
        yield sink.drain()
