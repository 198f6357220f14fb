"""The whole round in a real browser: a unit's staff fills steps 1-3 with Thai-named files and
submits them; a reviewer returns step 3 with a comment; the staff sees the comment, fixes it and
submits again; the reviewer accepts; the staff downloads the score report and the E-saraban
package; the dashboard shows the new level."""

import hashlib
import re
import zipfile

from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in, make_pdf

RETURN_COMMENT = "หลักฐานชิ้นงานที่ 2 ยังไม่มีรายชื่อผู้เข้าร่วมประชุม กรุณาแนบเพิ่ม"


def open_step(page: Page, number: int) -> None:
    page.locator(".stepper").get_by_role("link", name=f"ขั้นตอนที่ {number}").click()
    expect(page.get_by_role("heading", name=re.compile(rf"^ขั้นตอนที่ {number}"))).to_be_visible()


def save(page: Page) -> None:
    page.get_by_role("button", name="บันทึก", exact=True).click()
    expect(page.locator(".alert-success").first).to_be_visible()


def upload(page: Page, path, *, work_item: str | None = None) -> None:
    form = page.locator("form.upload-form")
    form.get_by_label("ไฟล์หลักฐาน").set_input_files(path)
    form.get_by_label("วันที่ของหลักฐาน").fill("2020-08-01")
    if work_item is not None:
        select = form.get_by_label("เป็นหลักฐานของชิ้นงาน")
        select.select_option(value=select.locator("option", has_text=work_item).get_attribute("value"))
    form.get_by_role("button", name="อัปโหลด", exact=True).click()
    expect(page.get_by_text(f"อัปโหลด “{path.name}” แล้ว")).to_be_visible()
    expect(page.get_by_role("link", name=path.name).first).to_be_visible()


def submit(page: Page, number: int) -> None:
    page.get_by_role("button", name="ส่งขั้นตอนนี้").click()
    expect(page.get_by_text(f"ส่งขั้นตอนที่ {number} แล้ว")).to_be_visible()
    expect(page.locator(".status-badge").first).to_have_text("ส่งแล้ว รอตรวจ")


def back_to_unit(page: Page, unit_name: str) -> None:
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=unit_name).click()


def fill_work_item(page: Page, index: int, *, date: str, topic: str, platform: str, participants: str, count: str):
    row = page.locator("fieldset.row-form").nth(index)
    row.get_by_label("วันที่ดำเนินการ").fill(date)
    row.get_by_label("รูปแบบ").select_option(label="ประชุมด้วยระบบประชุมอิเล็กทรอนิกส์ (e-Meeting)")
    row.get_by_label("ช่องทาง/แพลตฟอร์ม").select_option(label=platform)
    row.get_by_label("เรื่อง").fill(topic)
    row.get_by_label(re.compile(r"^\s*ผู้เข้าร่วม")).select_option(label=participants)
    row.get_by_label("จำนวนผู้เข้าร่วม (คน)").fill(count)


def decide(page: Page, unit_name: str, step: int, *, accept: bool, comment: str = "") -> None:
    page.goto("/review/")
    row = page.get_by_role("row").filter(has_text=unit_name).filter(has_text=f"ขั้นตอนที่ {step}")
    row.get_by_role("link", name="พิจารณา").click()
    page.get_by_label("ผ่าน" if accept else "ส่งกลับให้แก้ไข", exact=True).check()
    if comment:
        page.get_by_label("ความเห็น / สิ่งที่ต้องแก้ไข").fill(comment)
    page.get_by_role("button", name="บันทึกผลการพิจารณา").click()
    expect(page.locator(".alert-success").first).to_contain_text(f"ขั้นตอนที่ {step}")


