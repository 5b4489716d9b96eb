"""`manage.py load_demo`: the seed's organisation and people (idempotent: a second run changes nothing)."""

from typing import Any

from django.core.management.base import BaseCommand

from org import demo


class Command(BaseCommand):
    help = "Load the demo organisation (อบต.หนองโสน), its people and positions. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        org = demo.load_organisation()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {org.name}"))
