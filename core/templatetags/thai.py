"""Template filters for Thai digits, Thai dates and the fiscal year: ``{% load thai %}``.

Each filter wraps ``core.thai``. As Django expects of filters, they do not raise on bad data: None, "",
a value that is not a date, or a naive datetime (whose zone is unknown) all render as "".
Their output holds no HTML, so none of it is marked safe; autoescaping applies as usual.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import translation

from core import thai

register = template.Library()


def _when(value: object) -> date | datetime | None:
    """The value if it can be shown as a Bangkok date, else None."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None and value.utcoffset() is not None else None
    if isinstance(value, date):
        return value
    return None


@register.filter(name="thai_digits")
def thai_digits(value: object) -> str:
    """``{{ 2566|thai_digits }}`` -> ๒๕๖๖."""
    if value is None or value == "":
        return ""
    return thai.thai_digits(value)


@register.filter(name="local_digits")
def local_digits(value: object) -> str:
    """``{{ 2|local_digits }}`` -> ๒ in Thai, 2 in English (counts and numbering on pages; the memo's own
    text keeps its digits)."""
    if value is None or value == "":
        return ""
    if (translation.get_language() or "th").startswith("th"):
        return thai.thai_digits(value)
    return str(value)


@register.filter(name="thai_date")
def thai_date(value: object) -> str:
    """``{{ d|thai_date }}`` -> ๕ ตุลาคม ๒๕๖๖."""
    when = _when(value)
    return "" if when is None else thai.format_date_long(when)


@register.filter(name="thai_date_short")
def thai_date_short(value: object) -> str:
    """``{{ d|thai_date_short }}`` -> ๕ ต.ค. ๒๕๖๖."""
    when = _when(value)
    return "" if when is None else thai.format_date_short(when)


@register.filter(name="thai_datetime")
def thai_datetime(value: object) -> str:
    """``{{ dt|thai_datetime }}`` -> ๕ ตุลาคม ๒๕๖๖ เวลา ๐๙.๐๕ น. (aware datetimes only)."""
    when = _when(value)
    return thai.format_datetime(when) if isinstance(when, datetime) else ""


@register.filter(name="local_datetime")
def local_datetime(value: object) -> str:
    """``{{ dt|local_datetime }}``: ๕ ตุลาคม ๒๕๖๖ เวลา ๐๙.๐๕ น. in Thai, 5 October 2023, 09:05 in English
    (Bangkok time both)."""
    when = _when(value)
    if not isinstance(when, datetime):
        return ""
    if (translation.get_language() or "th").startswith("th"):
        return thai.format_datetime(when)
    return thai.format_datetime_en(when)


@register.filter(name="fiscal_year")
def fiscal_year(value: object) -> str:
    """``{{ d|fiscal_year }}`` -> ๒๕๖๗ for 2023-10-01."""
    when = _when(value)
    return "" if when is None else thai.thai_digits(thai.fiscal_year(when))


@register.filter(name="be_year")
def be_year(value: object) -> str:
    """``{{ d|be_year }}`` -> ๒๕๖๖ for 2023-10-05 (BE year of the Bangkok date)."""
    when = _when(value)
    return "" if when is None else thai.thai_digits(thai.calendar_year_be(when))


@register.filter(name="local_date")
def local_date(value: object, style: str = "long") -> str:
    """``{{ d|local_date }}`` / ``{{ d|local_date:"short" }}``: Thai or English by the active language.

    An unknown style is a template bug, not bad data, so it raises ValueError.
    """
    when = _when(value)
    return "" if when is None else thai.format_date(when, style=style)
