"""`manage.py archive_check`: check the archive and the enclosure originals against what the database recorded.

Per memo, with a level for each message (paperless-ngx's sanity checker's shape):
- error: an archived memo's PDF missing, or not matching the SHA-256 on the memo's row, or not matching the
  file and SHA-256 recorded in its audit log's archive event (the append-only log catches a row changed by
  SQL), or archived more than once; the same for its certificate of completion, when it has one; an
  enclosure's original missing or not matching the SHA-256 taken at upload and signed with its revision; a memo completed more than `--stuck-after` minutes ago and still not archived
  (its archive job failed or never ran).
- info: files in the archive that no memo refers to (a copy left by an older retried job).
Exit 1 when there is any error.
"""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from memos import archive
from memos.archive import ERROR, MemoReport
from memos.models import Enclosure, Memo, MemoStatus


class Command(BaseCommand):
    help = "Check archived memo PDFs and enclosure originals against the database and the audit log (exit 1 on error)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stuck-after",
            type=int,
            default=60,
            help="minutes after completion by which a memo must be archived (default 60)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        deadline = timezone.now() - timedelta(minutes=options["stuck_after"])
        with_files = Exists(Enclosure.objects.filter(memo=OuterRef("pk")).exclude(file=""))
        memos = (
            Memo.objects.filter(
                Q(status=MemoStatus.ARCHIVED)
                | Q(status=MemoStatus.COMPLETED, status_changed_at__lt=deadline)
                | Q(with_files)
            )
            .select_related("current_revision")
            .order_by("created_at")
        )
        checked = errors = 0
        referenced: set[str] = set()
        for memo in memos.iterator(chunk_size=200):
            checked += 1
            report = MemoReport(f"{memo.number or '(no number)'} ({memo.pk})")
            if memo.status == MemoStatus.ARCHIVED:
                referenced.update({memo.archive_file, memo.certificate_file})
                archive.check_archived_memo(memo, report)
            elif memo.status == MemoStatus.COMPLETED and memo.status_changed_at < deadline:
                report.add(ERROR, "not archived: completed but has no archived PDF")
            archive.check_enclosures(memo, report)
            for level, text in report.messages:
                line = f"{level}: {report.label}: {text}"
                (self.stderr if level == ERROR else self.stdout).write(line)
            errors += sum(1 for level, _ in report.messages if level == ERROR)
        root = archive.archive_root()
        if root.is_dir():
            for path in sorted(root.rglob("*.pdf")):
                name = path.relative_to(root).as_posix()
                if name not in referenced and not path.name.startswith(".incoming-"):
                    self.stdout.write(
                        f"info: {name} is not referred to by any memo (a retried archive job's copy)"
                    )
        summary = f"{checked} memo(s) checked, {errors} error(s)"
        if errors:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
