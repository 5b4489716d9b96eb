"""webhooks.signing.verify, as a receiver uses it (docs/integrations.md): memoflow's signature of the exact body
at its timestamp passes; a changed body, another secret, a moved timestamp or an old request does not."""

from webhooks.signing import signature, verify

SECRET = "a1" * 32
BODY = '{"id":"e1","kind":"step.waiting","text":"มีบันทึกข้อความรอท่านดำเนินการ"}'.encode()
AT = 1_796_283_000


def test_memoflows_signature_of_the_body_verifies() -> None:
    header = signature(SECRET, AT, BODY)
    assert header.startswith("sha256=")
    assert len(header) == len("sha256=") + 64
    assert verify(SECRET, str(AT), BODY, header, now=AT + 1)
    assert verify(SECRET, AT, BODY.decode(), header, now=AT)  # the body as text, the timestamp as a number


def test_a_changed_body_another_secret_or_a_moved_timestamp_fails() -> None:
    header = signature(SECRET, AT, BODY)
    assert not verify(SECRET, AT, BODY.replace(b"e1", b"e2"), header, now=AT)
    assert not verify("b2" * 32, AT, BODY, header, now=AT)
    assert not verify(SECRET, AT + 1, BODY, header, now=AT)  # replayed with a fresh timestamp
    assert not verify(SECRET, AT, BODY, "sha256=" + "0" * 64, now=AT)
    assert not verify(SECRET, "17962830O0", BODY, header, now=AT)


def test_a_request_older_than_five_minutes_is_refused_even_when_its_signature_is_right() -> None:
    header = signature(SECRET, AT, BODY)
    assert verify(SECRET, AT, BODY, header, now=AT + 300)
    assert not verify(SECRET, AT, BODY, header, now=AT + 301)
    assert not verify(SECRET, AT, BODY, header, now=AT - 301)  # from the future: a clock far off
