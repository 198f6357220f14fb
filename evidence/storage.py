"""Where evidence bytes live, and how an upload reaches there without being held in memory.

- evidence_storage(): Django's default storage: FileSystemStorage under var/evidence
  (never served as media), or S3Storage (private objects, no overwrite) when
  EVIDENCE_STORAGE=s3.
- EvidenceUploadHandler: hashes each file (sha256) and writes it to a temporary
  file as the chunks arrive; a file over the size limit is counted but no longer
  written. With local storage the temporary file is created beside the evidence
  directory, so saving it is a rename, not a second copy.
- stored_name(): <yyyy>/<uuid4>.<ext>; the original name is only ever data.
"""

import hashlib
import os
import queue
import tempfile
import threading
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils import timezone


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


class HashedUpload(TemporaryUploadedFile):
    """An uploaded file on disk with its sha256 and true size, computed while it streamed in."""

    def __init__(self, name, content_type, charset, content_type_extra, directory):
        file = tempfile.NamedTemporaryFile(suffix=".upload", dir=directory)
        # UploadedFile silently cuts names to 255 characters; keep the name as sent so an
        # over-long one can be refused instead of stored under a name the unit never gave it.
        self.full_name = name
        UploadedFile.__init__(self, file, name, content_type, 0, charset, content_type_extra)
        self.sha256 = ""
        self.too_large = False


class _HashAndWrite:
    """Hash and write the chunks on a worker thread while the request thread parses the next ones.

    hashlib and file writes release the GIL, so overlapping them with parsing speeds a large
    upload up. The queue holds at most 4 chunks (4 MB), so memory stays flat.

    Every WRITEBACK_BYTES the written range is handed to the kernel's write-back at once
    (posix_fadvise DONTNEED starts writing dirty pages and drops the clean ones): the disk
    works while the upload still streams, the fsync before the row commits has little left
    to do, and a large upload neither piles up dirty pages (which makes the kernel throttle
    the writer) nor pushes other data out of the page cache for bytes rarely read again.
    """

    WRITEBACK_BYTES = 8 * 1024 * 1024

    def __init__(self, file):
        self.file = file
        self.hasher = hashlib.sha256()
        self.queue: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.written = 0
        self.handed_over = 0
        self.thread = threading.Thread(target=self._run, name="evidence-upload-writer", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.hasher.update(chunk)
                    self.file.write(chunk)
                    self.written += len(chunk)
                    if self.written - self.handed_over >= self.WRITEBACK_BYTES:
                        self._start_writeback()
                except BaseException as exc:  # re-raised on the request thread by finish()
                    self.error = exc

    def _start_writeback(self) -> None:
        if not hasattr(os, "posix_fadvise"):
            return
        self.file.flush()
        os.posix_fadvise(self.file.fileno(), self.handed_over, self.written - self.handed_over, os.POSIX_FADV_DONTNEED)
        self.handed_over = self.written

    def put(self, chunk: bytes) -> None:
        self.queue.put(chunk)

    def finish(self) -> str:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.hasher.hexdigest()


class EvidenceUploadHandler(FileUploadHandler):
    """Stream each uploaded file to disk, hashing it on the way; never hold a whole file in memory.

    Must be installed before request.POST/FILES is read (the upload views are
    csrf_exempt outside and csrf_protect inside for that reason).
    """

    chunk_size = 1024 * 1024

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.directory = incoming_dir()
        self.pipe: _HashAndWrite | None = None

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = HashedUpload(
            self.file_name, self.content_type, self.charset, self.content_type_extra, self.directory
        )
        self.pipe = _HashAndWrite(self.file.file)
        self.size = 0

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        if self.size > self.limit:
            # Keep counting (the user is told the real size) but stop writing.
            self.file.too_large = True
            return None
        self.pipe.put(raw_data)
        return None

    def file_complete(self, file_size):
        self.file.sha256 = self.pipe.finish()
        self.pipe = None
        self.file.flush()
        self.file.seek(0)
        self.file.size = self.size
        return self.file

    def upload_interrupted(self):
        if self.pipe is not None:
            self.pipe.finish()
            self.pipe = None
        if hasattr(self, "file"):
            self.file.close()


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
