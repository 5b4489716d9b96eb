"""`manage.py load_holidays [--year 2027]`: add Thailand's official public holidays (org/data/
thai_public_holidays.json) to the holiday table. Idempotent: a date that already has a national holiday is
left as it is, so a second run adds nothing and an administrator's corrections stay."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ValidationFailed
from core.thai import be_year, ce_year
from org import holidays


class Command(BaseCommand):
    help = "Add Thailand's official public holidays (one year's or all) to the holiday table; idempotent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year", type=int, help="only this year, Gregorian (2027) or Buddhist era (2570); default: all"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        if year is not None and year >= 2400:  # a Buddhist-era year, as people here write it
            year = ce_year(year)
        try:
            added = holidays.holidays_load(year=year)
        except ValidationFailed as exc:
            raise CommandError(" ".join(str(m) for ms in exc.fields.values() for m in ms)) from exc
        for holiday in added:
            self.stdout.write(f"  {holiday.date.isoformat()}  {holiday.name}")
        years = f"{year} (พ.ศ. {be_year(year)})" if year is not None else "all years in the list"
        self.stdout.write(self.style.SUCCESS(f"Holidays added: {len(added)} ({years})."))
