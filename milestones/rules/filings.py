"""The date rules of a filing (the cover memo and its E-saraban record), with their Thai messages.

- A year more than one ahead of today's is a Buddhist-Era year typed into a C.E. date picker.
- The memo is dated within or after the round's fiscal year, never before it starts.
- The E-saraban date is not before the memo's date.

Each function returns None when the date is acceptable, else the refusal in Thai. The services
refuse with it (milestones.services.filings.FilingError); the forms show it next to the field.
"""

import datetime as dt

from django.utils.translation import gettext as _

from kpi_tracker.lib import thai


def _year_refusal(value: dt.date, today: dt.date) -> str | None:
    if value.year > today.year + 1:
        return _("ปีของวันที่ไม่ถูกต้อง อาจระบุเป็นปี พ.ศ. กรุณาเลือกวันที่จากปฏิทิน (ปี ค.ศ.)")
    return None


def memo_date_refusal(memo_date: dt.date, fiscal_year: int, today: dt.date) -> str | None:
    if refusal := _year_refusal(memo_date, today):
        return refusal
    if memo_date < thai.fiscal_year_bounds(fiscal_year)[0]:
        return _("วันที่ต้องไม่ก่อนเริ่มปีงบประมาณของรอบการประเมิน")
    return None


def esaraban_date_refusal(esaraban_date: dt.date, memo_date: dt.date | None, today: dt.date) -> str | None:
    if refusal := _year_refusal(esaraban_date, today):
        return refusal
    if memo_date and esaraban_date < memo_date:
        return _("วันที่ส่งทาง E-saraban ต้องไม่ก่อนวันที่ของบันทึกข้อความ")
    return None


def default_recipient(group_name: str) -> str:
    """เรียน: the head of the supervising group the result goes to, until the unit writes otherwise.
    Memo text, so Thai whatever the interface language."""
    return f"ผู้อำนวยการ{group_name}"
