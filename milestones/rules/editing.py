"""May this user change this step's content now? One rule, used by the services (which refuse)
and by the views (which show or hide the forms).

- Only the unit's own staff change its evidence and content (rules.access.can_change_assessment;
  anyone else is refused with 403, or 404 when they may not see the unit at all).
- Only while the unit holds the step: not submitted, not accepted (StepProgress.is_editable).
- Only until the effective deadline has passed (rules.deadlines; an extension counts).
- Nothing in a closed round changes, for anyone (round_refusal: every service asks it).
"""

import datetime as dt

from django.utils.translation import gettext as _

from kpi_tracker.lib import thai
from milestones.models import Round, StepProgress
from milestones.rules import deadlines
from milestones.rules.access import can_change_assessment


def round_refusal(round_: Round) -> str | None:
    """A closed round is read-only: its steps, decisions, extensions and filings stay as they are."""
    if not round_.is_open:
        return _("รอบการประเมินปีงบประมาณ พ.ศ. %(year)s ปิดแล้ว ข้อมูลเป็นแบบอ่านอย่างเดียว") % {"year": round_.fiscal_year}
    return None


def edit_refusal(progress: StepProgress, now: dt.datetime) -> str | None:
    """Why the step's content cannot change now (Thai), or None when it can (for its unit's staff)."""
    if refusal := round_refusal(progress.assessment.indicator.round):
        return refusal
    if not progress.is_editable:
        return _("ขั้นตอนนี้ส่งแล้วหรือผ่านแล้ว จึงแก้ไขไม่ได้")
    deadline = progress.assessment.deadline
    if deadlines.is_past(deadline, now):
        return _("พ้นกำหนดส่งแล้ว (%(deadline)s) ไม่สามารถแก้ไข อัปโหลด หรือส่งขั้นตอนได้ เว้นแต่ได้รับการขยายเวลา") % {
            "deadline": thai.thai_date(deadline)
        }
    return None


def may_edit_now(user, progress: StepProgress, now: dt.datetime) -> bool:
    return can_change_assessment(user, progress.assessment) and edit_refusal(progress, now) is None
