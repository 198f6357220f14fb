"""Template filters for Thai dates and digits (presentation only)."""

import datetime as dt
from decimal import Decimal

from django import template
from django.utils import translation

from kpi_tracker.lib import thai

register = template.Library()


@register.filter
def thaidate(value, arg: str = ""):
    """{{ d|thaidate }} → '15 กันยายน 2563'; {{ d|thaidate:"short" }} → '15 ก.ย. 2563'."""
    if not value:
        return ""
    if translation.get_language() == "en":
        return thai.english_be_date(value, short=arg == "short")
    return thai.thai_date(value, short=arg == "short")


@register.filter
def thaidatetime(value):
    if not value:
        return ""
    english = translation.get_language() == "en"
    if isinstance(value, dt.datetime):
        if english:
            local = value.astimezone(thai.BANGKOK) if value.tzinfo else value
            return f"{thai.english_be_date(local, short=True)} {local:%H:%M}"
        return thai.thai_datetime(value)
    return thai.english_be_date(value, short=True) if english else thai.thai_date(value, short=True)


@register.filter
def thaidigits(value):
    return thai.to_thai_digits(value)


@register.filter
def score4(value):
    """A weighted score as Thai KPI reports show it: 4 decimal places."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):.4f}"


@register.filter
def score_plain(value):
    """A score without trailing zeros: 3.00 → 3, 2.50 → 2.5."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    return f"{number:f}"
