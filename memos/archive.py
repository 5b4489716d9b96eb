"""The archive of final memo PDFs: each file is written once, durably, and never overwritten.

A file is written to a temporary name in the target directory, flushed and fsynced, then linked to its final
name — `os.link` fails if the name exists, so an archived file can never be replaced — and the directory is
fsynced. The stored file is read back and its SHA-256 compared before the database records it.
`manage.py archive_check` verifies every archived memo's file against the recorded hash.
"""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


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
