"""Thai calendar and numeral helpers.

Government documents write dates in the Buddhist Era (B.E. = C.E. + 543),
often with Thai digits: "๑๕ กันยายน ๒๕๖๓". The fiscal year B.E. Y runs from
1 October of B.E. Y-1 to 30 September of B.E. Y.
"""

import datetime as dt
from zoneinfo import ZoneInfo

BE_OFFSET = 543
BANGKOK = ZoneInfo("Asia/Bangkok")

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)

_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def to_thai_digits(value: object) -> str:
    """Replace Arabic digits with Thai digits; other characters are kept."""
    return str(value).translate(_TO_THAI)


def to_arabic_digits(value: str) -> str:
    """Replace Thai digits with Arabic digits; other characters are kept."""
    return value.translate(_TO_ARABIC)


def be_year(ce_year: int) -> int:
    return ce_year + BE_OFFSET


def ce_year(be: int) -> int:
    return be - BE_OFFSET


def _as_local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(BANGKOK)
        return value.date()
    return value


def thai_date(value: dt.date | dt.datetime, *, short: bool = False, thai_digits: bool = False) -> str:
    """'15 กันยายน 2563' (or '15 ก.ย. 2563' when short). Aware datetimes are read in Bangkok time."""
    day = _as_local_date(value)
    months = THAI_MONTHS_SHORT if short else THAI_MONTHS
    text = f"{day.day} {months[day.month - 1]} {be_year(day.year)}"
    return to_thai_digits(text) if thai_digits else text


ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def english_be_date(value: dt.date | dt.datetime, *, short: bool = False) -> str:
    """'15 September B.E. 2563' (or '15 Sep B.E. 2563'): the English interface keeps the Buddhist Era,
    as Thai government documents in English do, so fiscal years and dates read alike."""
    day = _as_local_date(value)
    month = ENGLISH_MONTHS[day.month - 1]
    return f"{day.day} {month[:3] if short else month} B.E. {be_year(day.year)}"


def thai_datetime(value: dt.datetime, *, thai_digits: bool = False) -> str:
    """'15 ก.ย. 2563 14:05 น.' in Bangkok time."""
    local = value.astimezone(BANGKOK) if value.tzinfo else value
    text = f"{thai_date(local, short=True)} {local:%H:%M} น."
    return to_thai_digits(text) if thai_digits else text


def fiscal_year_be(value: dt.date | dt.datetime) -> int:
    """The Thai fiscal year (B.E.) a date falls in: 1 October starts the next one."""
    day = _as_local_date(value)
    year = day.year + 1 if day.month >= 10 else day.year
    return be_year(year)


def fiscal_year_bounds(fiscal_be: int) -> tuple[dt.date, dt.date]:
    """First and last day (C.E. dates) of fiscal year B.E. fiscal_be."""
    end_year = ce_year(fiscal_be)
    return dt.date(end_year - 1, 10, 1), dt.date(end_year, 9, 30)
