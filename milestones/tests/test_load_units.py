from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from milestones.models import Assessment, Unit

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "units" / "sample-units.csv"


def _run(path, *args):
    out = StringIO()
    call_command("load_units", str(path), *args, stdout=out)
    return out.getvalue()


def test_the_sample_list_has_central_units_and_every_provincial_office(db):
    output = _run(SAMPLE, "--sample")
    assert "118 created, 0 updated, 0 unchanged" in output
    provincial = Unit.objects.filter(code__startswith="P-")
    assert provincial.count() == 76
    assert all(u.kind == "regional" and u.is_sample for u in provincial)
    assert not Unit.objects.filter(name__contains="กรุงเทพ").exists()
    assert Unit.objects.filter(kind="central").count() >= 15
    centre = Unit.objects.get(code="R-MFRD-AN")
    assert centre.parent.code == "C-MARINE" and centre.kind == "regional"
    assert Unit.objects.get(code="C-PSDG").phone == "7714"  # the group's internal phone, from the rubric source


def test_loading_twice_reports_everything_unchanged(db):
    _run(SAMPLE)
    assert "0 created, 0 updated, 118 unchanged" in _run(SAMPLE)


def test_changed_rows_are_counted_as_updated(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,parent\nA1,กองหนึ่ง,central,\nB1,ศูนย์สอง,regional,A1\n", encoding="utf-8")
    assert "2 created, 0 updated, 0 unchanged" in _run(path)
    path.write_text("code,name,kind,parent\nA1,กองหนึ่ง (ใหม่),central,\nB1,ศูนย์สอง,regional,\n", encoding="utf-8")
    assert "0 created, 2 updated, 0 unchanged" in _run(path)
    assert Unit.objects.get(code="A1").name == "กองหนึ่ง (ใหม่)"
    assert Unit.objects.get(code="B1").parent is None


def test_the_phone_column_is_optional_and_loaded(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,phone\nA1,กองหนึ่ง,central,7714\nA2,กองสอง,central,\n", encoding="utf-8")
    _run(path)
    assert Unit.objects.get(code="A1").phone == "7714" and Unit.objects.get(code="A2").phone == ""


def test_a_parent_later_in_the_file_is_linked(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,parent\nB1,ศูนย์,regional,A1\nA1,กอง,ส่วนกลาง,\n", encoding="utf-8")
    _run(path)
    assert Unit.objects.get(code="B1").parent.code == "A1"
    assert Unit.objects.get(code="A1").kind == "central"


def test_bad_rows_are_reported_by_row_number_and_nothing_is_loaded(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "code,name,kind,parent\nA1,กองหนึ่ง,central,\nA2,,central,\nA3,กองสาม,provincial,\nA1,ซ้ำ,central,\nA5,กองห้า,central,ZZ\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as excinfo:
        _run(path)
    message = str(excinfo.value)
    assert "แถวที่ 3" in message and "name" in message
    assert "แถวที่ 4" in message and "provincial" in message
    assert "แถวที่ 5" in message and "ซ้ำ" in message
    assert "แถวที่ 6" in message and "ZZ" in message
    assert not Unit.objects.exists()


def test_a_missing_column_is_refused(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name\nA1,กอง\n", encoding="utf-8")
    with pytest.raises(CommandError, match="kind"):
        _run(path)


def test_new_units_get_an_assessment_in_the_open_round(cast, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind\nN1,หน่วยใหม่,regional\n", encoding="utf-8")
    _run(path)
    assessment = Assessment.objects.get(unit__code="N1")
    assert assessment.steps.count() == 5 and str(assessment.weight) == "10.00"


def test_a_parent_loop_across_units_is_refused_with_the_chain(db, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text(
        "code,name,kind,parent\nA1,กอง ก,central,C1\nB1,กอง ข,central,A1\nC1,กอง ค,central,B1\nD1,ศูนย์,regional,A1\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as refused:
        _run(path)
    text = str(refused.value)
    assert "แถวที่ 2: สายการสังกัดวนกลับมาที่หน่วยงานเดิม (A1 → C1 → B1 → A1)" in text
    assert "แถวที่ 3:" in text and "แถวที่ 4:" in text
    assert "แถวที่ 5" not in text  # D1 hangs under the loop but is not on it
    assert not Unit.objects.exists()


def test_a_loop_closed_through_a_unit_already_in_the_database_is_refused(db, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("code,name,kind,parent\nA1,กอง ก,central,\nB1,กอง ข,central,A1\n", encoding="utf-8")
    _run(first)
    second = tmp_path / "second.csv"
    second.write_text("code,name,kind,parent\nA1,กอง ก,central,B1\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"A1 → B1 → A1"):
        _run(second)
    assert Unit.objects.get(code="A1").parent is None


def test_moving_a_unit_under_another_branch_is_not_a_loop(db, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("code,name,kind,parent\nA1,กอง ก,central,\nB1,กอง ข,central,A1\n", encoding="utf-8")
    _run(first)
    second = tmp_path / "second.csv"
    second.write_text("code,name,kind,parent\nA1,กอง ก,central,B1\nB1,กอง ข,central,\n", encoding="utf-8")
    _run(second)
    assert Unit.objects.get(code="A1").parent.code == "B1"
    assert Unit.objects.get(code="B1").parent is None
