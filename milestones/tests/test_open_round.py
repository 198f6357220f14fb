"""The next fiscal year: open_round copies the round into a fresh one; the old round stays as it was
and browsable; a closed round is read-only for everyone, in the services."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import load_test_groups
from evidence.services import evidence_add
from evidence.tests.factories import pdf_bytes, upload
from milestones.models import Assessment, AuditEvent, Indicator, Round, StepStatus
from milestones.services import extension_request, step_review
from milestones.services.filings import FilingError
from milestones.services.review import ReviewError
from milestones.services.steps import StepRefused
from milestones.tests.factories import accept_steps, progress_of, sample_filing, submit

pytestmark = pytest.mark.django_db
SAMPLE_QUANTITATIVE = "data/rubrics/2563-indicator-1-sample.yaml"


def open_round(*args) -> str:
    out = io.StringIO()
    call_command("open_round", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def year_2563(cast, before_deadline):
    call_command("load_rubric", SAMPLE_QUANTITATIVE, stdout=io.StringIO())
    accept_steps(cast.assessment_a, 3, cast.staff_a, cast.reviewer)
    return cast


def test_it_copies_every_indicator_with_steps_requirements_weights_targets_and_groups(year_2563):
    assert "opened round 2564 from 2563: 2 indicators" in open_round(
        "2564", "--from", "2563", "--deadline", "2021-09-15"
    )
    new = Round.objects.get(fiscal_year=2564)
    assert new.is_open and new.deadline == dt.date(2021, 9, 15) and "2564" in new.title
    old_2, new_2 = (Indicator.objects.get(round__fiscal_year=y, number=2) for y in (2563, 2564))
    assert new_2.title == old_2.title and new_2.group == old_2.group and new_2.kind == "milestone"
    assert list(new_2.steps.values_list("number", "form_kind", "score")) == list(
        old_2.steps.values_list("number", "form_kind", "score")
    )
    assert [(r.number, r.min_count, sorted(s.number for s in r.steps.all())) for r in new_2.requirements.all()] == [
        (r.number, r.min_count, sorted(s.number for s in r.steps.all())) for r in old_2.requirements.all()
    ]
    assert dict(new_2.weights.values_list("unit_kind", "percent")) == {"central": 5, "regional": 10}
    new_1 = Indicator.objects.get(round=new, number=1)
    assert new_1.kind == "quantitative" and new_1.group.code == "FIN" and new_1.direction == "higher"
    assert list(new_1.targets.values_list("level", "value")) == [
        (k, Decimal(v)) for k, v in enumerate([88, 90, 92, 94, 96], 1)
    ]
    assert AuditEvent.objects.filter(action="round.open").count() == 1


def test_every_active_unit_starts_the_new_year_with_nothing_started_and_the_old_year_stays(year_2563):
    before = list(
        Assessment.objects.filter(indicator__round__fiscal_year=2563).values_list("pk", "level", "weighted_score")
    )
    open_round("2564", "--from", "2563", "--deadline", "2021-09-15")
    fresh = Assessment.objects.filter(indicator__round__fiscal_year=2564)
    assert fresh.count() == 4  # two units x two indicators, each applying to both kinds
    assert {a.level for a in fresh} == {0} and not fresh.filter(steps__status__in=[StepStatus.ACCEPTED]).exists()
    assert (
        list(Assessment.objects.filter(indicator__round__fiscal_year=2563).values_list("pk", "level", "weighted_score"))
        == before
    )
    assert Round.objects.get(fiscal_year=2563).is_open  # untouched


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2563", "--from", "2563", "--deadline", "2020-09-15"], "มีรอบการประเมินปีงบประมาณ 2563 อยู่แล้ว"),
        (["2565", "--from", "2540", "--deadline", "2022-09-15"], "ไม่พบรอบการประเมินปีงบประมาณ 2540"),
        (["2564", "--from", "2563", "--deadline", "2022-09-15"], "กำหนดส่งต้องอยู่ในปีงบประมาณ 2564"),
        (["2564", "--from", "2563", "--deadline", "15/09/2564"], "--deadline ต้องเป็นวันที่"),
    ],
)
def test_bad_input_changes_nothing_and_says_why(year_2563, args, message):
    rounds, events = Round.objects.count(), AuditEvent.objects.count()
    with pytest.raises(CommandError, match=message):
        open_round(*args)
    assert (Round.objects.count(), AuditEvent.objects.count()) == (rounds, events)


def test_the_admin_action_asks_for_the_year_and_deadline(year_2563, login):
    client = login(year_2563.admin)
    source = Round.objects.get(fiscal_year=2563)
    url = reverse("admin:milestones_round_changelist")
    page = client.post(url, {"action": "open_next_round", "_selected_action": [source.pk]})
    assert page.status_code == 200 and 'value="2564"' in page.text
    wrong = client.post(
        url,
        {
            "action": "open_next_round",
            "_selected_action": [source.pk],
            "apply": "1",
            "fiscal_year": "2564",
            "deadline": "2023-01-01",
        },
    )
    assert "กำหนดส่งต้องอยู่ในปีงบประมาณ 2564" in wrong.text and not Round.objects.filter(fiscal_year=2564).exists()
    done = client.post(
        url,
        {
            "action": "open_next_round",
            "_selected_action": [source.pk],
            "apply": "1",
            "fiscal_year": "2564",
            "deadline": "2021-09-15",
        },
    )
    assert done.status_code == 302 and Round.objects.filter(fiscal_year=2564, is_open=True).exists()


def test_the_indicator_page_shows_last_years_result_and_the_round_switcher_both_years(year_2563, login):
    open_round("2564", "--from", "2563", "--deadline", "2021-09-15")
    new_a = Assessment.objects.get(unit=year_2563.unit_a, indicator__round__fiscal_year=2564, indicator__number=2)
    page = login(year_2563.staff_a).get(reverse("assessment-detail", args=[new_a.pk])).text
    assert "ผลของตัวชี้วัดเดียวกันในปีงบประมาณ 2563" in page and "0.1500" in page
    round_page = login(year_2563.staff_a).get(reverse("unit-round", args=[2563, year_2563.unit_a.pk])).text
    assert reverse("unit-round", args=[2564, year_2563.unit_a.pk]) in round_page
    overview = login(year_2563.viewer).get(reverse("overview"), {"round": 2563}).text
    assert "?round=2564" in overview and "0.1500" in overview


@pytest.fixture
def closed(year_2563):
    submit(year_2563.assessment_b, 1, year_2563.staff_b)
    filing = sample_filing(year_2563.assessment_a, year_2563.staff_a)
    Round.objects.filter(fiscal_year=2563).update(is_open=False)
    return year_2563, filing


def test_a_closed_round_is_read_only_for_everyone_in_the_services(closed):
    cast, filing = closed
    with pytest.raises(StepRefused, match="ปิดแล้ว"):
        evidence_add(progress=progress_of(cast.assessment_a, 4), user=cast.staff_a, upload=upload("ก.pdf", pdf_bytes()))
    with pytest.raises(ReviewError, match="ปิดแล้ว"):
        step_review(progress=progress_of(cast.assessment_b, 1), user=cast.reviewer, kind="accepted")
    with pytest.raises(ReviewError, match="ปิดแล้ว"):
        extension_request(assessment=cast.assessment_a, user=cast.staff_a, reason="ขอเวลาเพิ่ม")
    from milestones.services.filings import filing_record

    with pytest.raises(FilingError, match="ปิดแล้ว"):
        filing_record(filing=filing, user=cast.staff_a, esaraban_number="1", esaraban_date=dt.date(2020, 9, 2))
    with pytest.raises(FilingError, match="ปิดแล้ว"):
        sample_filing(cast.assessment_a, cast.staff_a)
    assert progress_of(cast.assessment_b, 1).status == StepStatus.SUBMITTED


def test_a_closed_round_stays_browsable(closed, login):
    cast, _filing = closed
    assert login(cast.staff_a).get(reverse("assessment-detail", args=[cast.assessment_a.pk])).status_code == 200
    assert "ปิดแล้ว" in login(cast.viewer).get(reverse("overview"), {"round": 2563}).text


def test_the_wrong_groups_reviewer_is_refused_by_the_service_too(year_2563):
    progress, _submission = submit(year_2563.assessment_b, 1, year_2563.staff_b)
    with pytest.raises(PermissionDenied):
        step_review(progress=progress, user=year_2563.reviewer_other, kind="accepted")
    assert progress_of(year_2563.assessment_b, 1).status == StepStatus.SUBMITTED


def test_groups_load_before_the_rubric_or_the_rubric_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="indicator.group"):
        call_command("load_rubric", SAMPLE_QUANTITATIVE, stdout=io.StringIO())
    load_test_groups()
    call_command("load_rubric", SAMPLE_QUANTITATIVE, stdout=io.StringIO())
    assert Indicator.objects.get(number=1).is_sample
