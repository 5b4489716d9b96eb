"""The profile page's signature pad in a real browser, on a 360 px phone: draw with pointer strokes, save, see the
cleaned signature on the page; an empty pad is not sent (issue 10, signature image)."""

from collections.abc import Callable
from typing import Any

import pytest

from org import demo as org_demo
from org.models import Person
from signatures.selectors import signature_image_in_force
from tests.web.conftest import PHONE, needs_chromium, shot

pytestmark = [needs_chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("media_root")]


@pytest.fixture
def org(transactional_db: None) -> Any:
    return org_demo.load_organisation()


def draw(page: Any, strokes: list[list[tuple[float, float]]]) -> None:
    """Pointer strokes on the pad, in fractions of its box."""
    box = page.locator("[data-pad-canvas]").bounding_box()
    for stroke in strokes:
        x, y = stroke[0]
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=4)
        page.mouse.up()


def test_a_signature_drawn_on_a_phone_is_saved_and_shown(org: Any, open_as: Callable[..., Any]) -> None:
    page = open_as("nat", PHONE)
    page.goto("/profile/")
    canvas = page.locator("[data-pad-canvas]")
    assert canvas.is_visible()
    box = canvas.bounding_box()
    assert box["width"] <= PHONE["width"] - 20  # fits the phone's card
    assert box["width"] == pytest.approx(3 * box["height"], rel=0.05)
    page.locator("[data-pad-save]").click()  # nothing drawn yet: not sent
    assert page.locator("[data-pad-status]").inner_text().strip()
    assert signature_image_in_force(person=Person.objects.get(username="nat")) is None
    draw(page, [[(0.1, 0.7), (0.25, 0.2), (0.4, 0.75), (0.55, 0.25), (0.7, 0.7)], [(0.2, 0.5), (0.85, 0.45)]])
    page.locator("[data-pad-save]").click()
    page.wait_for_load_state()
    shown = page.get_by_test_id("current-signature-image")
    assert shown.is_visible()
    image = signature_image_in_force(person=Person.objects.get(username="nat"))
    assert image is not None
    assert image.width > 2 * image.height  # cropped to the strokes, which are wider than tall
    shot(page, "profile-signature")
