"""The writer's loop without a browser (issue 11): why a memo came back (the banner on the tasks, memo and edit
pages, and the e-mail), removing and replacing enclosures (writer only, only while draft or returned, the file
kept for the audit), and withdrawing only once confirmed."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core import thai
from core.errors import Forbidden, InvalidState, NotFound, ValidationFailed
from core.models import AuditEvent
from memos.models import Enclosure, Memo, MemoStatus
from org.demo import DEMO_PASSWORD
from tests.builders import RETURN_REASON, active_step, draft_memo, pdf_bytes, png_bytes, returned_memo, submit
from workflow import selectors, services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


@pytest.fixture
def login(demo_org: Any) -> Callable[[str], Client]:
    def make(username: str) -> Client:
        client = Client()
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD)
        return client

    return make


def upload(name: str = "a.png", content: bytes | None = None, content_type: str = "image/png") -> Any:
    return SimpleUploadedFile(name, png_bytes() if content is None else content, content_type=content_type)


def with_enclosures(memo: Memo, *titles: str) -> list[Enclosure]:
    return [
        services.enclosure_add(memo=memo, actor=memo.writer, title=title, upload=upload(f"{i}.png"))
        for i, title in enumerate(titles)
    ]


# The returned banner ----------------------------------------------------------------------------------------


def test_latest_return_names_the_reason_who_and_when_only_while_returned(person: Any) -> None:
    memo = returned_memo(at_step=2)
    info = selectors.latest_return(memo=memo)
    assert info is not None
    nat = person("nat")
    assert info.reason == RETURN_REASON
    assert info.name == nat.full_name
    assert info.position == memo.steps.get(round=1, order=2).position.title
    assert info.at is not None
    year = thai.to_bangkok(info.at).year
    with translation.override("th"):  # Buddhist era, Thai digits, Thai time
        assert thai.thai_digits(year + 543) in info.when
        assert info.when.endswith("น.")
    with translation.override("en"):  # Gregorian year, Arabic digits, no Thai
        assert str(year) in info.when
        assert not any("\u0e00" <= c <= "\u0e7f" for c in info.when)
    submit(memo)
    assert selectors.latest_return(memo=Memo.objects.get(pk=memo.pk)) is None  # resubmitted: no banner


def test_the_banner_is_on_the_task_card_the_memo_page_and_the_edit_page(login: Any, person: Any) -> None:
    memo = returned_memo(at_step=2)
    client = login("rujapa")
    nat = person("nat")
    for url in ("/", reverse("memo-page", args=[memo.pk]), reverse("memo-edit", args=[memo.pk])):
        html = client.get(url).content.decode()
        assert 'data-testid="returned-banner"' in html, url
        assert RETURN_REASON in html, url
        assert f"ส่งคืนแก้ไขโดย {nat.full_name}" in html, url
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("memo-page", args=[memo.pk])).content.decode()
    assert f"Returned for revision by {nat.full_name}" in html


def test_no_banner_on_a_draft_or_a_memo_in_review(login: Any) -> None:
    memo = draft_memo()
    client = login("rujapa")
    assert (
        'data-testid="returned-banner"'
        not in client.get(reverse("memo-edit", args=[memo.pk])).content.decode()
    )
    submit(memo)
    assert (
        'data-testid="returned-banner"'
        not in client.get(reverse("memo-page", args=[memo.pk])).content.decode()
    )


@pytest.mark.parametrize("count", [1, 3])
def test_my_tasks_with_returned_memos_keeps_a_constant_query_count(
    login: Any, django_assert_num_queries: Any, count: int
) -> None:
    for i in range(count):
        returned_memo(at_step=1, reason=f"เหตุผลที่ {i}", subject=f"เรื่อง {i}")
    client = login("rujapa")
    client.get("/")
    # session, user, the header's count, the list (with each return's reason and who, in the same query)
    with django_assert_num_queries(4):
        html = client.get("/").content.decode()
    assert html.count('data-testid="returned-banner"') == count
    for i in range(count):
        assert f"เหตุผลที่ {i}" in html


def test_the_returned_email_says_who_and_why(person: Any) -> None:
    from notifications.models import Kind, Notification
    from notifications.tasks import deliver_notifications

    memo = returned_memo(at_step=2)
    returned = Notification.objects.get(memo=memo, kind=Kind.RETURNED, recipient=memo.writer)
    mail.outbox.clear()
    assert deliver_notifications.func([returned.pk]) == 1  # what the worker runs
    (message,) = mail.outbox
    assert "ส่งคืนแก้ไข" in message.subject
    assert f"เหตุผล: {RETURN_REASON}" in message.body
    assert f"โดย {person('nat').full_name}" in message.body


# Remove and replace: the services ---------------------------------------------------------------------------


def change(verb: str, **kwargs: Any) -> Enclosure:
    if verb == "remove":
        return services.enclosure_remove(**kwargs)
    return services.enclosure_replace(upload=upload(), **kwargs)


def test_remove_takes_the_enclosure_off_keeps_its_file_and_audits_it(person: Any) -> None:
    memo = draft_memo()
    first, _second = with_enclosures(memo, "หนึ่ง", "สอง")
    services.enclosure_remove(memo=memo, actor=memo.writer, enclosure_id=first.pk)
    assert [e.title for e in memo.enclosures.order_by("order")] == ["สอง"]
    assert first.file.storage.exists(first.file.name)  # kept for the audit
    event = AuditEvent.objects.get(action="memo.enclosure_removed", object_id=str(memo.pk))
    assert event.data["sha256"] == first.sha256
    assert event.data["file"] == first.file.name


def test_replace_keeps_the_number_and_title_and_counts_limits_without_the_old_file(
    person: Any, settings: Any
) -> None:
    memo = draft_memo()
    one, two, three = with_enclosures(memo, "หนึ่ง", "สอง", "สาม")
    settings.MEMOFLOW_MEMO_MAX_ENCLOSURES = 3  # full: a replacement is not one more
    new = services.enclosure_replace(
        memo=memo,
        actor=memo.writer,
        enclosure_id=two.pk,
        upload=upload("new.pdf", pdf_bytes(), "application/pdf"),
    )
    rows = list(memo.enclosures.order_by("order").values_list("title", "content_type", "order"))
    assert rows == [
        ("หนึ่ง", "image/png", one.order),
        ("สอง", "application/pdf", two.order),
        ("สาม", "image/png", three.order),
    ]
    assert new.original_name == "new.pdf"
    assert two.file.storage.exists(two.file.name)  # the replaced file is kept
    event = AuditEvent.objects.get(action="memo.enclosure_replaced", object_id=str(memo.pk))
    assert event.data["replaced"]["sha256"] == two.sha256
    assert event.data["sha256"] == new.sha256


def test_a_refused_replacement_changes_nothing(person: Any) -> None:
    memo = draft_memo()
    (enc,) = with_enclosures(memo, "หนึ่ง")
    with pytest.raises(ValidationFailed):
        services.enclosure_replace(
            memo=memo,
            actor=memo.writer,
            enclosure_id=enc.pk,
            upload=upload("virus.exe", b"MZ\x90\x00 not a document", "application/octet-stream"),
        )
    assert list(memo.enclosures.values_list("pk", "sha256")) == [(enc.pk, enc.sha256)]


@pytest.mark.parametrize("verb", ["remove", "replace"])
def test_only_the_writer_may_remove_or_replace(person: Any, verb: str) -> None:
    memo = draft_memo()
    (enc,) = with_enclosures(memo, "หนึ่ง")
    with pytest.raises(Forbidden):
        change(verb, memo=memo, actor=person("ratchawari"), enclosure_id=enc.pk)
    assert memo.enclosures.get().sha256 == enc.sha256


@pytest.mark.parametrize("verb", ["remove", "replace"])
def test_not_after_submission(person: Any, verb: str) -> None:
    memo = draft_memo()
    (enc,) = with_enclosures(memo, "หนึ่ง")
    submit(memo)
    with pytest.raises(InvalidState):
        change(verb, memo=memo, actor=memo.writer, enclosure_id=enc.pk)
    assert memo.enclosures.get().sha256 == enc.sha256


def test_another_memos_enclosure_is_not_found(person: Any) -> None:
    mine, other = draft_memo(), draft_memo(subject="อีกเรื่อง")
    (enc,) = with_enclosures(other, "ของอีกเรื่อง")
    with pytest.raises(NotFound):
        services.enclosure_remove(memo=mine, actor=mine.writer, enclosure_id=enc.pk)
    assert other.enclosures.count() == 1


def test_a_returned_memo_may_have_its_enclosures_changed(person: Any) -> None:
    memo = draft_memo()
    (enc,) = with_enclosures(memo, "หนึ่ง")
    submit(memo)
    step = active_step(memo)
    services.step_return(step=step, actor=step.assignee, password=DEMO_PASSWORD, reason="แก้ไขไฟล์แนบ")
    memo.refresh_from_db()
    assert memo.status == MemoStatus.RETURNED
    new = services.enclosure_replace(
        memo=memo, actor=memo.writer, enclosure_id=enc.pk, upload=upload("b.png")
    )
    services.enclosure_remove(memo=memo, actor=memo.writer, enclosure_id=new.pk)
    assert memo.enclosures.count() == 0


# Remove and replace: the pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("verb", ["remove", "replace"])
def test_someone_else_gets_404(login: Any, verb: str) -> None:
    memo = draft_memo()
    (enc,) = with_enclosures(memo, "หนึ่ง")
    submit(memo)  # ratchawari can see it now (her step)
    url = reverse(f"memo-enclosure-{verb}", args=[memo.pk, enc.pk])
    response = login("ratchawari").post(
        url, {f"replace-{enc.pk}-title": "x", f"replace-{enc.pk}-file": upload()}
    )
    assert response.status_code == 404
    assert memo.enclosures.get().sha256 == enc.sha256


def test_remove_through_the_page(login: Any) -> None:
    memo = draft_memo()
    first, _second = with_enclosures(memo, "หนึ่ง", "สอง")
    client = login("rujapa")
    html = client.get(reverse("memo-edit", args=[memo.pk])).content.decode()
    assert reverse("memo-enclosure-remove", args=[memo.pk, first.pk]) in html
    response = client.post(reverse("memo-enclosure-remove", args=[memo.pk, first.pk]), follow=True)
    assert "“หนึ่ง” ถูกนำออกจากบันทึกแล้ว" in response.content.decode()
    assert list(memo.enclosures.values_list("title", flat=True)) == ["สอง"]
    assert client.post(reverse("memo-enclosure-remove", args=[memo.pk, first.pk])).status_code == 404


def test_remove_after_submission_changes_nothing_and_says_why(login: Any) -> None:
    memo = draft_memo()
    (enc,) = with_enclosures(memo, "หนึ่ง")
    submit(memo)
    response = login("rujapa").post(reverse("memo-enclosure-remove", args=[memo.pk, enc.pk]), follow=True)
    with translation.override("th"):
        said = translation.gettext(
            "The memo can be changed only while it is a draft or returned for revision."
        )
    assert said in response.content.decode()
    assert memo.enclosures.count() == 1


def test_replace_through_the_page_and_a_refusal_shown_next_to_the_file(login: Any) -> None:
    memo = draft_memo()
    (enc,) = with_enclosures(memo, "หนึ่ง")
    client = login("rujapa")
    url = reverse("memo-enclosure-replace", args=[memo.pk, enc.pk])
    prefix = f"replace-{enc.pk}"
    bad = {
        f"{prefix}-title": "หนึ่ง",
        f"{prefix}-file": upload("x.exe", b"MZ not a document", "application/x-msdownload"),
    }
    response = client.post(url, bad, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "PDF, PNG และ JPEG" in html
    assert f'id="id_{prefix}-file"' in html
    assert "hx-preserve" in html
    assert memo.enclosures.get().sha256 == enc.sha256
    good = {
        f"{prefix}-title": "หนึ่ง (ฉบับแก้)",
        f"{prefix}-file": upload("b.pdf", pdf_bytes(), "application/pdf"),
    }
    response = client.post(url, good, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert list(memo.enclosures.values_list("title", "content_type")) == [("หนึ่ง (ฉบับแก้)", "application/pdf")]


def test_a_refused_upload_keeps_the_file_input_and_shows_the_error(login: Any) -> None:
    memo = draft_memo()
    client = login("rujapa")
    response = client.post(
        reverse("memo-enclosure-add", args=[memo.pk]),
        {"title": "ไฟล์", "file": upload("x.exe", b"MZ not a document", "application/x-msdownload")},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'id="id_file"' in html
    assert 'hx-preserve="true"' in html
    assert 'role="alert"' in html
    assert memo.enclosures.count() == 0


# Withdraw, confirmed ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "says"),
    [("th", "ทำเครื่องหมายในช่อง"), ("en", "Tick the box to confirm that you want to withdraw the memo.")],
)
def test_withdraw_without_confirming_changes_nothing_and_says_why(
    login: Any, language: str, says: str
) -> None:
    memo = draft_memo()
    client = login("rujapa")
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    response = client.post(
        reverse("memo-page", args=[memo.pk]), {"action": "withdraw", "withdraw-reason": "ไม่ใช้แล้ว"}
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    memo.refresh_from_db()
    assert memo.status == MemoStatus.DRAFT
    assert not AuditEvent.objects.filter(action="memo.withdrawn").exists()


def test_withdraw_once_confirmed(login: Any) -> None:
    memo = draft_memo()
    response = login("rujapa").post(
        reverse("memo-page", args=[memo.pk]),
        {"action": "withdraw", "withdraw-reason": "ไม่ใช้แล้ว", "withdraw-confirm": "on"},
        follow=True,
    )
    assert response.status_code == 200
    memo.refresh_from_db()
    assert memo.status == MemoStatus.WITHDRAWN
