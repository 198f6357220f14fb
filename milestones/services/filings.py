"""The unit's cover memo (a Filing) and, once it is filed, its E-saraban number.

The date rules are milestones.rules.filings'; a refused date raises FilingError naming its form field.
"""

import datetime as dt

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from milestones.models import Assessment, AuditAction, Filing, Round
from milestones.rules.editing import round_refusal
from milestones.rules.filings import esaraban_date_refusal, memo_date_refusal
from milestones.services.audit import audit_record
from milestones.services.errors import ServiceError


class FilingError(ServiceError):
    pass


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
    round_ = Round.objects.get(pk=assessment.indicator.round_id)  # read afresh: it may have closed
    if refusal := round_refusal(round_):
        raise FilingError(refusal)
    if refusal := memo_date_refusal(memo_date, round_.fiscal_year, timezone.localdate()):
        raise FilingError(refusal, field="memo_date")
    filing = Filing.objects.create(
        unit=assessment.unit,
        round=round_,
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
    filing = Filing.objects.select_for_update().select_related("unit", "round").get(pk=filing.pk)
    if refusal := round_refusal(filing.round):
        raise FilingError(refusal)
    if refusal := esaraban_date_refusal(esaraban_date, filing.memo_date, timezone.localdate()):
        raise FilingError(refusal, field="esaraban_date")
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
        unit=filing.unit,
        obj=filing,
        message=f"E-saraban {esaraban_number}",
        data=data,
    )
    return filing
