"""`manage.py archive_check`: verify every archived memo's PDF against the SHA-256 recorded in the database.

Exits non-zero when any file is missing or altered, so it can run from cron or a monitoring check.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from memos import archive
from memos.models import Memo, MemoStatus


class Command(BaseCommand):
    help = "Check archived memo PDFs against the database; report missing or altered files (exit 1 if any)."

    def handle(self, *args: Any, **options: Any) -> None:
        checked = 0
        problems: list[str] = []
        memos = Memo.objects.filter(status=MemoStatus.ARCHIVED).only(
            "pk", "number", "archive_file", "archive_sha256"
        )
        for memo in memos.iterator(chunk_size=500):
            checked += 1
            result = archive.check(relative_name=memo.archive_file, sha256=memo.archive_sha256)
            if result.problem:
                problems.append(
                    f"{result.problem}: {memo.number} ({memo.pk}) {memo.archive_file or '(no file recorded)'}"
                )
        for line in problems:
            self.stderr.write(line)
        summary = f"{checked} archived memo(s) checked, {len(problems)} problem(s)"
        if problems:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
