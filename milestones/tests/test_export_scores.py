import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from milestones.models import AuditEvent
from milestones.tests.factories import accept_steps
from milestones.tests.report_helpers import built_document, use_own_storage


@pytest.fixture(autouse=True)
def _own_storage(settings, tmp_path):
    use_own_storage(settings, tmp_path / "storage")


pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(cast, before_deadline):
    accept_steps(cast.assessment_a, 3, cast.staff_a, cast.reviewer)  # central, level 3: 0.1500
    accept_steps(cast.assessment_b, 5, cast.staff_b, cast.reviewer)  # regional, level 5: 0.5000
    return cast


def run(*args) -> str:
    out = io.StringIO()
    call_command("export_scores", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_the_csv_table(scored):
    rows = list(csv.reader(io.StringIO(run("--round", "2563", "--indicator", "2", "--format", "csv"))))
    assert rows[0][:7] == ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ประเภท", "น้ำหนัก (ร้อยละ)", "ระดับ", "คะแนน", "คะแนนถ่วงน้ำหนัก"]
    assert rows[0][7] == "ขั้นตอนที่ 1 ผ่านเมื่อ" and len(rows[0]) == 12
    assert rows[1][:7] == ["T-A", "กองทดสอบ ก", "ส่วนกลาง", "5", "3", "3", "0.1500"]
    assert rows[1][7:] == ["01/08/2563", "01/08/2563", "01/08/2563", "", ""]  # B.E. dates
    assert rows[2][:7] == ["T-B", "สำนักงานประมงจังหวัดทดสอบ", "ส่วนภูมิภาค", "10", "5", "5", "0.5000"]


def test_the_command_prints_json(scored):
    data = json.loads(run("--round", "2563", "--indicator", "2", "--format", "json"))
    assert data[0]["code"] == "T-A" and data[0]["weighted_score"] == "0.1500"
    assert data[0]["accepted_on"] == {"1": "01/08/2563", "2": "01/08/2563", "3": "01/08/2563", "4": None, "5": None}


def test_an_unknown_round_is_an_error(cast):
    with pytest.raises(CommandError, match="2599"):
        run("--round", "2599")


def test_the_csv_download_has_a_bom_for_excel_and_is_audited(login, scored):
    response = login(scored.viewer).get(reverse("scores-csv"), {"indicator": scored.indicator.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffรหัสหน่วยงาน")
    assert text.lstrip("\ufeff") == run("--round", "2563", "--indicator", "2")
    assert AuditEvent.objects.filter(action="report.export", user=scored.viewer).exists()


def test_the_excel_download_has_the_same_table(login, scored):
    response = login(scored.reviewer).get(reverse("scores-xlsx"), {"indicator": scored.indicator.pk})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][0] == "รหัสหน่วยงาน"
    assert values[1][:7] == ["T-A", "กองทดสอบ ก", "ส่วนกลาง", 5, 3, 3, 0.15]
    assert sheet.cell(row=3, column=7).number_format == "0.0000"
    assert values[2][7] == "01/08/2563"


@pytest.mark.parametrize(("name", "ready"), [("scores-csv", 200), ("scores-xlsx", 302)])  # the workbook: the worker
@pytest.mark.parametrize("who, status", [("staff_a", 403), ("staff_b", 403), ("admin", 200)])
def test_export_access(login, cast, name, ready, who, status):
    assert login(getattr(cast, who)).get(reverse(name)).status_code == (ready if status == 200 else status)


@pytest.mark.parametrize("name", ["scores-csv", "scores-xlsx"])
def test_exports_answer_get_only_and_need_a_login(client, login, cast, name):
    assert client.get(reverse(name)).status_code == 302
    assert login(cast.viewer).post(reverse(name)).status_code == 405


def test_the_round_table_has_a_column_per_indicator_and_each_units_total(scored):
    rows = list(csv.reader(io.StringIO(run("--round", "2563"))))
    assert rows[0] == ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ประเภท", "ตัวชี้วัดที่ 2 (คะแนนถ่วงน้ำหนัก)", "คะแนนรวม"]
    assert rows[1] == ["T-A", "กองทดสอบ ก", "ส่วนกลาง", "0.1500", "0.1500"]
    assert rows[2] == ["T-B", "สำนักงานประมงจังหวัดทดสอบ", "ส่วนภูมิภาค", "0.5000", "0.5000"]
    data = json.loads(run("--round", "2563", "--format", "json"))
    assert data[1] == {
        "code": "T-B",
        "name": "สำนักงานประมงจังหวัดทดสอบ",
        "kind": "regional",
        "indicators": {"2": "0.5000"},
        "total": "0.5000",
    }


def test_the_round_download_is_the_round_table(login, scored):
    response = login(scored.viewer).get(reverse("scores-csv"), {"round": 2563})
    assert response.content.decode("utf-8").lstrip("\ufeff") == run("--round", "2563")
    client = login(scored.viewer)
    sheet = load_workbook(io.BytesIO(built_document(client, client.get(reverse("scores-xlsx"))))).active
    assert [c.value for c in sheet[4]] == ["T-B", "สำนักงานประมงจังหวัดทดสอบ", "ส่วนภูมิภาค", 0.5, 0.5]


def test_another_groups_reviewer_cannot_export_this_indicator(login, scored):
    response = login(scored.reviewer_other).get(reverse("scores-csv"), {"indicator": scored.indicator.pk})
    assert response.status_code == 404
    round_table = login(scored.reviewer_other).get(reverse("scores-csv"), {"round": 2563}).content.decode()
    assert "ตัวชี้วัดที่ 2" not in round_table  # the round table shows only the indicators their groups supervise
