"""The unit's cover memo (a Filing) and, once it is filed, its E-saraban number.

The date rules live here, with their Thai messages (FilingError.field names the form field):
- a year more than one ahead of today's is a Buddhist-Era year typed into a C.E. date picker;
- the memo is dated within or after the round's fiscal year, never before it starts;
- the E-saraban date is not before the memo's date.
"""

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from kpi_tracker.lib import thai
from milestones.models import Assessment, AuditAction, Filing, Round
from milestones.services.audit import audit_record
from milestones.services.errors import ServiceError


class FilingError(ServiceError):
    pass


def _check_year(value: dt.date, field: str, today: dt.date) -> None:
    if value.year > today.year + 1:
        raise FilingError(_("ปีของวันที่ไม่ถูกต้อง อาจระบุเป็นปี พ.ศ. กรุณาเลือกวันที่จากปฏิทิน (ปี ค.ศ.)"), field=field)


def check_memo_date(memo_date: dt.date, round_: Round, today: dt.date) -> None:
    _check_year(memo_date, "memo_date", today)
    if memo_date < thai.fiscal_year_bounds(round_.fiscal_year)[0]:
        raise FilingError(_("วันที่ต้องไม่ก่อนเริ่มปีงบประมาณของรอบการประเมิน"), field="memo_date")


def check_esaraban_date(esaraban_date: dt.date, memo_date: dt.date | None, today: dt.date) -> None:
    _check_year(esaraban_date, "esaraban_date", today)
    if memo_date and esaraban_date < memo_date:
        raise FilingError(_("วันที่ส่งทาง E-saraban ต้องไม่ก่อนวันที่ของบันทึกข้อความ"), field="esaraban_date")


@transaction.atomic
def filing_create(
    *,
    assessment: Assessment,
    user,
    memo_number: str,
    memo_date: dt.date,
    recipient: str,
    signer_name: str,
    signer_position: str,
    request: HttpRequest | None = None,
) -> Filing:
    """A new cover memo for the unit; earlier ones stay as they were (the latest is current).
    Raises FilingError for a date the rules refuse."""
    check_memo_date(memo_date, assessment.indicator.round, timezone.localdate())
    filing = Filing.objects.create(
        assessment=assessment,
        memo_number=memo_number,
        memo_date=memo_date,
        recipient=recipient,
        signer_name=signer_name,
        signer_position=signer_position,
        created_by=user,
    )
    audit_record(
        action=AuditAction.FILING_CREATE,
        user=user,
        request=request,
        unit=assessment.unit,
        obj=filing,
        message=f"ที่ {memo_number}",
        data={"memo_number": memo_number, "memo_date": memo_date.isoformat()},
    )
    return filing


@transaction.atomic
def filing_record(
    *,
    filing: Filing,
    user,
    esaraban_number: str,
    esaraban_date: dt.date,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> Filing:
    """Record the E-saraban document number and date; a correction keeps the old values in the audit log.
    Raises FilingError for a date the rules refuse."""
    filing = Filing.objects.select_for_update().select_related("assessment__unit").get(pk=filing.pk)
    check_esaraban_date(esaraban_date, filing.memo_date, timezone.localdate())
    previous = {"esaraban_number": filing.esaraban_number, "esaraban_date": filing.esaraban_date}
    filing.esaraban_number = esaraban_number
    filing.esaraban_date = esaraban_date
    filing.recorded_by = user
    filing.recorded_at = now or timezone.now()
    filing.save(update_fields=["esaraban_number", "esaraban_date", "recorded_by", "recorded_at"])
    data = {"esaraban_number": esaraban_number, "esaraban_date": esaraban_date.isoformat()}
    if previous["esaraban_number"]:
        data["previous"] = {
            "esaraban_number": previous["esaraban_number"],
            "esaraban_date": previous["esaraban_date"].isoformat() if previous["esaraban_date"] else None,
        }
    audit_record(
        action=AuditAction.FILING_RECORD,
        user=user,
        request=request,
        unit=filing.assessment.unit,
        obj=filing,
        message=f"E-saraban {esaraban_number}",
        data=data,
    )
    return filing
