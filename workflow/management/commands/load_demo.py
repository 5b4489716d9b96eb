"""`manage.py load_demo`: the seed's organisation and people (idempotent: a second run changes nothing)."""

from typing import Any

from django.core.management.base import BaseCommand

from org import demo
from workflow import demo as memo_demo


class Command(BaseCommand):
    help = "Load the demo organisation (อบต.หนองโสน), its people, default route and the seed memo as a draft."

    def handle(self, *args: Any, **options: Any) -> None:
        org = demo.load_organisation()
        memo_demo.load_route_template(org)
        memo_demo.load_seed_memo(org)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {org.name}"))
