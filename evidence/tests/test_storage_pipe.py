"""The upload handler's worker: every byte hashed and written in order, write-back started as it goes."""

import hashlib
import os

import pytest

from evidence.storage import _HashAndWrite


def chunks(total: int, size: int):
    """Uneven chunks (as the multipart parser yields them) of distinct bytes."""
    sent = 0
    i = 0
    while sent < total:
        n = min(size + (i % 7) * 1013, total - sent)
        yield os.urandom(16) + bytes([i % 251]) * (n - 16) if n > 16 else os.urandom(n)
        sent += n
        i += 1


def test_a_large_upload_is_written_and_hashed_whole_and_handed_to_write_back(tmp_path):
    target = tmp_path / "incoming.upload"
    expected = hashlib.sha256()
    with open(target, "w+b") as file:
        pipe = _HashAndWrite(file)
        for chunk in chunks(3 * _HashAndWrite.WRITEBACK_BYTES + 12345, 1024 * 1024):
            expected.update(chunk)
            pipe.put(chunk)
        digest = pipe.finish()
        file.flush()
        # Write-back was started during the upload, in WRITEBACK_BYTES steps, not only at the end.
        assert pipe.handed_over >= 2 * _HashAndWrite.WRITEBACK_BYTES
        assert pipe.written == 3 * _HashAndWrite.WRITEBACK_BYTES + 12345
    assert digest == expected.hexdigest()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digest


def test_a_write_error_reaches_the_request_thread(tmp_path):
    class Full:
        def write(self, chunk):
            raise OSError(28, "No space left on device")

    pipe = _HashAndWrite(Full())
    pipe.put(b"x" * 1024)
    pipe.put(b"y" * 1024)  # the worker drains the queue after a failure instead of blocking the parser
    with pytest.raises(OSError, match="No space left"):
        pipe.finish()
