"""Tests for the ``{% load thai %}`` template filters, rendered through Django's template engine.

These need Django settings, so run them with pytest-django (DJANGO_SETTINGS_MODULE=config.settings.test).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.conf import settings

if not settings.configured:
    pytest.skip("the template filter tests need Django settings (pytest-django)", allow_module_level=True)

from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import SafeData

from core.templatetags import thai as filters

D = date(2023, 10, 5)
DT = datetime(2023, 10, 5, 2, 5, tzinfo=UTC)  # 09:05 in Bangkok
NEW_YEAR = datetime(2023, 12, 31, 17, 0, tzinfo=UTC)  # 00:00 on 1 January 2024 in Bangkok
NAIVE = datetime(2023, 10, 5, 9, 5)


def render(source: str, value: object, language: str = "th") -> str:
    with translation.override(language):
        return Template("{% load thai %}" + source).render(Context({"value": value}))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2566, "๒๕๖๖"),
        (0, "๐"),
        ("ที่ อว 0601/123", "ที่ อว ๐๖๐๑/๑๒๓"),
        (None, ""),
        ("", ""),
    ],
)
def test_thai_digits_filter(value: object, expected: str) -> None:
    assert render("{{ value|thai_digits }}", value) == expected


@pytest.mark.parametrize(
    ("source", "value", "expected"),
    [
        ("{{ value|thai_date }}", D, "๕ ตุลาคม ๒๕๖๖"),
        ("{{ value|thai_date }}", DT, "๕ ตุลาคม ๒๕๖๖"),
        ("{{ value|thai_date }}", NEW_YEAR, "๑ มกราคม ๒๕๖๗"),
        ("{{ value|thai_date }}", date(2024, 2, 29), "๒๙ กุมภาพันธ์ ๒๕๖๗"),
        ("{{ value|thai_date_short }}", D, "๕ ต.ค. ๒๕๖๖"),
        ("{{ value|thai_date_short }}", NEW_YEAR, "๑ ม.ค. ๒๕๖๗"),
        ("{{ value|thai_datetime }}", DT, "๕ ตุลาคม ๒๕๖๖ เวลา ๐๙.๐๕ น."),
        ("{{ value|thai_datetime }}", NEW_YEAR, "๑ มกราคม ๒๕๖๗ เวลา ๐๐.๐๐ น."),
        ("{{ value|be_year }}", D, "๒๕๖๖"),
        ("{{ value|be_year }}", NEW_YEAR, "๒๕๖๗"),
        ("{{ value|fiscal_year }}", date(2023, 9, 30), "๒๕๖๖"),
        ("{{ value|fiscal_year }}", date(2023, 10, 1), "๒๕๖๗"),
        ("{{ value|fiscal_year }}", datetime(2023, 9, 30, 17, 30, tzinfo=UTC), "๒๕๖๗"),
        ("{{ value|fiscal_year }}", date(2024, 2, 29), "๒๕๖๗"),
    ],
)
def test_date_filters(source: str, value: object, expected: str) -> None:
    assert render(source, value) == expected


@pytest.mark.parametrize(
    "name",
    ["thai_digits", "thai_date", "thai_date_short", "thai_datetime", "be_year", "fiscal_year", "local_date"],
)
@pytest.mark.parametrize("value", [None, ""])
def test_filters_render_nothing_for_empty_values(name: str, value: object) -> None:
    assert render(f"[{{{{ value|{name} }}}}]", value) == "[]"


def test_filters_render_nothing_for_a_missing_variable() -> None:
    assert Template("{% load thai %}[{{ missing|thai_date }}]").render(Context({})) == "[]"


@pytest.mark.parametrize(
    "name", ["thai_date", "thai_date_short", "thai_datetime", "be_year", "fiscal_year", "local_date"]
)
@pytest.mark.parametrize("value", [NAIVE, "2023-10-05", 2566])
def test_date_filters_render_nothing_for_values_they_cannot_place(name: str, value: object) -> None:
    # A naive datetime has no known zone, so its Bangkok date is unknown; strings and numbers are not dates.
    assert render(f"[{{{{ value|{name} }}}}]", value) == "[]"


def test_thai_datetime_needs_a_time() -> None:
    assert render("[{{ value|thai_datetime }}]", D) == "[]"


@pytest.mark.parametrize(
    ("source", "language", "value", "expected"),
    [
        ("{{ value|local_date }}", "th", D, "๕ ตุลาคม ๒๕๖๖"),
        ('{{ value|local_date:"short" }}', "th", D, "๕ ต.ค. ๒๕๖๖"),
        ("{{ value|local_date }}", "en", D, "5 October 2023"),
        ('{{ value|local_date:"short" }}', "en", D, "5 Oct 2023"),
        ('{{ value|local_date:"long" }}', "en", NEW_YEAR, "1 January 2024"),
        ("{{ value|local_date }}", "th", NEW_YEAR, "๑ มกราคม ๒๕๖๗"),
    ],
)
def test_local_date_follows_the_active_language(
    source: str, language: str, value: object, expected: str
) -> None:
    assert render(source, value, language=language) == expected


def test_local_date_refuses_an_unknown_style() -> None:
    with pytest.raises(ValueError, match="style"):
        render('{{ value|local_date:"medium" }}', D)


def test_output_is_autoescaped_not_marked_safe() -> None:
    assert render("{{ value|thai_digits }}", "<b>5</b>") == "&lt;b&gt;๕&lt;/b&gt;"
    results = [
        filters.thai_digits(5),
        filters.thai_date(D),
        filters.thai_date_short(D),
        filters.thai_datetime(DT),
        filters.be_year(D),
        filters.fiscal_year(D),
        filters.local_date(D),
    ]
    assert not any(isinstance(result, SafeData) for result in results)


def test_filters_convert_other_zones_to_bangkok() -> None:
    tokyo = datetime(2024, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=9)))  # 23:00 on 31 December in Bangkok
    assert render("{{ value|thai_datetime }}", tokyo) == "๓๑ ธันวาคม ๒๕๖๖ เวลา ๒๓.๐๐ น."
