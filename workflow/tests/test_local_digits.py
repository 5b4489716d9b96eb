"""Counts and numbering on the pages in the reader's language (issue 11): Thai digits in Thai, Arabic digits in
English, never "Round ๒" on an English page; the draft PDF is named with a Buddhist-era date."""

from typing import Any
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from org.models import Person
from tests.builders import returned_memo, submit
from workflow.pdf import pdf_filename

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


def page(username: str, path: str, language: str) -> str:
    client = Client()
    client.force_login(Person.objects.get(username=username))
    if language != "th":
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
    return client.get(path).content.decode()


def test_the_round_is_numbered_in_the_readers_digits(demo_org: Any) -> None:
    memo = submit(returned_memo())  # a second round
    path = reverse("memo-page", args=[memo.pk])
    assert "รอบที่ ๒" in page("rujapa", path, "th")
    english = page("rujapa", path, "en")
    assert "Round 2" in english
    assert "Round ๒" not in english


def test_the_list_pages_are_numbered_in_the_readers_digits(demo_org: Any) -> None:
    submit(returned_memo())
    path = reverse("memo-list-mine")
    assert "หน้า ๑" in page("rujapa", path, "th")
    english = page("rujapa", path, "en")
    assert "Page 1" in english
    assert "๑" not in english.split("Page", 1)[1][:20]


def test_a_draft_pdf_is_named_with_its_buddhist_era_date(demo_org: Any) -> None:
    memo = returned_memo()
    memo.number = ""
    name = pdf_filename(memo)
    assert name.startswith("ร่างบันทึกข้อความ ")
    assert name.endswith(".pdf")
    assert not any(c.isascii() and c.isdigit() for c in name)  # ๒ ธันวาคม ๒๕๖๙, not 2026-12-02
    assert "๒๕" in name
    assert unquote(name) == name
