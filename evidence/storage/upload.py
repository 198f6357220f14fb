"""Where evidence bytes live, and how an upload reaches there without being held in memory.

- evidence_storage(): Django's default storage: FileSystemStorage under var/evidence
  (never served as media), or S3Storage (private objects, no overwrite) when
  EVIDENCE_STORAGE=s3.
- EvidenceUploadHandler: hashes each file (sha256) and writes it to a temporary
  file as the chunks arrive, each on its own thread, writing with O_DIRECT where the
  file system allows; a file over the size limit is counted but no longer written.
  With local storage the temporary file is created beside the evidence directory,
  so saving it is a rename, not a second copy.
- stored_name(): <yyyy>/<uuid4>.<ext>; the original name is only ever data.
- Each spool file (kpi-upload-*.upload) is flock()ed by the process writing it, so a sweep
  (stale_spool_files, run by evidence_orphans) can tell the leftovers of a killed worker from
  uploads in progress: the kernel drops the lock when the process dies.
"""

import errno
import fcntl
import hashlib
import mmap
import os
import queue
import tempfile
import threading
import time

from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from evidence.storage.backend import incoming_dir, max_upload_bytes

SPOOL_PREFIX = "kpi-upload-"
SPOOL_SUFFIX = ".upload"


class HashedUpload(TemporaryUploadedFile):
    """An uploaded file on disk with its sha256 and true size, computed while it streamed in.

    write_error is set (and the bytes are garbage) when the spool could not be written, e.g. a
    full disk: evidence_add refuses such a file with a Thai message instead of failing the request.
    """

    def __init__(self, name, content_type, charset, content_type_extra, directory):
        file = tempfile.NamedTemporaryFile(prefix=SPOOL_PREFIX, suffix=SPOOL_SUFFIX, dir=directory)
        fcntl.flock(file.fileno(), fcntl.LOCK_EX)  # held until this process closes it or dies
        # UploadedFile silently cuts names to 255 characters; keep the name as sent so an
        # over-long one can be refused instead of stored under a name the unit never gave it.
        self.full_name = name
        UploadedFile.__init__(self, file, name, content_type, 0, charset, content_type_extra)
        self.sha256 = ""
        self.too_large = False
        self.write_error: OSError | None = None


def spool_directory() -> str:
    return incoming_dir() or tempfile.gettempdir()


def stale_spool_files(*, grace_seconds: float = 60, directory: str | None = None) -> list[str]:
    """Spool files no live process holds (their upload's worker died), older than grace_seconds.

    Paths are absolute. A file being created has no lock for an instant: the grace covers it.
    """
    directory = directory or spool_directory()
    try:
        names = [n for n in os.listdir(directory) if n.startswith(SPOOL_PREFIX) and n.endswith(SPOOL_SUFFIX)]
    except FileNotFoundError:
        return []
    stale = []
    now = time.time()
    for name in sorted(names):
        path = os.path.join(directory, name)
        try:
            if now - os.stat(path).st_mtime < grace_seconds:
                continue
            with open(path, "rb") as handle:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # an upload in progress
        except FileNotFoundError:
            continue  # finished meanwhile
        stale.append(path)
    return stale


class _Worker:
    """A thread that takes chunks from a short queue (4 chunks, so memory stays flat) and handles
    them in order. After an error it drains the queue without handling, so the request thread
    never blocks on it; stop() joins it and the owner re-raises self.error."""

    def __init__(self, name: str):
        self.queue: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = threading.Thread(target=self._run, name=name, daemon=True)
        self.thread.start()

    def handle(self, chunk: bytes) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.handle(chunk)
                except BaseException as exc:  # re-raised on the request thread by the owner
                    self.error = exc

    def put(self, chunk: bytes) -> None:
        self.queue.put(chunk)

    def stop(self) -> None:
        """Wait until every chunk put so far is handled; idempotent."""
        if self.thread is not None:
            self.queue.put(None)
            self.thread.join()
            self.thread = None


