"""The header offers "เขียนบันทึก" (write a memo) only to people who can write one: they hold a position."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def page_as(person, username: str, url: str = "/"):
    client = Client(HTTP_ACCEPT_LANGUAGE="th")
    client.force_login(person(username))
    return client.get(url, follow=True)


def test_the_administrator_who_holds_no_position_is_not_offered_write_a_memo(person):
    page = page_as(person, "admin").content.decode()
    assert 'data-testid="nav-write"' not in page
    assert "เขียนบันทึก" not in page


def test_a_person_holding_a_position_is_offered_write_a_memo(person):
    page = page_as(person, "rujapa").content.decode()
    assert 'data-testid="nav-write"' in page
    assert "เขียนบันทึก" in page


def test_the_write_page_sends_someone_without_a_position_away_with_a_thai_reason(person):
    response = page_as(person, "admin", "/memos/new/")
    assert response.redirect_chain[-1][0] == "/"
    assert "ไม่มีตำแหน่ง" in response.content.decode()
    assert "<textarea" not in response.content.decode()
