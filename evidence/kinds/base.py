"""What every step kind provides, with the behaviour of a step that takes files only.

A kind is one module under evidence/kinds/ holding a StepKind subclass with everything about that
kind: its form(s), how its content is loaded into them and saved from them, what it still lacks
before the step may be submitted, its part of a submission snapshot, its templates and what the
demo fills in. Nothing outside evidence/kinds/ branches on a step's kind: callers ask the
registry (evidence.kinds.kind_of) and call these methods.

Snapshot format (rendered by templates/evidence/_snapshot.html on the step, review and report pages):
    {"form_kind": "<kind name>", "content": <the kind's content()>, "files": [file_entry(...), ...]}
"""

import datetime as dt

from django.utils.translation import gettext as _

from evidence.models import EvidenceFile
from milestones.models import StepProgress, Unit
from milestones.services.steps import StepRefused


class StepKind:
    """A step whose evidence is the attached files. Subclasses override what their form holds."""

    name = "files"
    label = ""
    # The content form's fields, shown inside the step page's save form while the step is editable.
    form_template: str | None = None
    # Shown on the step page whatever the state (e.g. the work items with their files).
    page_template: str | None = None
    # The kind's part of a submission snapshot.
    snapshot_template: str | None = None
    # A file must be attached before the step may be submitted.
    files_required = True

    @property
    def has_form(self) -> bool:
        return self.form_template is not None

    def forms(self, progress: StepProgress, data=None) -> dict:
        """The kind's form(s) for the template: bound to data, or filled from the saved content."""
        return {}

    def cleaned(self, forms: dict) -> dict | None:
        """The content to save from valid forms, or None when a form is invalid."""
        return {}

    def save(self, progress: StepProgress, user, content: dict, now: dt.datetime) -> None:
        """Write the content's rows (the step row is locked by the caller)."""
        raise StepRefused(_("ขั้นตอนนี้มีเฉพาะไฟล์หลักฐาน ไม่มีแบบฟอร์มให้กรอก"))

    def upload_items(self, progress: StepProgress) -> list:
        """The items of the step a file can be attached to (none: files belong to the step)."""
        return []

    def page_context(self, progress: StepProgress, files: list[EvidenceFile]) -> dict:
        """What page_template shows; files are all the step's files, removed ones included."""
        return {}

    def missing(self, progress: StepProgress, files: list[EvidenceFile]) -> list[str]:
        """What the kind's own content still lacks (files and counts are checked by the caller)."""
        return []

    def pieces(self, progress: StepProgress, files: list[EvidenceFile]) -> int:
        """How many pieces of work the step holds, for a requirement's min_count."""
        return len(files)

    def content(self, progress: StepProgress, files: list[EvidenceFile]) -> dict:
        """The kind's part of a snapshot, from the step's current rows."""
        return {}

    def demo_content(self, unit: Unit, day: dt.date, progress: StepProgress) -> dict | None:
        """Content the demo fills in for a sample unit (None: the kind has no form)."""
        return None

    def demo_evidence(self, progress: StepProgress, day: dt.date) -> list[dict]:
        """evidence_add() keyword arguments for the demo's files (after demo_content was saved)."""
        if not self.files_required:
            return []
        name = f"หลักฐานขั้นตอนที่ {progress.step.number} {progress.assessment.unit.code}"
        return [{"name": name, "evidence_date": day - dt.timedelta(days=3)}]
