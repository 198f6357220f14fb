"""Uploading evidence in the browser (with upload.js) and downloading it back under its Thai name."""

import hashlib

from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in, make_pdf


def _upload(page: Page, path) -> None:
    form = page.locator("form.upload-form")
    form.get_by_label("ไฟล์หลักฐาน").set_input_files(path)
    form.get_by_label("วันที่ของหลักฐาน").fill("2020-08-01")
    form.get_by_role("button", name="อัปโหลด", exact=True).click()


def test_a_thai_named_file_downloads_with_its_name_and_bytes(page: Page, unit_open, tmp_path):
    path = make_pdf(tmp_path / "รายงานผลการทบทวนกระบวนการ ปี ๒๕๖๓.pdf", "thai-name")
    log_in(page, unit_open.staff_a)
    page.goto(f"/assessments/{unit_open.assessment_a.pk}/steps/1/")

    _upload(page, path)
    link = page.get_by_role("link", name=path.name).first
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    download = info.value

    assert download.suggested_filename == path.name
    assert (
        hashlib.sha256(open(download.path(), "rb").read()).hexdigest() == hashlib.sha256(path.read_bytes()).hexdigest()
    )


def test_the_upload_confirmation_is_shown_after_a_javascript_upload(page: Page, unit_open, tmp_path):
    path = make_pdf(tmp_path / "คำสั่งแต่งตั้งคณะทำงาน.pdf", "confirmation")
    log_in(page, unit_open.staff_a)
    page.goto(f"/assessments/{unit_open.assessment_a.pk}/steps/1/")

    _upload(page, path)

    expect(page.get_by_role("link", name=path.name).first).to_be_visible()
    expect(page.get_by_text(f"อัปโหลด “{path.name}” แล้ว")).to_be_visible(timeout=3000)


def test_a_refused_file_says_why_in_thai_and_is_not_listed(page: Page, unit_open, tmp_path):
    path = tmp_path / "โปรแกรมแปลงไฟล์.pdf"
    path.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)  # a Windows executable named .pdf
    log_in(page, unit_open.staff_a)
    page.goto(f"/assessments/{unit_open.assessment_a.pk}/steps/1/")

    _upload(page, path)

    expect(page.locator(".alert-danger").filter(has_text=f"ไม่รับไฟล์ “{path.name}”")).to_be_visible()
    expect(page.get_by_role("link", name=path.name)).to_have_count(0)


def test_the_date_picker_echoes_the_chosen_date_in_the_buddhist_era(page: Page, unit_open):
    log_in(page, unit_open.staff_a)
    page.goto(f"/assessments/{unit_open.assessment_a.pk}/steps/1/")
    form = page.locator("form.upload-form")
    form.get_by_label("วันที่ของหลักฐาน").fill("2020-06-15")
    expect(form.locator(".be-date")).to_have_text("15 มิถุนายน 2563")
    page.get_by_role("button", name="English").click()
    page.goto(f"/assessments/{unit_open.assessment_a.pk}/steps/1/")
    date = page.locator("form.upload-form input[type=date]")
    date.fill("2020-09-15")
    expect(page.locator("form.upload-form .be-date")).to_have_text("15 September B.E. 2563")
