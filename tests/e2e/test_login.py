"""A person logs in through the browser and lands where their role belongs."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import log_in, log_out


def test_staff_logs_in_and_lands_on_their_units_page(page: Page, unit_open):
    log_in(page, unit_open.staff_a)

    # The round page: every indicator that applies to the unit, and its total.
    expect(page).to_have_url(re.compile(rf"/rounds/2563/units/{unit_open.unit_a.pk}/$"))
    expect(page.get_by_role("heading", name=unit_open.unit_a.name)).to_be_visible()
    expect(page.get_by_text("คะแนนรวมของรอบ")).to_be_visible()
    page.get_by_role("link", name="ตัวชี้วัดที่ 2").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{unit_open.assessment_a.pk}/$"))
    expect(page.get_by_text("ได้รับการขยายเวลา")).to_be_visible()
    for number in range(1, 6):
        expect(page.locator(".stepper").get_by_text(f"ขั้นตอนที่ {number}")).to_be_visible()


def test_wrong_password_keeps_the_person_on_the_login_page(page: Page, unit_open):
    log_in(page, unit_open.staff_a, password="not-the-password")

    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("button", name="เข้าสู่ระบบ")).to_be_visible()
    expect(page.get_by_role("button", name="ออกจากระบบ")).to_have_count(0)


def test_staff_cannot_open_another_units_page(page: Page, unit_open):
    log_in(page, unit_open.staff_a)

    response = page.goto(f"/assessments/{unit_open.assessment_b.pk}/")

    assert response.status == 404
    expect(page.get_by_text(unit_open.unit_b.name)).to_have_count(0)


def test_reviewer_lands_on_the_overview_and_logs_out(page: Page, unit_open):
    log_in(page, unit_open.reviewer)

    expect(page).to_have_url(re.compile(r"/overview/"))
    expect(page.get_by_text(unit_open.unit_a.name).first).to_be_visible()
    log_out(page)
    expect(page.get_by_label("ชื่อผู้ใช้")).to_be_visible()
