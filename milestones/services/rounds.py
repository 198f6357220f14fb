"""Opening the next fiscal year's round from a previous one.

round_open() copies the indicators with their steps, evidence requirements, weights, targets and
supervising groups into a new open round, gives every active unit its assessments with nothing
started, and leaves the old round as it was (its results stay on record and browsable). It runs in
one transaction with its audit event; a year that exists already, or a deadline outside the new
fiscal year, changes nothing.
"""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from kpi_tracker.lib import thai
from milestones import indicator_kinds
from milestones.models import AuditAction, EvidenceRequirement, Indicator, Round, Step, Weight
from milestones.services.assessments import assessments_ensure
from milestones.services.audit import audit_record
from milestones.services.errors import ServiceError

# Indicator fields that belong to the row itself, not to what it says.
_NOT_COPIED = {"id", "round"}


class RoundError(ServiceError):
    pass


def _title(source: Round, fiscal_year: int) -> str:
    return source.title.replace(str(source.fiscal_year), str(fiscal_year)) if source.title else ""


def _copy_indicator(old: Indicator, new_round: Round) -> Indicator:
    values = {f.attname: getattr(old, f.attname) for f in Indicator._meta.concrete_fields if f.name not in _NOT_COPIED}
    new = Indicator.objects.create(round=new_round, **values)
    Weight.objects.bulk_create(
        [Weight(indicator=new, unit_kind=w.unit_kind, percent=w.percent) for w in old.weights.all()]
    )
    steps = {}
    for step in old.steps.order_by("number"):
        steps[step.pk] = Step.objects.create(
            indicator=new, number=step.number, description=step.description, score=step.score, form_kind=step.form_kind
        )
    for requirement in old.requirements.prefetch_related("steps").order_by("number"):
        copy = EvidenceRequirement.objects.create(
            indicator=new,
            number=requirement.number,
            description=requirement.description,
            min_count=requirement.min_count,
            is_report=requirement.is_report,
        )
        copy.steps.set([steps[s.pk] for s in requirement.steps.all()])
    indicator_kinds.kind_of(old).copy(old, new)
    return new


@transaction.atomic
def round_open(*, fiscal_year: int, source: Round, deadline: dt.date, user=None, request=None) -> Round:
    """The new round of fiscal_year (B.E.), a copy of source's indicators with nothing started."""
    if Round.objects.filter(fiscal_year=fiscal_year).exists():
        raise RoundError(_("มีรอบการประเมินปีงบประมาณ %(year)s อยู่แล้ว") % {"year": fiscal_year}, field="fiscal_year")
    if thai.fiscal_year_be(deadline) != fiscal_year:
        first, last = thai.fiscal_year_bounds(fiscal_year)
        raise RoundError(
            _("กำหนดส่งต้องอยู่ในปีงบประมาณ %(year)s (%(first)s ถึง %(last)s)")
            % {"year": fiscal_year, "first": thai.thai_date(first), "last": thai.thai_date(last)},
            field="deadline",
        )
    new_round = Round.objects.create(
        fiscal_year=fiscal_year, title=_title(source, fiscal_year), deadline=deadline, is_open=True
    )
    indicators = [_copy_indicator(old, new_round) for old in source.indicators.order_by("number")]
    units = sum(assessments_ensure(indicator=indicator) for indicator in indicators)
    audit_record(
        action=AuditAction.ROUND_OPEN,
        user=user,
        request=request,
        obj=new_round,
        message=_("เปิดรอบปีงบประมาณ %(year)s จากรอบ %(source)s") % {"year": fiscal_year, "source": source.fiscal_year},
        data={"from": source.fiscal_year, "indicators": len(indicators), "assessments": units},
    )
    return new_round
