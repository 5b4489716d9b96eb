"""`manage.py archive_check`: verify every archived memo's PDF against the SHA-256 recorded in the database.

Problems (exit 1): an archived memo whose file is missing or altered, and a memo completed more than
`--stuck-after` minutes ago that is still not archived (its archive job failed or never ran). Files in the
archive that no memo refers to (left by a retried job) are listed as notes; they do not fail the check.
"""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from memos import archive
from memos.models import Memo, MemoStatus


class Command(BaseCommand):
    help = "Check archived memo PDFs against the database; report missing, altered or unarchived (exit 1 if any)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stuck-after",
            type=int,
            default=60,
            help="minutes after completion by which a memo must be archived (default 60)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        checked = 0
        problems: list[str] = []
        referenced: set[str] = set()
        memos = Memo.objects.filter(status=MemoStatus.ARCHIVED).only(
            "pk", "number", "archive_file", "archive_sha256"
        )
        for memo in memos.iterator(chunk_size=500):
            checked += 1
            referenced.add(memo.archive_file)
            result = archive.check(relative_name=memo.archive_file, sha256=memo.archive_sha256)
            if result.problem:
                problems.append(
                    f"{result.problem}: {memo.number} ({memo.pk}) {memo.archive_file or '(no file recorded)'}"
                )
        deadline = timezone.now() - timedelta(minutes=options["stuck_after"])
        stuck = Memo.objects.filter(status=MemoStatus.COMPLETED, status_changed_at__lt=deadline).only(
            "pk", "number"
        )
        for memo in stuck:
            problems.append(f"not archived: {memo.number} ({memo.pk}) completed but has no archived PDF")
        root = archive.archive_root()
        if root.is_dir():
            for path in sorted(root.rglob("*.pdf")):
                name = path.relative_to(root).as_posix()
                if name not in referenced and not path.name.startswith(".incoming-"):
                    self.stdout.write(
                        f"note: {name} is not referred to by any memo (a retried archive job's copy)"
                    )
        for line in problems:
            self.stderr.write(line)
        summary = f"{checked} archived memo(s) checked, {len(problems)} problem(s)"
        if problems:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
