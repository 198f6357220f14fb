import datetime as dt

import pytest

from kpi_tracker.lib import thai
from kpi_tracker.lib.thai import BANGKOK


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


def test_deadline_last_second_and_first_second_after():
    deadline = dt.date(2020, 9, 15)
    last_second = dt.datetime(2020, 9, 15, 23, 59, 59, tzinfo=BANGKOK)
    first_after = dt.datetime(2020, 9, 16, 0, 0, 0, tzinfo=BANGKOK)
    assert not thai.is_past_deadline(deadline, last_second)
    assert thai.is_past_deadline(deadline, first_after)
    # The same instants seen from UTC.
    assert not thai.is_past_deadline(deadline, dt.datetime(2020, 9, 15, 16, 59, 59, tzinfo=dt.UTC))
    assert thai.is_past_deadline(deadline, dt.datetime(2020, 9, 15, 17, 0, 0, tzinfo=dt.UTC))


def test_days_left():
    deadline = dt.date(2020, 9, 15)
    assert thai.days_left(deadline, dt.datetime(2020, 9, 8, 9, 0, tzinfo=BANGKOK)) == 7
    assert thai.days_left(deadline, dt.datetime(2020, 9, 15, 23, 0, tzinfo=BANGKOK)) == 0
    assert thai.days_left(deadline, dt.datetime(2020, 9, 16, 0, 1, tzinfo=BANGKOK)) == -1


def test_english_dates_keep_the_buddhist_era():
    assert thai.english_be_date(dt.date(2020, 9, 15)) == "15 September B.E. 2563"
    assert thai.english_be_date(dt.date(2020, 9, 15), short=True) == "15 Sep B.E. 2563"
