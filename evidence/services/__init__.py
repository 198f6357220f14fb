"""Writes on a step's evidence, one module per area, each function @transaction.atomic.

- files: adding and removing evidence files
- content: saving the step form's content
- submission: what a step still lacks, its snapshot, and submitting it
"""

from evidence.services.content import step_content_save
from evidence.services.files import (
    DuplicateEvidence,
    EvidenceStorageError,
    evidence_add,
    evidence_remove,
    upload_precheck,
)
from evidence.services.submission import step_submit

__all__ = [
    "DuplicateEvidence",
    "EvidenceStorageError",
    "evidence_add",
    "evidence_remove",
    "step_content_save",
    "step_submit",
    "upload_precheck",
]
