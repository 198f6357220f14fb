"""Step kind "files": the unit attaches evidence files, nothing else to fill in."""

from django.utils.translation import gettext_lazy as _

from evidence.kinds.base import StepKind


class Files(StepKind):
    name = "files"
    label = _("แนบไฟล์หลักฐาน")


KIND = Files()
