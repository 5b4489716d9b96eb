"""Tests for core.thai: what a Thai (or English) reader sees for digits, years, dates and fiscal years.

These need no Django settings: run them alone with ``pytest core/tests/test_thai.py -p no:django``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from core import thai

UTC_PLUS_9 = timezone(timedelta(hours=9))


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- digits ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0123456789", "๐๑๒๓๔๕๖๗๘๙"),
        (2566, "๒๕๖๖"),
        (0, "๐"),
        (-12, "-๑๒"),
        (3.5, "๓.๕"),
        ("ที่ อว 0601/123", "ที่ อว ๐๖๐๑/๑๒๓"),
        ("09.05 น.", "๐๙.๐๕ น."),
        ("no digits", "no digits"),
        ("", ""),
        ("๒๕๖๖", "๒๕๖๖"),
        (None, "None"),
    ],
)
def test_thai_digits(value: object, expected: str) -> None:
    assert thai.thai_digits(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("๐๑๒๓๔๕๖๗๘๙", "0123456789"),
        ("ที่ อว ๐๖๐๑/๑๒๓", "ที่ อว 0601/123"),
        ("๕ ตุลาคม ๒๕๖๖", "5 ตุลาคม 2566"),
        ("2566", "2566"),
        ("", ""),
    ],
)
def test_arabic_digits(text: str, expected: str) -> None:
    assert thai.arabic_digits(text) == expected


@pytest.mark.parametrize("text", ["0", "9", "2566", "ที่ 0601/123 ลงวันที่ 5", "x1y2z3"])
def test_digits_round_trip(text: str) -> None:
    assert thai.arabic_digits(thai.thai_digits(text)) == text


def test_thai_digits_only_touch_ascii_digits() -> None:
    # Other Unicode decimal digits (here Arabic-Indic) are not ASCII 0-9 and stay as they are.
    assert thai.thai_digits("٣") == "٣"


# --- Buddhist Era --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("ce", "be"), [(2023, 2566), (2024, 2567), (1957, 2500), (2000, 2543), (1, 544)])
def test_be_year_both_ways(ce: int, be: int) -> None:
    assert thai.be_year(ce) == be
    assert thai.ce_year(be) == ce


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2023, 12, 31), 2566),
        (date(2024, 1, 1), 2567),
        (utc(2023, 12, 31, 16, 59), 2566),  # 23:59 in Bangkok
        (utc(2023, 12, 31, 17, 0), 2567),  # 00:00 on 1 January in Bangkok
        (datetime(2024, 1, 1, 1, 0, tzinfo=UTC_PLUS_9), 2566),  # 23:00 on 31 December in Bangkok
    ],
)
def test_calendar_year_be_at_new_year(value: date, expected: int) -> None:
    assert thai.calendar_year_be(value) == expected


# --- month names ------------------------------------------------------------------------------------------

MONTHS = [
    (1, "มกราคม", "ม.ค.", "January", "Jan"),
    (2, "กุมภาพันธ์", "ก.พ.", "February", "Feb"),
    (3, "มีนาคม", "มี.ค.", "March", "Mar"),
    (4, "เมษายน", "เม.ย.", "April", "Apr"),
    (5, "พฤษภาคม", "พ.ค.", "May", "May"),
    (6, "มิถุนายน", "มิ.ย.", "June", "Jun"),
    (7, "กรกฎาคม", "ก.ค.", "July", "Jul"),
    (8, "สิงหาคม", "ส.ค.", "August", "Aug"),
    (9, "กันยายน", "ก.ย.", "September", "Sep"),
    (10, "ตุลาคม", "ต.ค.", "October", "Oct"),
    (11, "พฤศจิกายน", "พ.ย.", "November", "Nov"),
    (12, "ธันวาคม", "ธ.ค.", "December", "Dec"),
]


@pytest.mark.parametrize(("month", "full", "abbr", "en_full", "en_abbr"), MONTHS)
def test_every_month_name(month: int, full: str, abbr: str, en_full: str, en_abbr: str) -> None:
    day = date(2024, month, 15)
    assert thai.THAI_MONTHS[month - 1] == full
    assert thai.THAI_MONTHS_ABBR[month - 1] == abbr
    assert thai.format_date_long(day) == f"๑๕ {full} ๒๕๖๗"
    assert thai.format_date_short(day) == f"๑๕ {abbr} ๒๕๖๗"
    assert thai.format_date_long_en(day) == f"15 {en_full} 2024"
    assert thai.format_date_short_en(day) == f"15 {en_abbr} 2024"


def test_month_tables_have_twelve_distinct_names() -> None:
    for table in (thai.THAI_MONTHS, thai.THAI_MONTHS_ABBR, thai.ENGLISH_MONTHS, thai.ENGLISH_MONTHS_ABBR):
        assert len(table) == 12
        assert len(set(table)) == 12


# --- Bangkok time ----------------------------------------------------------------------------------------


def test_bangkok_is_utc_plus_seven() -> None:
    assert utc(2023, 10, 5, 2, 5).astimezone(thai.BANGKOK).utcoffset() == timedelta(hours=7)


def test_bangkok_now_is_aware_bangkok_time() -> None:
    before = datetime.now(UTC)
    now = thai.bangkok_now()
    after = datetime.now(UTC)
    assert now.tzinfo is thai.BANGKOK
    assert now.utcoffset() == timedelta(hours=7)
    assert before <= now <= after


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (utc(2023, 10, 5, 2, 5), datetime(2023, 10, 5, 9, 5)),
        (utc(2023, 12, 31, 17, 0), datetime(2024, 1, 1, 0, 0)),
        (datetime(2023, 10, 5, 11, 5, tzinfo=UTC_PLUS_9), datetime(2023, 10, 5, 9, 5)),
    ],
)
def test_to_bangkok(value: datetime, expected: datetime) -> None:
    local = thai.to_bangkok(value)
    assert local.tzinfo is thai.BANGKOK
    assert local.replace(tzinfo=None) == expected
    assert local == value  # the same instant


@pytest.mark.parametrize(
    "call",
    [
        thai.to_bangkok,
        thai.bangkok_date,
        thai.format_date_long,
        thai.format_date_short,
        thai.format_datetime,
        thai.format_date_long_en,
        thai.fiscal_year,
        thai.calendar_year_be,
    ],
)
def test_naive_datetime_is_refused(call: Callable[[datetime], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        call(datetime(2023, 10, 5, 9, 5))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2023, 10, 5), date(2023, 10, 5)),
        (utc(2023, 10, 4, 16, 59), date(2023, 10, 4)),
        (utc(2023, 10, 4, 17, 0), date(2023, 10, 5)),
        (utc(2023, 10, 4, 18, 0), date(2023, 10, 5)),
    ],
)
def test_bangkok_date(value: date, expected: date) -> None:
    result = thai.bangkok_date(value)
    assert result == expected
    assert type(result) is date


# --- Thai date formats --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "long", "short"),
    [
        (date(2023, 10, 5), "๕ ตุลาคม ๒๕๖๖", "๕ ต.ค. ๒๕๖๖"),
        (utc(2023, 10, 4, 18, 0), "๕ ตุลาคม ๒๕๖๖", "๕ ต.ค. ๒๕๖๖"),  # 01:00 the next day in Bangkok
        (date(2023, 10, 25), "๒๕ ตุลาคม ๒๕๖๖", "๒๕ ต.ค. ๒๕๖๖"),
        (date(2023, 12, 31), "๓๑ ธันวาคม ๒๕๖๖", "๓๑ ธ.ค. ๒๕๖๖"),
        (date(2024, 1, 1), "๑ มกราคม ๒๕๖๗", "๑ ม.ค. ๒๕๖๗"),
        (utc(2023, 12, 31, 16, 59), "๓๑ ธันวาคม ๒๕๖๖", "๓๑ ธ.ค. ๒๕๖๖"),
        (utc(2023, 12, 31, 17, 0), "๑ มกราคม ๒๕๖๗", "๑ ม.ค. ๒๕๖๗"),
        (date(2024, 2, 29), "๒๙ กุมภาพันธ์ ๒๕๖๗", "๒๙ ก.พ. ๒๕๖๗"),
        (date(2023, 9, 30), "๓๐ กันยายน ๒๕๖๖", "๓๐ ก.ย. ๒๕๖๖"),
    ],
)
def test_thai_dates(value: date, long: str, short: str) -> None:
    assert thai.format_date_long(value) == long
    assert thai.format_date_short(value) == short


@pytest.mark.parametrize(
    ("value", "long", "short"),
    [
        (date(2023, 10, 5), "5 ตุลาคม 2566", "5 ต.ค. 2566"),
        (utc(2023, 12, 31, 17, 0), "1 มกราคม 2567", "1 ม.ค. 2567"),
    ],
)
def test_thai_dates_with_arabic_digits(value: date, long: str, short: str) -> None:
    assert thai.format_date_long(value, digits="arabic") == long
    assert thai.format_date_short(value, digits="arabic") == short


@pytest.mark.parametrize(
    ("value", "expected_thai", "expected_arabic"),
    [
        (utc(2023, 10, 5, 2, 5), "๕ ตุลาคม ๒๕๖๖ เวลา ๐๙.๐๕ น.", "5 ตุลาคม 2566 เวลา 09.05 น."),
        (utc(2023, 10, 5, 6, 30), "๕ ตุลาคม ๒๕๖๖ เวลา ๑๓.๓๐ น.", "5 ตุลาคม 2566 เวลา 13.30 น."),
        (utc(2023, 12, 31, 17, 0), "๑ มกราคม ๒๕๖๗ เวลา ๐๐.๐๐ น.", "1 มกราคม 2567 เวลา 00.00 น."),
        (utc(2023, 12, 31, 16, 59), "๓๑ ธันวาคม ๒๕๖๖ เวลา ๒๓.๕๙ น.", "31 ธันวาคม 2566 เวลา 23.59 น."),
        (
            datetime(2024, 2, 29, 10, 0, tzinfo=UTC_PLUS_9),
            "๒๙ กุมภาพันธ์ ๒๕๖๗ เวลา ๐๘.๐๐ น.",
            "29 กุมภาพันธ์ 2567 เวลา 08.00 น.",
        ),
    ],
)
def test_format_datetime(value: datetime, expected_thai: str, expected_arabic: str) -> None:
    assert thai.format_datetime(value) == expected_thai
    assert thai.format_datetime(value, digits="arabic") == expected_arabic


@pytest.mark.parametrize("digits", ["latin", "Thai", "", "arabic "])
@pytest.mark.parametrize(
    ("call", "value"),
    [
        (thai.format_date_long, date(2023, 10, 5)),
        (thai.format_date_short, date(2023, 10, 5)),
        (thai.format_datetime, utc(2023, 10, 5, 2, 5)),
        (thai.format_date, date(2023, 10, 5)),
    ],
)
def test_unknown_digits_are_refused(call: Callable[..., str], value: date, digits: str) -> None:
    with pytest.raises(ValueError, match="digits"):
        call(value, digits=digits)


def test_unknown_digits_are_refused_for_english_too() -> None:
    with pytest.raises(ValueError, match="digits"):
        thai.format_date(date(2023, 10, 5), language="en", digits="latin")


# --- English forms and format_date ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "long", "short"),
    [
        (date(2023, 10, 5), "5 October 2023", "5 Oct 2023"),
        (utc(2023, 10, 4, 18, 0), "5 October 2023", "5 Oct 2023"),
        (utc(2023, 12, 31, 17, 0), "1 January 2024", "1 Jan 2024"),
        (date(2024, 2, 29), "29 February 2024", "29 Feb 2024"),
    ],
)
def test_english_dates(value: date, long: str, short: str) -> None:
    assert thai.format_date_long_en(value) == long
    assert thai.format_date_short_en(value) == short


@pytest.mark.parametrize(
    ("language", "style", "digits", "expected"),
    [
        ("th", "long", "thai", "๕ ตุลาคม ๒๕๖๖"),
        ("th", "short", "thai", "๕ ต.ค. ๒๕๖๖"),
        ("th", "long", "arabic", "5 ตุลาคม 2566"),
        ("th", "short", "arabic", "5 ต.ค. 2566"),
        ("en", "long", "thai", "5 October 2023"),  # English always uses Arabic digits
        ("en", "short", "thai", "5 Oct 2023"),
        ("en-us", "long", "thai", "5 October 2023"),
        ("en-GB", "short", "arabic", "5 Oct 2023"),
        ("EN", "long", "thai", "5 October 2023"),
        ("fr", "long", "thai", "๕ ตุลาคม ๒๕๖๖"),  # anything not English is Thai
        ("", "long", "thai", "๕ ตุลาคม ๒๕๖๖"),
    ],
)
def test_format_date_by_language(language: str, style: str, digits: str, expected: str) -> None:
    assert thai.format_date(date(2023, 10, 5), style=style, language=language, digits=digits) == expected


def test_format_date_converts_datetimes_to_bangkok() -> None:
    value = utc(2023, 12, 31, 17, 0)
    assert thai.format_date(value, language="th") == "๑ มกราคม ๒๕๖๗"
    assert thai.format_date(value, language="en") == "1 January 2024"


@pytest.mark.parametrize(
    ("active", "expected"),
    [("th", "๕ ตุลาคม ๒๕๖๖"), ("en", "5 October 2023"), ("en-us", "5 October 2023"), (None, "๕ ตุลาคม ๒๕๖๖")],
)
def test_format_date_defaults_to_the_active_language(
    monkeypatch: pytest.MonkeyPatch, active: str | None, expected: str
) -> None:
    monkeypatch.setattr("django.utils.translation.get_language", lambda: active)
    assert thai.format_date(date(2023, 10, 5)) == expected


def test_format_date_refuses_unknown_style() -> None:
    with pytest.raises(ValueError, match="style"):
        thai.format_date(date(2023, 10, 5), style="medium", language="th")


# --- fiscal year ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2022, 9, 30), 2565),
        (date(2022, 10, 1), 2566),
        (date(2023, 1, 1), 2566),
        (date(2023, 9, 30), 2566),
        (date(2023, 10, 1), 2567),
        (date(2023, 12, 31), 2567),
        (date(2024, 2, 29), 2567),
        (date(2024, 9, 30), 2567),
        (date(2024, 10, 1), 2568),
        (utc(2023, 9, 30, 16, 59), 2566),  # 23:59 on 30 September in Bangkok
        (utc(2023, 9, 30, 17, 0), 2567),  # 00:00 on 1 October in Bangkok
        (utc(2023, 9, 30, 17, 30), 2567),
        (datetime(2023, 10, 1, 1, 0, tzinfo=UTC_PLUS_9), 2566),  # 23:00 on 30 September in Bangkok
    ],
)
def test_fiscal_year(value: date, expected: int) -> None:
    assert thai.fiscal_year(value) == expected


@pytest.mark.parametrize(
    ("year_be", "first", "last"),
    [
        (2566, date(2022, 10, 1), date(2023, 9, 30)),
        (2567, date(2023, 10, 1), date(2024, 9, 30)),
        (2568, date(2024, 10, 1), date(2025, 9, 30)),
    ],
)
def test_fiscal_year_bounds(year_be: int, first: date, last: date) -> None:
    assert thai.fiscal_year_bounds(year_be) == (first, last)
    assert thai.fiscal_year(first) == year_be
    assert thai.fiscal_year(last) == year_be
    assert thai.fiscal_year(first - timedelta(days=1)) == year_be - 1
    assert thai.fiscal_year(last + timedelta(days=1)) == year_be + 1


def test_fiscal_year_bounds_shown_in_thai() -> None:
    first, last = thai.fiscal_year_bounds(2567)
    assert thai.format_date_long(first) == "๑ ตุลาคม ๒๕๖๖"
    assert thai.format_date_long(last) == "๓๐ กันยายน ๒๕๖๗"
