"""Where evidence bytes live and how they get there.

- backend: the storage (local disk or S3), stored names, durability, hashing
- upload: the streaming upload handler (hash and spool as the chunks arrive)
- integrity: checking that every row has its bytes and every stored object its row
"""

from evidence.storage.backend import (
    delete_later,
    evidence_storage,
    hash_stream,
    incoming_dir,
    is_local,
    make_durable,
    max_upload_bytes,
    open_for_streaming,
    storage_errors,
    stored_name,
)
from evidence.storage.upload import EvidenceUploadHandler, HashedUpload, stale_spool_files

__all__ = [
    "EvidenceUploadHandler",
    "HashedUpload",
    "delete_later",
    "evidence_storage",
    "hash_stream",
    "incoming_dir",
    "is_local",
    "make_durable",
    "max_upload_bytes",
    "open_for_streaming",
    "storage_errors",
    "stale_spool_files",
    "stored_name",
]
