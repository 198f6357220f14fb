"""A quantitative indicator end to end through the services and pages: the unit reports a value with
its date and evidence, the supervising group accepts or returns it like a step, the accepted value
is scored against the five targets and counts in the unit's round total."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from evidence.services import evidence_add, step_content_save, step_submit
from evidence.tests.factories import pdf_bytes, upload
from milestones.models import Assessment, Indicator, Measurement, StepStatus
from milestones.services import step_reopen, step_review
from milestones.services.steps import StepRefused
from milestones.tests.factories import progress_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def disbursement(cast, before_deadline):
    """Sample indicator 1 (FIN): the budget disbursement rate, targets 88 90 92 94 96, higher is better."""
    from conftest import make_user
    from milestones.models import Role

    call_command("load_rubric", "data/rubrics/2563-indicator-1-sample.yaml", stdout=io.StringIO())
    cast.fin = make_user("fin", Role.REVIEWER, groups=["FIN"])
    cast.quantitative = Indicator.objects.get(round__fiscal_year=2563, number=1)
    cast.assessment_qa = Assessment.objects.get(unit=cast.unit_a, indicator=cast.quantitative)
    return cast


def report(cast, value: str, *, files: bool = True):
    progress = progress_of(cast.assessment_qa, 1)
    step_content_save(
        progress=progress,
        user=cast.staff_a,
        content={"value": Decimal(value), "measured_on": cast.indicator.round.deadline},
    )
    if files:
        evidence_add(progress=progress, user=cast.staff_a, upload=upload(f"GFMIS {value}.pdf", pdf_bytes(value)))
    return progress


def test_the_rubric_gives_one_reporting_step_and_five_targets(disbursement):
    q = disbursement.quantitative
    assert q.kind == "quantitative" and q.group.code == "FIN" and q.is_sample
    assert [(s.number, s.form_kind) for s in q.steps.all()] == [(1, "measurement")]
    assert [t.value for t in q.targets.order_by("level")] == [Decimal(v) for v in ("88", "90", "92", "94", "96")]


def test_an_accepted_value_is_scored_between_the_targets_and_counts_in_the_round_total(disbursement, login):
    progress = report(disbursement, "93.5")
    step_submit(progress=progress, user=disbursement.staff_a)
    step_review(progress=progress, user=disbursement.fin, kind="accepted")
    a = Assessment.objects.get(pk=disbursement.assessment_qa.pk)
    assert (a.score, a.level, a.weight, a.weighted_score) == (Decimal("3.7500"), 3, Decimal("10"), Decimal("0.3750"))
    page = login(disbursement.staff_a).get(reverse("unit-round", args=[2563, disbursement.unit_a.pk])).text
    assert "คะแนน 3.7500" in page and "0.3750" in page
    assert "<strong>0.3750</strong>" in page  # the total: indicator 2 has nothing accepted yet


def test_a_returned_value_scores_nothing_until_it_is_accepted(disbursement):
    progress = report(disbursement, "97")
    step_submit(progress=progress, user=disbursement.staff_a)
    step_review(progress=progress, user=disbursement.fin, kind="returned", comment="แนบรายงาน GFMIS ฉบับลงนาม")
    assert Assessment.objects.get(pk=disbursement.assessment_qa.pk).score == 0
    report(disbursement, "95", files=False)
    step_submit(progress=progress_of(disbursement.assessment_qa, 1), user=disbursement.staff_a)
    step_review(progress=progress_of(disbursement.assessment_qa, 1), user=disbursement.fin, kind="accepted")
    assert Assessment.objects.get(pk=disbursement.assessment_qa.pk).score == Decimal("4.5000")


def test_reopening_takes_the_score_away(disbursement):
    progress = report(disbursement, "96")
    step_submit(progress=progress, user=disbursement.staff_a)
    step_review(progress=progress, user=disbursement.fin, kind="accepted")
    assert Assessment.objects.get(pk=disbursement.assessment_qa.pk).score == 5
    step_reopen(progress=progress, user=disbursement.admin, reason="ตัวเลขไม่ตรงกับระบบ")
    assert Assessment.objects.get(pk=disbursement.assessment_qa.pk).score == 0


def test_only_the_supervising_group_decides(disbursement, login):
    progress = report(disbursement, "90")
    step_submit(progress=progress, user=disbursement.staff_a)
    client = login(disbursement.reviewer)  # the management-systems group: not this indicator's
    assert client.get(reverse("review-step", args=[progress.pk])).status_code == 404
    assert client.post(reverse("review-decide", args=[progress.pk]), {"kind": "accepted"}).status_code == 404
    fin = login(disbursement.fin)
    assert fin.post(reverse("review-decide", args=[progress.pk]), {"kind": "accepted"}).status_code == 302
    assert progress_of(disbursement.assessment_qa, 1).status == StepStatus.ACCEPTED


def test_submitting_needs_a_value_and_a_file(disbursement):
    progress = progress_of(disbursement.assessment_qa, 1)
    with pytest.raises(StepRefused) as refused:
        step_submit(progress=progress, user=disbursement.staff_a)
    assert refused.value.messages == ["ยังไม่ได้รายงานค่าที่วัดได้และวันที่วัด", "ยังไม่ได้แนบไฟล์หลักฐาน"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("เก้าสิบ", "ค่าที่วัดได้ต้องเป็นตัวเลข"),
        ("101", "ค่าที่รายงานต้องอยู่ระหว่าง 0 ถึง 100"),
        ("-5", "ค่าที่รายงานต้องอยู่ระหว่าง 0 ถึง 100"),
    ],
)
def test_a_value_that_is_not_a_number_or_out_of_range_is_refused_next_to_the_field(disbursement, login, value, message):
    url = reverse("step-save", args=[disbursement.assessment_qa.pk, 1])
    response = login(disbursement.staff_a).post(
        url, {"measurement-value": value, "value": value, "measured_on": "2020-09-01"}
    )
    assert response.status_code == 200 and message in response.text
    assert not Measurement.objects.exists()


def test_the_service_refuses_an_out_of_range_value_too(disbursement):
    with pytest.raises(StepRefused, match="ระหว่าง 0 ถึง 100"):
        report(disbursement, "150", files=False)
    assert not Measurement.objects.exists()


def test_the_indicator_page_shows_the_targets_and_the_score(disbursement, login):
    page = login(disbursement.staff_a).get(reverse("step-detail", args=[disbursement.assessment_qa.pk, 1])).text
    assert "ค่าเป้าหมาย" in page and "ยิ่งมากยิ่งดี" in page
    for target in ("88", "90", "92", "94", "96"):
        assert f">{target}<" in page
