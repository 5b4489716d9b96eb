"""Thai locale helpers: Thai digits, Buddhist Era years, Thai dates and the government fiscal year.

Everything is shown in Bangkok time (UTC+7). All functions are pure; only ``format_date`` asks Django for
the active language, and only when it is not told one, so the module imports without Django settings.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from typing import Final

BANGKOK: Final = zoneinfo.ZoneInfo("Asia/Bangkok")

#: Years between the Common Era and the Thai Buddhist Era (พุทธศักราช).
BE_OFFSET: Final = 543

THAI_MONTHS: Final[tuple[str, ...]] = (
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
THAI_MONTHS_ABBR: Final[tuple[str, ...]] = (
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
ENGLISH_MONTHS: Final[tuple[str, ...]] = (
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
ENGLISH_MONTHS_ABBR: Final[tuple[str, ...]] = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

DIGIT_STYLES: Final = ("thai", "arabic")
DATE_STYLES: Final = ("long", "short")

_TO_THAI: Final = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_TO_ARABIC: Final = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def thai_digits(value: object) -> str:
    """Return ``str(value)`` with the ASCII digits 0-9 replaced by Thai digits ๐-๙."""
    return str(value).translate(_TO_THAI)


def arabic_digits(text: str) -> str:
    """Return ``text`` with Thai digits ๐-๙ replaced by ASCII digits 0-9."""
    return text.translate(_TO_ARABIC)


def be_year(year_ce: int) -> int:
    """Buddhist Era year of a Common Era year (2023 -> 2566)."""
    return year_ce + BE_OFFSET


def ce_year(year_be: int) -> int:
    """Common Era year of a Buddhist Era year (2566 -> 2023)."""
    return year_be - BE_OFFSET


def bangkok_now() -> datetime:
    """The current time, aware, in Bangkok."""
    return datetime.now(BANGKOK)


def to_bangkok(dt: datetime) -> datetime:
    """Convert an aware datetime to Bangkok time; a naive datetime is refused, since its zone is unknown."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        raise ValueError(
            f"to_bangkok() needs a timezone-aware datetime, got naive {dt.isoformat()}; "
            "attach its zone first (memoflow stores UTC)."
        )
    return dt.astimezone(BANGKOK)


def bangkok_date(value: date | datetime) -> date:
    """The calendar date in Bangkok: a datetime is converted to Bangkok first; a date is returned as is."""
    if isinstance(value, datetime):
        return to_bangkok(value).date()
    return value


def _check_digits(digits: str) -> None:
    if digits not in DIGIT_STYLES:
        raise ValueError(f"digits must be one of {DIGIT_STYLES}, got {digits!r}")


def _digits(text: str, digits: str) -> str:
    """``text`` in the requested digits; ``digits`` must already be checked."""
    return thai_digits(text) if digits == "thai" else text


def format_date_long(value: date | datetime, *, digits: str = "thai") -> str:
    """Thai long date with the BE year: ``"๕ ตุลาคม ๒๕๖๖"`` (``"5 ตุลาคม 2566"`` with digits="arabic")."""
    _check_digits(digits)
    d = bangkok_date(value)
    return _digits(f"{d.day} {THAI_MONTHS[d.month - 1]} {be_year(d.year)}", digits)


def format_date_short(value: date | datetime, *, digits: str = "thai") -> str:
    """Thai short date with the BE year: ``"๕ ต.ค. ๒๕๖๖"``."""
    _check_digits(digits)
    d = bangkok_date(value)
    return _digits(f"{d.day} {THAI_MONTHS_ABBR[d.month - 1]} {be_year(d.year)}", digits)


def format_datetime(value: datetime, *, digits: str = "thai") -> str:
    """Thai official date and time in Bangkok: ``"๕ ตุลาคม ๒๕๖๖ เวลา ๐๙.๐๕ น."``."""
    _check_digits(digits)
    local = to_bangkok(value)
    text = f"{format_date_long(local, digits='arabic')} เวลา {local.hour:02d}.{local.minute:02d} น."
    return _digits(text, digits)


def format_date_long_en(value: date | datetime) -> str:
    """English long date, Gregorian year, Bangkok time: ``"5 October 2023"``."""
    d = bangkok_date(value)
    return f"{d.day} {ENGLISH_MONTHS[d.month - 1]} {d.year}"


def format_datetime_en(value: datetime) -> str:
    """English date and time in Bangkok: ``"5 October 2023, 09:05"``."""
    local = to_bangkok(value)
    return f"{format_date_long_en(local)}, {local.hour:02d}:{local.minute:02d}"


def format_date_short_en(value: date | datetime) -> str:
    """English short date, Gregorian year, Bangkok time: ``"5 Oct 2023"``."""
    d = bangkok_date(value)
    return f"{d.day} {ENGLISH_MONTHS_ABBR[d.month - 1]} {d.year}"


def format_date(
    value: date | datetime, *, style: str = "long", language: str | None = None, digits: str = "thai"
) -> str:
    """Date in the user's language: English forms (Arabic digits) if ``language`` starts with "en",
    Thai forms otherwise. ``language`` defaults to Django's active language; ``style`` is "long" or "short".
    """
    if style not in DATE_STYLES:
        raise ValueError(f"style must be one of {DATE_STYLES}, got {style!r}")
    _check_digits(digits)
    if language is None:
        from django.utils.translation import get_language  # lazy: keeps this module free of settings

        language = get_language() or ""
    if language.lower().startswith("en"):
        return format_date_long_en(value) if style == "long" else format_date_short_en(value)
    if style == "long":
        return format_date_long(value, digits=digits)
    return format_date_short(value, digits=digits)


def fiscal_year(value: date | datetime) -> int:
    """Thai government fiscal year (1 October - 30 September), named by the BE year in which it ends."""
    d = bangkok_date(value)
    return be_year(d.year + 1 if d.month >= 10 else d.year)


def fiscal_year_bounds(year_be: int) -> tuple[date, date]:
    """First and last day of a fiscal year: 2566 -> (2022-10-01, 2023-09-30)."""
    year_ce = ce_year(year_be)
    return date(year_ce - 1, 10, 1), date(year_ce, 9, 30)


def calendar_year_be(value: date | datetime) -> int:
    """BE calendar year of the Bangkok date."""
    return be_year(bangkok_date(value).year)