class _DirectWriter(_Worker):
    """Write a file's bytes with O_DIRECT from a worker thread: from an aligned buffer straight to
    the disk, without filling (and first allocating) page cache for bytes rarely read again.

    Measured with benchmarks/bench_evidence.py on the development machine: a 100 MB upload went
    from 300-570 MB/s through the page cache (write-back and page allocation stalled the writer
    by turns) to 442-592 MB/s over ten runs (docs/benchmarks.md). The fsync before the row
    commits is still needed (the disk's own cache, the file's metadata) but has almost nothing
    left to write.
    """

    BLOCK = 1024 * 1024  # a multiple of any logical block size; mmap memory is page-aligned

    def __init__(self, fd: int):
        self.fd: int | None = fd
        self.buffer = mmap.mmap(-1, self.BLOCK)
        self.fill = 0
        super().__init__("evidence-upload-direct-writer")

    @classmethod
    def open(cls, path: str) -> "_DirectWriter | None":
        flag = getattr(os, "O_DIRECT", 0)
        if not flag:
            return None
        try:
            fd = os.open(path, os.O_WRONLY | flag)
        except OSError:  # a file system without direct I/O (tmpfs): the buffered path
            return None
        return cls(fd)

    def handle(self, chunk: bytes) -> None:
        view = memoryview(chunk)
        while view:
            n = min(len(view), self.BLOCK - self.fill)
            self.buffer[self.fill : self.fill + n] = view[:n]
            self.fill += n
            view = view[n:]
            if self.fill == self.BLOCK:
                self._write(memoryview(self.buffer))
                self.fill = 0

    def _write(self, data: memoryview) -> None:
        while data:
            try:
                data = data[os.write(self.fd, data) :]
            except OSError as exc:
                # A file system may open with O_DIRECT and still refuse the I/O (or a short write
                # left the offset unaligned): go on through the page cache.
                if exc.errno != errno.EINVAL or not self._buffered():
                    raise

    def _buffered(self) -> bool:
        """Turn O_DIRECT off; False if it was already off."""
        flags = fcntl.fcntl(self.fd, fcntl.F_GETFL)
        if not flags & os.O_DIRECT:
            return False
        fcntl.fcntl(self.fd, fcntl.F_SETFL, flags & ~os.O_DIRECT)
        return True

    def finish(self) -> None:
        """Write the tail and close the file; re-raises a write error."""
        self._close(write_tail=True)
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """Stop and close without writing the rest: the upload was abandoned. Never raises."""
        self._close(write_tail=False)

    def _close(self, *, write_tail: bool) -> None:
        if self.fd is None:
            return
        self.stop()
        try:
            if write_tail and self.error is None and self.fill:
                self._buffered()  # the tail is not a whole block: through the page cache
                self._write(memoryview(self.buffer)[: self.fill])
        finally:
            os.close(self.fd)
            self.fd = None
            self.buffer = None  # freed with the last view of it (an error's traceback may hold one)


class _HashAndWrite(_Worker):
    """Hash on a worker thread and write on another while the request thread parses the next chunks.

    hashlib and file writes release the GIL, so the three overlap. Without direct I/O the hashing
    thread also writes, through the page cache.
    """

    def __init__(self, file):
        self.file = file
        self.hasher = hashlib.sha256()
        self.writer = _DirectWriter.open(file.name)
        super().__init__("evidence-upload-hasher")

    def handle(self, chunk: bytes) -> None:
        self.hasher.update(chunk)
        if self.writer is None:
            self.file.write(chunk)

    def put(self, chunk: bytes) -> None:
        super().put(chunk)
        if self.writer is not None:
            self.writer.put(chunk)

    def finish(self) -> str:
        """Wait for the last chunk to be hashed and written; returns the sha256 or re-raises an error."""
        self.stop()
        if self.writer is not None:
            if self.error is None:
                self.writer.finish()
            else:
                self.writer.abort()
        if self.error is not None:
            raise self.error
        return self.hasher.hexdigest()

    def abort(self) -> None:
        """Stop both workers and close the direct-I/O handle; the bytes written so far are garbage."""
        self.stop()
        if self.writer is not None:
            self.writer.abort()


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
        try:
            self.file.sha256 = self.pipe.finish()
            self.file.flush()
        except OSError as error:  # the disk is full (or failing): the file is refused, not the request
            self.file.write_error = error
        self.pipe = None
        self.file.seek(0)
        self.file.size = self.size
        return self.file

    def upload_interrupted(self):
        self.cleanup()

    def cleanup(self) -> None:
        """Stop the workers of a file that never completed and delete its spool file.

        Django calls upload_interrupted only when the body ends early; when the parser raises
        mid-file (a malformed part, the connection dropping) it calls nothing, so the upload
        view calls this once the request is done. Idempotent; a no-op after file_complete.
        """
        if self.pipe is not None:
            self.pipe.abort()
            self.pipe = None
            self.file.close()
