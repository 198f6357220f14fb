import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from conftest import RUBRIC_FILE
from milestones.models import EvidenceRequirement, Indicator, Round, Step, Weight

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "data" / "source" / "indicator-2-2563.txt"
SHARED_SEED = ROOT.parent / "shared" / "seeds" / "000_3197e5f9b9c5ed69.txt"


def _source_lines():
    return SOURCE.read_text(encoding="utf-8").split("\n")


def test_the_shipped_source_is_the_shared_seed():
    if not SHARED_SEED.exists():
        pytest.skip("../shared is not beside this checkout")
    assert SOURCE.read_bytes() == SHARED_SEED.read_bytes()


def test_rubric_in_the_database_matches_the_source_word_for_word(groups):
    call_command("load_rubric", str(RUBRIC_FILE), stdout=open("/dev/null", "w"))
    lines = _source_lines()
    indicator = Indicator.objects.get(round__fiscal_year=2563, number=2)
    assert f"ตัวชี้วัดที่ ๒ : {indicator.title}" in lines
    assert f"หน่วยวัด : {indicator.unit_of_measure}" in lines
    for paragraph in indicator.description.split("\n"):
        assert paragraph in lines
    assert indicator.scoring_description in lines
    assert f"ผู้กำกับตัวชี้วัด : {indicator.supervisor}" in lines
    assert f"ผู้จัดเก็บข้อมูล : {indicator.data_collector}" in lines
    assert f"โทรศัพท์ภายใน : {indicator.supervisor_phone}" in lines
    assert indicator.supervisor_phone == "๗๗๑๔"
    assert f"ผู้ดำเนินการ : {indicator.operators}" in lines

    thai_digits = "๐๑๒๓๔๕๖๗๘๙"
    table = [line.split("\t") for line in lines if line.startswith("ขั้นตอนที่ ")]
    steps = list(indicator.steps.order_by("number"))
    assert len(steps) == len(table) == 5
    for step, (label, description, score) in zip(steps, table, strict=True):
        assert label == f"ขั้นตอนที่ {thai_digits[step.number]}"
        assert step.description == description
        assert step.score == Decimal(thai_digits.index(score))

    items = [line for line in lines if re.match(r"^[๑-๙]\. ", line)]
    requirements = list(indicator.requirements.order_by("number"))
    assert len(requirements) == len(items) == 6
    for requirement, line in zip(requirements, items, strict=True):
        assert line == f"{thai_digits[requirement.number]}. {requirement.description}"

    assert {w.unit_kind: w.percent for w in indicator.weights.all()} == {"central": 5, "regional": 10}
    assert indicator.round.deadline.isoformat() == "2020-09-15"
    step3 = indicator.requirements.get(number=3)
    assert step3.min_count == 2 and list(step3.steps.values_list("number", flat=True)) == [3]
    assert indicator.requirements.get(number=6).is_report


def test_running_it_twice_changes_nothing(groups):
    call_command("load_rubric", str(RUBRIC_FILE), stdout=open("/dev/null", "w"))
    before = [list(m.objects.order_by("pk").values()) for m in (Round, Indicator, Step, EvidenceRequirement, Weight)]
    from io import StringIO

    out = StringIO()
    call_command("load_rubric", str(RUBRIC_FILE), stdout=out)
    after = [list(m.objects.order_by("pk").values()) for m in (Round, Indicator, Step, EvidenceRequirement, Weight)]
    assert before == after
    assert "0 created, 0 updated" in out.getvalue()


