"""Writes that touch several models. Each runs in one transaction."""

from django.db import transaction

from milestones.models import Assessment, Indicator, StepProgress, Unit


@transaction.atomic
def assessments_ensure(*, indicator: Indicator, units=None) -> int:
    """Give every active unit the indicator applies to (a unit kind it has a weight for) an
    assessment on it, with a progress row per step.

    Idempotent: existing rows are kept as they are; weights and scores are
    recalculated so that a changed weight shows at once. Returns how many
    assessments were created.
    """
    indicator = Indicator.objects.prefetch_related("weights").select_related("round").get(pk=indicator.pk)
    units = list(units if units is not None else Unit.objects.active())
    units = [u for u in units if indicator.applies_to(u.kind)]
    existing = set(Assessment.objects.filter(indicator=indicator).values_list("unit_id", flat=True))
    new = [Assessment(unit=u, indicator=indicator) for u in units if u.pk not in existing]
    Assessment.objects.bulk_create(new, ignore_conflicts=True)

    steps = list(indicator.steps.all())
    assessments = list(
        Assessment.objects.filter(indicator=indicator, unit__in=units).select_related("unit", "indicator")
    )
    StepProgress.objects.bulk_create(
        [StepProgress(assessment=a, step=s) for a in assessments for s in steps], ignore_conflicts=True
    )
    assessments_recalculate(indicator=indicator, assessments=assessments)
    return len(new)


def assessments_recalculate(*, indicator: Indicator, assessments=None) -> int:
    """Recompute level, score, weight and weighted score from the accepted steps; returns how many changed."""
    indicator = Indicator.objects.prefetch_related("weights", "targets").get(pk=indicator.pk)
    if assessments is None:
        assessments = Assessment.objects.filter(indicator=indicator).select_related("unit")
    assessments = list(assessments)
    progresses: dict[int, list[StepProgress]] = {}
    for p in StepProgress.objects.filter(assessment__in=assessments).select_related("step", "measurement"):
        progresses.setdefault(p.assessment_id, []).append(p)
    fields = ["level", "score", "weight", "weighted_score"]
    changed = []
    for a in assessments:
        before = [getattr(a, f) for f in fields]
        a.indicator = indicator
        a.recalculate(progresses.get(a.pk, []))
        if [getattr(a, f) for f in fields] != before:
            changed.append(a)
    # Only rows whose figures moved are written: a weight change touches one kind of unit, a
    # re-run of the loaders touches none.
    Assessment.objects.bulk_update(changed, fields, batch_size=500)
    return len(changed)


@transaction.atomic
def assessments_ensure_open_rounds(*, units=None) -> None:
    """assessments_ensure on every indicator of an open round: what a new, re-activated or
    re-kinded unit needs (a closed round keeps the units it had)."""
    for indicator in Indicator.objects.filter(round__is_open=True):
        assessments_ensure(indicator=indicator, units=units)


@transaction.atomic
def assessments_follow_rubric(*, indicator: Indicator) -> None:
    """After the rubric changed (a step added or rescored, a weight changed): in an open round every
    active unit gets any missing progress rows and fresh scores; a closed round's units are
    only rescored, so that a unit created since it closed is not added to it."""
    if indicator.round.is_open:
        assessments_ensure(indicator=indicator)
    else:
        assessments_recalculate(indicator=indicator)
