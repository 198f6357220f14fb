"""Where the reports are exported from: the dashboard and the review pages (the unit page: test_memo.py)."""

import datetime as dt

from django.urls import reverse

from milestones.services.filings import filing_record
from milestones.tests.factories import ACCEPTED_AT, progress_of, sample_filing, submit


def test_the_dashboard_offers_the_department_summary(cast, login):
    page = login(cast.reviewer).get(reverse("indicator-dashboard", args=[cast.indicator.pk])).text
    assert f"{reverse('report-summary')}?indicator={cast.indicator.pk}" in page
    assert "digits=thai" in page


def test_the_review_page_links_the_units_report_and_shows_its_esaraban_number(cast, login, before_deadline):
    submit(cast.assessment_a, 1, cast.staff_a, at=ACCEPTED_AT)
    filing = sample_filing(cast.assessment_a, cast.staff_a, signer_position="ผู้อำนวยการ")
    url = reverse("review-step", args=[progress_of(cast.assessment_a, 1).pk])
    page = login(cast.reviewer).get(url).text
    assert reverse("report-unit", args=[cast.assessment_a.pk]) in page
    assert reverse("report-memo", args=[filing.pk]) in page
    assert "ยังไม่ได้บันทึกเลขที่ E-saraban" in page
    filing_record(filing=filing, user=cast.staff_a, esaraban_number="กษ 0509/ว 77", esaraban_date=dt.date(2020, 9, 2))
    page = login(cast.reviewer).get(url).text
    assert "กษ 0509/ว 77" in page and "2 ก.ย. 2563" in page