def _write(tmp_path, data, name="rubric.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda d: d["indicator"]["steps"][2].update(score="three"), "indicator.steps[2].score"),
        (lambda d: d["indicator"]["steps"][1].pop("description"), "indicator.steps[1].description"),
        (lambda d: d["indicator"]["weights"].update(central=150), "indicator.weights.central"),
        (lambda d: d["indicator"]["weights"].update(provincial=5), "indicator.weights.provincial"),
        (lambda d: d["round"].update(deadline="15/09/2563"), "round.deadline"),
        (lambda d: d["indicator"].pop("title"), "indicator.title"),
        (lambda d: d["indicator"]["steps"][4].update(number=7), "indicator.steps"),
        (lambda d: d["indicator"]["requirements"][0].update(steps=[9]), "indicator.requirements[0].steps"),
        (lambda d: d["indicator"]["steps"][0].update(form="wizard"), "indicator.steps[0].form"),
    ],
)
def test_a_malformed_file_names_the_field_and_loads_nothing(groups, tmp_path, mutate, field):
    data = yaml.safe_load(RUBRIC_FILE.read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(CommandError) as excinfo:
        call_command("load_rubric", str(_write(tmp_path, data)))
    assert field in str(excinfo.value)
    assert not Round.objects.exists() and not Step.objects.exists()


def test_json_files_load_too(groups, tmp_path):
    import json

    data = yaml.safe_load(RUBRIC_FILE.read_text(encoding="utf-8"))
    data["round"]["deadline"] = data["round"]["deadline"].isoformat()
    path = tmp_path / "rubric.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("load_rubric", str(path), stdout=open("/dev/null", "w"))
    assert Step.objects.count() == 5


def test_a_file_that_is_not_yaml_is_refused(groups, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("round: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="ไม่ถูกต้อง"):
        call_command("load_rubric", str(path))
    assert not Round.objects.exists()


def test_loading_gives_every_active_unit_an_assessment_with_five_steps(cast):
    for assessment in (cast.assessment_a, cast.assessment_b):
        assert assessment.steps.count() == 5
    assert cast.assessment_a.weight == Decimal("5.00")
    assert cast.assessment_b.weight == Decimal("10.00")


QUANTITATIVE_FILE = ROOT / "data" / "rubrics" / "2563-indicator-1-sample.yaml"


@pytest.mark.parametrize(
    "source, mutate, field",
    [
        (RUBRIC_FILE, lambda d: d["indicator"].update(kind="balanced-scorecard"), "indicator.kind"),
        (RUBRIC_FILE, lambda d: d["indicator"].update(group="NOPE"), "indicator.group"),
        (RUBRIC_FILE, lambda d: d["indicator"]["weights"].update(regional=-1), "indicator.weights.regional"),
        (RUBRIC_FILE, lambda d: d["indicator"].update(weights={}), "indicator.weights"),
        (
            QUANTITATIVE_FILE,
            lambda d: d["indicator"]["quantitative"].update(targets=[88, 90, 89, 94, 96]),
            "indicator.quantitative.targets[2]",
        ),
        (
            QUANTITATIVE_FILE,
            lambda d: d["indicator"]["quantitative"].update(targets=[88, 90, 92, 94]),
            "indicator.quantitative.targets",
        ),
        (
            QUANTITATIVE_FILE,
            lambda d: d["indicator"]["quantitative"].update(targets=[88, 90, 92, 94, "มาก"]),
            "indicator.quantitative.targets[4]",
        ),
        (
            QUANTITATIVE_FILE,
            lambda d: d["indicator"]["quantitative"].update(direction="up"),
            "indicator.quantitative.direction",
        ),
        (
            QUANTITATIVE_FILE,
            lambda d: d["indicator"]["quantitative"].update(max=95),
            "indicator.quantitative.targets[4]",
        ),
        (
            QUANTITATIVE_FILE,
            lambda d: d["indicator"]["quantitative"].update(min=100, max=0),
            "indicator.quantitative.max",
        ),
        (QUANTITATIVE_FILE, lambda d: d["indicator"].pop("quantitative"), "indicator.quantitative"),
    ],
)
def test_a_bad_kind_group_weight_or_targets_are_refused_with_the_field_and_nothing_loaded(
    groups, tmp_path, source, mutate, field
):
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    mutate(data)
    with pytest.raises(CommandError) as excinfo:
        call_command("load_rubric", str(_write(tmp_path, data)))
    assert f"{field}:" in str(excinfo.value)
    assert not Round.objects.exists() and not Indicator.objects.exists()


def test_lower_is_better_targets_must_fall(groups, tmp_path):
    data = yaml.safe_load(QUANTITATIVE_FILE.read_text(encoding="utf-8"))
    data["indicator"]["quantitative"].update(direction="lower", targets=[30, 25, 20, 15, 10])
    call_command("load_rubric", str(_write(tmp_path, data)), stdout=open("/dev/null", "w"))
    assert Indicator.objects.get(number=1).direction == "lower"
    data["indicator"]["quantitative"]["targets"] = [10, 15, 20, 25, 30]
    with pytest.raises(CommandError, match=r"targets\[1\].*น้อยกว่า"):
        call_command("load_rubric", str(_write(tmp_path, data, "rising.yaml")))


def test_the_sample_indicators_are_marked_as_sample_data_in_the_file_and_the_admin(groups, login, cast):
    for name in ("2563-indicator-1-sample.yaml", "2563-indicator-3-sample.yaml"):
        path = ROOT / "data" / "rubrics" / name
        assert "SAMPLE DATA written for the demo" in path.read_text(encoding="utf-8")
        call_command("load_rubric", str(path), stdout=open("/dev/null", "w"))
    assert set(Indicator.objects.filter(is_sample=True).values_list("number", flat=True)) == {1, 3}
    assert not Indicator.objects.get(number=2).is_sample  # the one from the source document
    page = login(cast.admin).get("/admin/milestones/indicator/").text
    assert "ข้อมูลตัวอย่าง" in page
    # Indicator 3 applies to central units only (it has no regional weight).
    assert set(Indicator.objects.get(number=3).assessments.values_list("unit__kind", flat=True)) == {"central"}
