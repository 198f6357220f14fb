import datetime as dt

import pytest

from kpi_tracker.lib import thai


def test_thai_date_in_buddhist_era():
    assert thai.thai_date(dt.date(2020, 9, 15)) == "15 กันยายน 2563"
    assert thai.thai_date(dt.date(2020, 9, 15), short=True) == "15 ก.ย. 2563"
    assert thai.thai_date(dt.date(2020, 9, 15), thai_digits=True) == "๑๕ กันยายน ๒๕๖๓"


def test_aware_datetime_is_read_in_bangkok():
    # 17:30 UTC on 14 September is 00:30 on 15 September in Bangkok.
    moment = dt.datetime(2020, 9, 14, 17, 30, tzinfo=dt.UTC)
    assert thai.thai_date(moment) == "15 กันยายน 2563"
    assert thai.thai_datetime(moment) == "15 ก.ย. 2563 00:30 น."


def test_digits_both_ways():
    assert thai.to_thai_digits("7714 / 2563") == "๗๗๑๔ / ๒๕๖๓"
    assert thai.to_arabic_digits("๗๗๑๔ / ๒๕๖๓") == "7714 / 2563"
    assert thai.to_arabic_digits(thai.to_thai_digits("0123456789")) == "0123456789"


@pytest.mark.parametrize(
    "day, fiscal_year",
    [
        (dt.date(2019, 9, 30), 2562),
        (dt.date(2019, 10, 1), 2563),  # 1 October starts the next fiscal year
        (dt.date(2020, 9, 30), 2563),
        (dt.date(2020, 10, 1), 2564),
        (dt.date(2020, 1, 1), 2563),
    ],
)
def test_fiscal_year_boundaries(day, fiscal_year):
    assert thai.fiscal_year_be(day) == fiscal_year


def test_fiscal_year_of_an_aware_datetime_uses_bangkok_time():
    # 30 Sep 20:00 UTC is already 1 Oct 03:00 in Bangkok.
    assert thai.fiscal_year_be(dt.datetime(2020, 9, 30, 20, 0, tzinfo=dt.UTC)) == 2564


def test_fiscal_year_bounds():
    assert thai.fiscal_year_bounds(2563) == (dt.date(2019, 10, 1), dt.date(2020, 9, 30))


def test_english_dates_keep_the_buddhist_era():
    assert thai.english_be_date(dt.date(2020, 9, 15)) == "15 September B.E. 2563"
    assert thai.english_be_date(dt.date(2020, 9, 15), short=True) == "15 Sep B.E. 2563"
