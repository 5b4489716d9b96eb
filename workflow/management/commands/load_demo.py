"""`manage.py load_demo`: the seed's organisation, people, default route, the seed memo as a draft, and the
official public holidays (org.holidays.holidays_load).

Idempotent: a second run changes nothing. `--accounts-only` prints the demo accounts and changes nothing.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from org import demo, holidays
from workflow import demo as memo_demo
from workflow import services


class Command(BaseCommand):
    help = "Load the demo organisation (อบต.หนองโสน), its people, default route and the seed memo as a draft."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts-only", action="store_true", help="only print the demo accounts")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["accounts_only"]:
            org = demo.load_organisation()
            memo_demo.load_route_template(org)
            services.opinion_phrases_ensure(organisation=org, phrases=dict(settings.MEMOFLOW_OPINION_PHRASES))
            memo_demo.load_seed_memo(org)
            added = holidays.holidays_load()  # the official public holidays that due times count on
            self.stdout.write(f"Public holidays added: {len(added)}")
            self.stdout.write(self.style.SUCCESS(f"Demo data ready: {org.name}"))
        self.stdout.write(f"  {'username':<15} {'name':<28} role")
        self.stdout.write(f"  {'-' * 15} {'-' * 28} {'-' * 40}")
        for person in demo.PEOPLE:
            name = f"{person.title}{person.first} {person.last}".strip()
            self.stdout.write(f"  {person.username:<15} {name:<28} {person.role}")
