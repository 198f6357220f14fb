"""Where evidence bytes live: Django's default storage (local disk under var/evidence, or private S3
objects that are never overwritten), stored names, and making a saved file durable."""

import hashlib
import logging
import os
import threading
import time
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils import timezone

logger = logging.getLogger(__name__)
DELETE_RETRY_SECONDS = (2, 4, 8, 15, 30, 60, 120)


def evidence_storage() -> Storage:
    return storages["default"]


def is_local(storage: Storage) -> bool:
    return isinstance(storage, FileSystemStorage)


def stored_name(extension: str, now=None) -> str:
    year = (now or timezone.now()).year
    return f"{year:04d}/{uuid.uuid4().hex}.{extension}"


def max_upload_bytes() -> int:
    return settings.EVIDENCE_MAX_UPLOAD_MB * 1024 * 1024


def incoming_dir() -> str | None:
    """A temporary directory on the same file system as local evidence (so saving is a rename)."""
    storage = evidence_storage()
    if is_local(storage):
        path = os.path.join(storage.location, ".incoming")
        os.makedirs(path, exist_ok=True)
        return path
    return settings.FILE_UPLOAD_TEMP_DIR


def make_durable(storage: Storage, name: str) -> None:
    """fsync a locally stored file and its directory before its row commits.

    The database commit is durable; without this a power cut could keep the row and lose
    the bytes (the rename into place and the data may still be only in the page cache).
    S3 acknowledges an upload only once it is stored.
    """
    if not is_local(storage):
        return
    path = storage.path(name)
    for target, flags in ((path, os.O_RDONLY), (os.path.dirname(path), os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))):
        fd = os.open(target, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def open_for_streaming(storage: Storage, name: str):
    """A file-like object that reads the stored bytes as they come (for serving a preview through the
    app). Django's S3File would first copy the whole object to a temporary file."""
    if is_local(storage):
        return storage.open(name, "rb")
    return storage.bucket.Object(name).get()["Body"]


def storage_errors() -> tuple[type[BaseException], ...]:
    """What the storage raises when it cannot be reached or written (a full disk, S3 down)."""
    errors: list[type[BaseException]] = [OSError]
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover (boto3 is a requirement)
        pass
    else:
        errors += [BotoCoreError, ClientError]
    return tuple(errors)


def hash_stream(stream, chunk_size: int = 1024 * 1024) -> tuple[str, int]:
    """sha256 and size of a file-like object, read in chunks (for files that did not come through the handler)."""
    hasher = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(chunk_size):
        hasher.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return hasher.hexdigest(), size


def delete_later(storage: Storage, name: str) -> None:
    """Retry deleting a file in the background (a daemon thread, about four minutes of tries).

    For a file an upload wrote whose row never committed, when the storage could not be reached to
    delete it at once (S3 down): without this it would stay an orphan until evidence_orphans ran.
    A worker that dies meanwhile leaves it to evidence_orphans.
    """

    def retry() -> None:
        for pause in DELETE_RETRY_SECONDS:
            time.sleep(pause)
            try:
                storage.delete(name)
            except storage_errors():
                continue
            logger.info("deleted %s after a failed upload", name)
            return
        logger.error("gave up deleting %s after a failed upload: evidence_orphans will list it", name)

    threading.Thread(target=retry, name="evidence-delete-later", daemon=True).start()
