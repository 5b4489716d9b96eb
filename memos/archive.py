"""The archive of final memo PDFs: each file is written once, durably, and never overwritten.

A file is written to a temporary name in the target directory, flushed and fsynced, then linked to its final
name — `os.link` fails if the name exists, so an archived file can never be replaced — and the directory is
fsynced. The stored file is read back and its SHA-256 compared before the database records it.
`manage.py archive_check` verifies every archived memo's file against the hash on the memo's row and in its
audit log, and each enclosure's original against the hash recorded when it was uploaded and signed.

Archiving a memo is idempotent (`store_once`): a job retried after its worker died — the file written but the
row not updated — finds the complete copy the first run left and records that one, so a memo ends with one
archived file whatever the retries, even when its PDF does not render byte-identically twice.
"""

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings

from core.worker import pause_for_tests

if TYPE_CHECKING:
    from memos.models import Memo

ARCHIVED_ACTION = "memo.archived"  # the audit event that records the archived file and its digest


class ArchiveError(Exception):
    pass


def archive_root() -> Path:
    return Path(getattr(settings, "MEMOFLOW_ARCHIVE_ROOT", None) or Path(settings.MEDIA_ROOT) / "archive")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def store(*, relative_name: str, content: bytes) -> str:
    """Write `content` at `relative_name` under the archive root once; return its SHA-256.

    Raises ArchiveError if a file already exists there (unless it is byte-identical, which makes a retried
    job harmless) or if the stored bytes do not read back with the same hash.
    """
    expected = hashlib.sha256(content).hexdigest()
    target = archive_root() / relative_name
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        if sha256_of(target) == expected:
            return expected
        raise ArchiveError(f"{relative_name} exists with other content; archived files are never overwritten")
    fd, temp_name = tempfile.mkstemp(prefix=".incoming-", suffix=".pdf", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o444)
        try:
            os.link(temp, target)  # atomic, and refuses to replace an existing name
        except FileExistsError as exc:
            raise ArchiveError(f"{relative_name} was archived concurrently") from exc
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(target.parent)
    actual = sha256_of(target)
    if actual != expected:
        raise ArchiveError(f"{relative_name} reads back with SHA-256 {actual}, expected {expected}")
    return expected


@dataclass(frozen=True)
class Stored:
    relative_name: str
    sha256: str
    size: int