def test_a_unit_goes_from_nothing_to_level_three_through_a_return(open_page, unit_open, tmp_path):
    cast = unit_open
    unit = cast.unit_a.name
    staff, reviewer = open_page(), open_page()

    # Staff: steps 1-3, each with evidence whose file name is Thai, then submitted.
    log_in(staff, cast.staff_a)
    staff.get_by_role("link", name="ตัวชี้วัดที่ 2").click()  # from the unit's round page to the indicator
    open_step(staff, 1)
    staff.get_by_label("สรุปผลการทบทวนกระบวนการงาน").fill("ทบทวนกระบวนการงานทั้ง 12 กระบวนการของกองแล้ว")
    save(staff)
    upload(staff, make_pdf(tmp_path / "คำสั่งแต่งตั้งคณะทำงานทบทวนกระบวนการ.pdf", "order"))
    submit(staff, 1)

    back_to_unit(staff, unit)
    open_step(staff, 2)
    first = staff.locator("fieldset.row-form").nth(0)
    first.get_by_label("ชื่อกระบวนการงาน").fill("การออกใบอนุญาตทำการประมง")
    first.get_by_label("เทคโนโลยีดิจิทัลที่นำมาใช้ได้").fill("ระบบยื่นคำขอออนไลน์")
    first.get_by_label("เลือกนำเทคโนโลยีดิจิทัลมาใช้กับกระบวนการนี้").check()
    save(staff)
    upload(staff, make_pdf(tmp_path / "บัญชีรายชื่อกระบวนการงาน.pdf", "processes"))
    submit(staff, 2)

    back_to_unit(staff, unit)
    open_step(staff, 3)
    fill_work_item(
        staff,
        0,
        date="2020-06-10",
        topic="ประชุมชี้แจงเกษตรกรผู้เลี้ยงกุ้ง",
        platform="Zoom",
        participants="เกษตรกร",
        count="35",
    )
    save(staff)
    fill_work_item(
        staff,
        1,
        date="2020-07-02",
        topic="ประชุมประจำเดือนของกอง",
        platform="LINE",
        participants="บุคลากรในหน่วยงาน",
        count="18",
    )
    save(staff)
    upload(staff, make_pdf(tmp_path / "รายงานการประชุมผ่าน Zoom.pdf", "zoom"), work_item="ประชุมชี้แจงเกษตรกร")
    upload(staff, make_pdf(tmp_path / "ภาพหน้าจอการประชุม LINE.pdf", "line"), work_item="ประชุมประจำเดือน")
    submit(staff, 3)

    # Reviewer: step 3 goes back with a comment.
    log_in(reviewer, cast.reviewer)
    decide(reviewer, unit, 3, accept=False, comment=RETURN_COMMENT)

    # Staff: the comment is on the unit's step 3; add the missing evidence and send it again.
    staff.goto(f"/assessments/{cast.assessment_a.pk}/")
    open_step(staff, 3)
    expect(staff.locator(".status-badge").first).to_have_text("ส่งกลับให้แก้ไข")
    expect(staff.get_by_text(RETURN_COMMENT)).to_be_visible()
    upload(staff, make_pdf(tmp_path / "รายชื่อผู้เข้าร่วมประชุม.pdf", "attendees"), work_item="ประชุมประจำเดือน")
    submit(staff, 3)

    # Reviewer: everything accepted.
    for step in (1, 2, 3):
        decide(reviewer, unit, step, accept=True)

    # Staff: level 3 on the unit's page (central unit: 3 x 5% = 0.1500).
    staff.goto(f"/assessments/{cast.assessment_a.pk}/")
    expect(staff.locator(".score-big")).to_have_text("ระดับ 3")
    expect(staff.get_by_text("0.1500")).to_be_visible()

    # Staff: the score report (PDF) and, after filling in the cover memo, the E-saraban package.
    with staff.expect_download() as report:
        staff.get_by_role("button", name="ดาวน์โหลดรายงานผลคะแนน (PDF)").click()
    assert open(report.value.path(), "rb").read(5) == b"%PDF-"
    staff.get_by_role("link", name="จัดทำบันทึกข้อความนำส่ง").click()
    staff.get_by_label("ที่ (เลขที่หนังสือ)").fill("กษ 0509/123")
    staff.get_by_label("วันที่", exact=False).first.fill("2020-09-10")
    staff.get_by_label(re.compile(r"^\s*ผู้ลงนาม")).fill("นายสมชาย ใจดี")
    staff.get_by_label("ตำแหน่งผู้ลงนาม").fill("ผู้อำนวยการกองทดสอบ ก")
    staff.get_by_role("button", name="บันทึกและจัดทำบันทึกข้อความ").click()
    expect(staff.get_by_text("บันทึกข้อความพร้อมแล้ว")).to_be_visible()
    with staff.expect_download() as package:
        staff.get_by_role("link", name="ชุดเอกสาร E-saraban (ZIP)").click()
    with zipfile.ZipFile(package.value.path()) as archive:
        names = archive.namelist()
        digests = {hashlib.sha256(archive.read(name)).hexdigest() for name in names}
    for sent in ("คำสั่งแต่งตั้งคณะทำงานทบทวนกระบวนการ.pdf", "รายชื่อผู้เข้าร่วมประชุม.pdf"):
        assert any(name.endswith(sent) for name in names), names
        assert hashlib.sha256((tmp_path / sent).read_bytes()).hexdigest() in digests
    assert sum(name.endswith(".pdf") for name in names) >= 7  # memo, report and five evidence files

    # The dashboard shows the new level for the unit.
    reviewer.goto(f"/indicators/{cast.indicator.pk}/dashboard/")
    row = reviewer.get_by_role("row").filter(has=reviewer.get_by_role("link", name=unit))
    expect(row.locator("td.status-accepted")).to_have_count(3)
    expect(row).to_contain_text("0.1500")
