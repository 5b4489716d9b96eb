"""`manage.py generate_load --memos N [--organisations K] [--seed S] [--end YYYY-MM-DD]`: synthetic organisations and
memos for benchmarks (workflow.load). Never on a production database: its people share one known password."""

from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from workflow.load import LoadError, generate_load


class Command(BaseCommand):
    help = "Generate realistic organisations and N memos with their routes, signatures and audit events (benchmarks)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--memos", type=int, required=True, help="how many memos")
        parser.add_argument(
            "--organisations", type=int, default=None, help="default: memos / 25,000, 1 to 40"
        )
        parser.add_argument("--seed", type=int, default=12, help="the same seed and end give the same data")
        parser.add_argument(
            "--end", default=None, help="last day of the period, YYYY-MM-DD (default: today, UTC)"
        )
        parser.add_argument("--password", default="memoflow-demo", help="everyone's password")
        parser.add_argument(
            "--keep-constraints",
            action="store_true",
            help="PostgreSQL: keep foreign keys and indexes during the load (slower; by default they are "
            "dropped and made again after it, every row checked)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["memos"] < 1:
            raise CommandError("--memos must be at least 1")
        end = None
        if options["end"]:
            try:
                end = datetime.strptime(options["end"], "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError as exc:
                raise CommandError("--end must be a date, YYYY-MM-DD") from exc
        try:
            summary = generate_load(
                memos=options["memos"],
                organisations=options["organisations"],
                seed=options["seed"],
                end=end,
                password=options["password"],
                keep_constraints=options["keep_constraints"],
                progress=self.stdout.write,
            )
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{summary.memos:,} memos in {summary.seconds:.0f} s"))
        self.stdout.write(f"statuses: {dict(sorted(summary.statuses.items()))}")
        self.stdout.write(f"rows: {dict(sorted(summary.rows.items()))}")
        self.stdout.write(
            f"head with many tasks: {summary.head_with_many}; executive: {summary.executive}; "
            f"auditor: {summary.auditor}; officer: {summary.officer}; acting: {', '.join(summary.acting[:3])}"
        )