@contextmanager
def _exclusive(directory: Path, stem: str) -> Iterator[None]:
    """One archiving of a given memo at a time on this archive (released by the kernel if the process dies)."""
    with (directory / f".{stem}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def existing_copy(*, base_name: str) -> Stored | None:
    """A complete archived copy under `base_name` ("2569/<memo id>.pdf") left by an earlier run: a file
    `<memo id>-<first 16 hex digits of its SHA-256>.pdf` whose content has that digest."""
    base = Path(base_name)
    directory = archive_root() / base.parent
    if not directory.is_dir():
        return None
    for path in sorted(directory.glob(f"{base.stem}-*.pdf")):
        digest = sha256_of(path)
        if path.stem == f"{base.stem}-{digest[:16]}":
            return Stored((base.parent / path.name).as_posix(), digest, path.stat().st_size)
    return None


def store_once(*, base_name: str, render: Callable[[], bytes]) -> Stored:
    """Archive a memo's PDF once: return the copy an earlier run left, else render, store and return it.

    The file name carries the content's hash (`<memo id>-<sha256[:16]>.pdf`), so a copy can be told complete
    and intact from its name; `store` never overwrites one."""
    base = Path(base_name)
    directory = archive_root() / base.parent
    directory.mkdir(parents=True, exist_ok=True)
    with _exclusive(directory, base.stem):
        found = existing_copy(base_name=base_name)
        if found is not None:
            return found
        content = render()
        digest = hashlib.sha256(content).hexdigest()
        relative_name = (base.parent / f"{base.stem}-{digest[:16]}.pdf").as_posix()
        store(relative_name=relative_name, content=content)
    pause_for_tests("archive_stored")  # a test kills the worker here: file written, row not yet updated
    return Stored(relative_name, digest, len(content))


@dataclass(frozen=True)
class CheckResult:
    relative_name: str
    problem: str  # "" when the file is intact, else "missing" or "altered"


def check(*, relative_name: str, sha256: str) -> CheckResult:
    path = archive_root() / relative_name
    if not relative_name or not path.is_file():
        return CheckResult(relative_name, "missing")
    if sha256_of(path) != sha256:
        return CheckResult(relative_name, "altered")
    return CheckResult(relative_name, "")


def open_archived(relative_name: str) -> Path:
    path = archive_root() / relative_name
    if not path.is_file():
        raise ArchiveError(f"{relative_name} is missing from the archive")
    return path


# archive_check ----------------------------------------------------------------------------------------------

ERROR, WARNING, INFO = "error", "warning", "info"


@dataclass
class MemoReport:
    """What `archive_check` found for one memo: leveled messages (paperless-ngx's sanity checker's shape)."""

    label: str
    messages: list[tuple[str, str]] = field(default_factory=list)

    def add(self, level: str, text: str) -> None:
        self.messages.append((level, text))

    @property
    def has_error(self) -> bool:
        return any(level == ERROR for level, _ in self.messages)


def check_archived_memo(memo: "Memo", report: MemoReport) -> None:
    """The archived file against the digest on the memo's row and the one in its audit log (a row changed by
    SQL to agree with an altered file still disagrees with the append-only log)."""
    from core.models import AuditEvent

    result = check(relative_name=memo.archive_file, sha256=memo.archive_sha256)
    if result.problem == "missing":
        report.add(ERROR, f"archived PDF missing: {memo.archive_file or '(no file recorded)'}")
    elif result.problem:
        report.add(ERROR, f"archived PDF altered: {memo.archive_file} does not match the memo's SHA-256")
    if memo.certificate_file:
        problem = check(relative_name=memo.certificate_file, sha256=memo.certificate_sha256).problem
        if problem:
            report.add(ERROR, f"certificate of completion {problem}: {memo.certificate_file}")
    events = list(
        AuditEvent.objects.filter(
            object_type=memo._meta.label_lower, object_id=str(memo.pk), action=ARCHIVED_ACTION
        ).only("data")
    )
    if not events:
        report.add(ERROR, "no archive event in the audit log")
        return
    if len(events) > 1:
        report.add(ERROR, f"archived {len(events)} times in the audit log")
    logged = events[-1].data
    logged_file, logged_sha = logged.get("file", ""), logged.get("sha256", "")
    if logged_file != memo.archive_file:
        report.add(ERROR, f"the memo's archived file {memo.archive_file} is not the logged {logged_file}")
    if logged_sha != memo.archive_sha256:
        report.add(ERROR, "the memo's SHA-256 differs from the one in the audit log")
    certificate = logged.get("certificate") or {}
    if (certificate.get("file", ""), certificate.get("sha256", "")) != (
        memo.certificate_file,
        memo.certificate_sha256,
    ):
        report.add(ERROR, "the memo's certificate of completion is not the one in the audit log")
    if (
        result.problem != "missing"
        and logged_file
        and check(relative_name=logged_file, sha256=logged_sha).problem
    ):
        report.add(ERROR, f"archived PDF {logged_file} does not match the SHA-256 in the audit log")


def check_enclosures(memo: "Memo", report: MemoReport) -> None:
    """Each enclosure's original against the hash taken at upload and the one its memo's revision signed."""
    from memos.models import EDITABLE_STATUSES

    content: dict[str, Any] = {}
    if memo.current_revision is not None and memo.status not in EDITABLE_STATUSES:  # a draft's may be ahead
        content = memo.current_revision.content
    signed = {e.get("order"): e.get("file_sha256") for e in content.get("enclosures", [])}
    for enclosure in memo.enclosures.exclude(file="").order_by("order"):
        name = enclosure.file.name or ""
        storage = enclosure.file.storage
        if not storage.exists(name):
            report.add(ERROR, f"enclosure {enclosure.order} missing: {name}")
            continue
        digest = hashlib.sha256()
        with storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
        if digest.hexdigest() != enclosure.sha256:
            report.add(ERROR, f"enclosure {enclosure.order} altered: {name} does not match its SHA-256")
        if enclosure.order in signed and signed[enclosure.order] != enclosure.sha256:
            report.add(ERROR, f"enclosure {enclosure.order}: its SHA-256 differs from the signed revision's")
