"""Signed checkpoints of the audit chain and `manage.py verify_audit` (issue 12): the checkpoint is signed with
the organisation's seal, written to a file to be copied off the server, and refused once edited; verify_audit
exits 0 on an intact log and 1 naming the first bad sequence number, in English and Thai — including the tail
deleted and re-appended with valid hashes, which only a checkpoint kept elsewhere reveals. Both engines."""

import asyncio
import base64
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from core.audit import audit_event_append
from core.models import AuditCheckpoint, AuditEvent, AuditHead
from core.tests import tamper
from org.demo import DEMO_PASSWORD
from org.models import Person
from signatures import audit_checkpoint, keystore
from signatures.audit_checkpoint import CheckpointInvalid, checkpoint_read
from signatures.models import SigningKey

pytestmark = pytest.mark.django_db

EVENTS = "core_auditevent"


@pytest.fixture
def directory(settings: Any, tmp_path: Path) -> Path:
    settings.MEMOFLOW_AUDIT_CHECKPOINT_DIR = tmp_path / "checkpoints"
    return settings.MEMOFLOW_AUDIT_CHECKPOINT_DIR


@pytest.fixture
def append(person: Callable[[str], Person]) -> Callable[[int], int]:
    """Append `count` events; the sequence number of the last. (Setting up the CA and the seal logs events too.)"""
    writer = person("rujapa")

    def make(count: int) -> int:
        for n in range(count):
            audit_event_append(action="memo.submitted", obj=writer, actor=writer, data={"ครั้งที่": n})
        return AuditHead.objects.get(pk=1).sequence

    return make


def rewind(to: int) -> None:
    """Delete the events after `to` (and any stored checkpoint) and put the head back on `to`."""
    with tamper.triggers_off(EVENTS), tamper.triggers_off("core_auditcheckpoint"):
        tamper.raw(f'DELETE FROM "{EVENTS}" WHERE sequence > %s', to)  # noqa: S608
        tamper.raw('DELETE FROM "core_auditcheckpoint"')
    AuditHead.objects.filter(pk=1).update(sequence=to, hash=AuditEvent.objects.get(sequence=to).hash)


def checkpoint(directory: Path) -> Path:
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    [path] = sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)[-1:]
    assert path.name in out.getvalue()
    return path


def verify_audit(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_a_checkpoint_signs_the_head_and_is_kept_in_a_file_and_the_database(
    seal: SigningKey, directory: Path, append: Callable[[int], int]
) -> None:
    last = append(3)
    path = checkpoint(directory)
    head = AuditHead.objects.get(pk=1)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert (document["sequence"], document["head_hash"]) == (last, head.hash)
    assert document["organisation"] == seal.ca.organisation.name
    read = checkpoint_read(path.read_text(encoding="utf-8"))
    assert (read.sequence, read.head_hash) == (last, head.hash)
    stored = AuditCheckpoint.objects.get()
    assert (stored.sequence, stored.head_hash, stored.file_name) == (last, head.hash, path.name)


def test_verify_audit_exits_0_on_an_intact_log(
    seal: SigningKey, directory: Path, append: Callable[[int], int]
) -> None:
    append(3)
    path = checkpoint(directory)
    last = append(2)
    code, out, err = verify_audit("--checkpoint", str(path))
    assert (code, err) == (0, "")
    assert f"audit log intact: {last} events" in out
    assert "บันทึกการตรวจสอบสมบูรณ์" in out


@pytest.mark.parametrize(("field", "value"), [("sequence", 2), ("head_hash", "f" * 64), ("at", "2020-01-01")])
def test_an_edited_checkpoint_file_is_refused(
    seal: SigningKey, directory: Path, append: Callable[[int], int], field: str, value: Any
) -> None:
    append(3)
    path = checkpoint(directory)
    document = json.loads(path.read_text(encoding="utf-8"))
    document[field] = value if field != "at" else document["at"].replace(document["at"][:10], value)
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CheckpointInvalid):
        checkpoint_read(path.read_text(encoding="utf-8"))
    code, _, err = verify_audit("--checkpoint", str(path))
    assert code == 1
    assert "checkpoint refused" in err
    assert "จุดตรวจสอบใช้ไม่ได้" in err


def test_a_checkpoint_signed_by_a_person_of_the_same_ca_is_refused(
    seal: SigningKey, directory: Path, append: Callable[[int], int], person: Callable[[str], Person]
) -> None:
    """A person's own key is issued by the same CA, but only the seal vouches for the log."""
    append(1)
    document = json.loads(checkpoint(directory).read_text(encoding="utf-8"))
    del document["signature"]
    writer = person("rujapa")
    with keystore.unwrap_for_signing(person=writer, password=DEMO_PASSWORD) as unwrapped:
        signed = asyncio.run(
            unwrapped.signer.async_sign_general_data(
                audit_checkpoint._payload(document), "sha256", detached=True
            )
        )
    forged = json.dumps({**document, "signature": base64.b64encode(signed.dump()).decode()})
    with pytest.raises(CheckpointInvalid, match="seal"):
        checkpoint_read(forged)


def test_verify_audit_names_an_edited_row_in_english_and_thai(
    seal: SigningKey, directory: Path, append: Callable[[int], int]
) -> None:
    edited = append(4) - 2
    with tamper.triggers_off(EVENTS):
        tamper.raw(f"UPDATE \"{EVENTS}\" SET action = 'memo.approved' WHERE sequence = %s", edited)  # noqa: S608
    code, out, err = verify_audit()
    assert code == 1
    assert f"audit log broken at sequence {edited}:" in err
    assert f"ลำดับที่ {edited} " in err
    assert "intact" not in out


def test_a_tail_re_appended_is_caught_by_the_checkpoint_file_kept_off_the_server(
    seal: SigningKey, directory: Path, append: Callable[[int], int]
) -> None:
    last = append(5)
    path = checkpoint(directory)  # copied off the server
    rewind(last - 3)
    append(4)  # the same numbers and more, valid hashes
    assert verify_audit()[0] == 0  # the server's own copy can no longer tell
    code, _, err = verify_audit("--checkpoint", str(path))
    assert code == 1
    assert f"audit log broken at sequence {last}:" in err
    assert path.name in err


def test_a_stored_checkpoint_catches_a_rewritten_tail_too(
    seal: SigningKey, directory: Path, append: Callable[[int], int]
) -> None:
    last = append(3)
    checkpoint(directory)
    with tamper.triggers_off(EVENTS):
        tamper.raw(f'DELETE FROM "{EVENTS}" WHERE sequence = %s', last)  # noqa: S608
    AuditHead.objects.filter(pk=1).update(
        sequence=last - 1, hash=AuditEvent.objects.get(sequence=last - 1).hash
    )
    append(1)
    code, _, err = verify_audit()
    assert code == 1
    assert f"audit log broken at sequence {last}:" in err


def test_without_a_seal_no_checkpoint_is_made(directory: Path, append: Callable[[int], int]) -> None:
    append(1)
    with pytest.raises(CommandError, match="seal"):
        call_command("audit_checkpoint", stdout=StringIO())
    assert not AuditCheckpoint.objects.exists()
    assert not directory.exists() or not any(directory.iterdir())


def test_a_missing_checkpoint_file_is_an_error_not_a_pass(
    seal: SigningKey, append: Callable[[int], int]
) -> None:
    append(1)
    code, out, err = verify_audit("--checkpoint", "/nonexistent/audit-checkpoint.json")
    assert code == 1
    assert "checkpoint refused" in err
    assert "intact" not in out
