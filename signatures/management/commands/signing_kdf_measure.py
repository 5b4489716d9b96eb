"""`manage.py signing_kdf_measure`: how long one key derivation takes at MEMOFLOW_SIGNING_KDF on this machine
(every signature pays it once, on top of the password check and the signature itself)."""

import os
import statistics
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from signatures import envelope


class Command(BaseCommand):
    help = "Measure one Argon2id derivation at the configured parameters (median and worst of N)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rounds", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        kdf = envelope.kdf_parameters()
        times = []
        for _ in range(max(1, options["rounds"])):
            salt = os.urandom(envelope.SALT_BYTES)
            start = time.perf_counter()
            envelope.derive_kek("a password of ordinary length", salt, kdf)
            times.append((time.perf_counter() - start) * 1000)
        self.stdout.write(
            f"{kdf}: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms over {len(times)} rounds"
        )
