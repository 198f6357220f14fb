"""The upload handler's workers: every byte hashed and written in order, with or without direct I/O."""

import errno
import hashlib
import os
from pathlib import Path

import pytest

from evidence.storage import upload as storage
from evidence.storage.upload import _DirectWriter, _HashAndWrite


def chunks(total: int, size: int):
    """Uneven chunks (as the multipart parser yields them) of distinct bytes."""
    sent = 0
    i = 0
    while sent < total:
        n = min(size + (i % 7) * 1013, total - sent)
        yield os.urandom(n)
        sent += n
        i += 1


def stream(target: Path, total: int) -> tuple[str, _HashAndWrite]:
    expected = hashlib.sha256()
    with open(target, "w+b") as file:
        pipe = _HashAndWrite(file)
        for chunk in chunks(total, 1024 * 1024):
            expected.update(chunk)
            pipe.put(chunk)
        digest = pipe.finish()
        file.flush()
    assert digest == expected.hexdigest()
    return digest, pipe


# Whole blocks and a tail, a file smaller than one block, exactly whole blocks.
SIZES = [3 * _DirectWriter.BLOCK + 12345, 5000, 2 * _DirectWriter.BLOCK]


@pytest.mark.parametrize("total", SIZES)
def test_a_file_is_written_and_hashed_whole_with_direct_io(tmp_path, total):
    target = tmp_path / "incoming.upload"
    digest, pipe = stream(target, total)
    if getattr(os, "O_DIRECT", 0):  # a Linux file system under tmp_path: the direct path ran
        assert pipe.writer is not None
    assert target.stat().st_size == total
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest


def test_without_direct_io_the_bytes_go_through_the_page_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(_DirectWriter, "open", classmethod(lambda cls, path: None))
    target = tmp_path / "incoming.upload"
    digest, pipe = stream(target, SIZES[0])
    assert pipe.writer is None
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest


def test_a_file_system_that_refuses_direct_writes_falls_back(tmp_path, monkeypatch):
    real_write = os.write
    refused = []

    def write(fd, data):
        import fcntl

        if fcntl.fcntl(fd, fcntl.F_GETFL) & getattr(os, "O_DIRECT", 0):
            refused.append(len(data))
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_write(fd, data)

    monkeypatch.setattr(storage.os, "write", write)
    target = tmp_path / "incoming.upload"
    digest, _pipe = stream(target, SIZES[0])
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest
    if getattr(os, "O_DIRECT", 0):
        assert len(refused) == 1  # refused once, then buffered for the rest


@pytest.mark.parametrize("fail_in", ["hasher", "writer"])
def test_an_error_on_either_worker_reaches_the_request_thread(tmp_path, monkeypatch, fail_in):
    if fail_in == "writer":
        if not getattr(os, "O_DIRECT", 0):
            pytest.skip("no direct I/O here")

        def write(fd, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(storage.os, "write", write)
    else:

        class Broken:
            def update(self, chunk):
                raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(storage.hashlib, "sha256", Broken)
    with open(tmp_path / "incoming.upload", "w+b") as file:
        pipe = _HashAndWrite(file)
        for chunk in chunks(3 * 1024 * 1024, 1024 * 1024):
            pipe.put(chunk)  # a failed worker drains its queue instead of blocking the parser
        with pytest.raises(OSError, match="space left|Input/output"):
            pipe.finish()


def test_an_abandoned_file_stops_its_workers_and_loses_its_spool_file(tmp_path, monkeypatch, settings):
    """The connection drops mid-file: Django calls nothing more on the handler; cleanup() does it all."""
    import threading

    from evidence.storage import EvidenceUploadHandler

    monkeypatch.setattr(storage, "incoming_dir", lambda: str(tmp_path))
    handler = EvidenceUploadHandler()
    handler.new_file("files", "หลักฐาน.pdf", "application/pdf", 3 * _DirectWriter.BLOCK, None, {})
    for chunk in chunks(_DirectWriter.BLOCK + 777, 256 * 1024):
        handler.receive_data_chunk(chunk, 0)
    assert list(tmp_path.iterdir())  # the spool file exists while the body streams
    handler.cleanup()
    handler.cleanup()  # idempotent
    assert not [t for t in threading.enumerate() if t.name.startswith("evidence-upload")]
    assert list(tmp_path.iterdir()) == []


def test_cleanup_after_a_completed_file_keeps_it(tmp_path, monkeypatch):
    from evidence.storage import EvidenceUploadHandler

    monkeypatch.setattr(storage, "incoming_dir", lambda: str(tmp_path))
    handler = EvidenceUploadHandler()
    handler.new_file("files", "หลักฐาน.pdf", "application/pdf", 5000, None, {})
    handler.receive_data_chunk(b"%PDF-1.4\n" + b"x" * 4991, 0)
    upload = handler.file_complete(5000)
    handler.cleanup()
    assert upload.read() == b"%PDF-1.4\n" + b"x" * 4991
    assert upload.size == 5000 and upload.sha256 == hashlib.sha256(b"%PDF-1.4\n" + b"x" * 4991).hexdigest()
