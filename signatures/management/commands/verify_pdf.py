"""`manage.py verify_pdf FILE`: check every signature of a signed PDF against the organisation's CA and CRL.

Exit status 0 when the document is valid, 1 when it is not (or is not a readable PDF). Labels in the
LANGUAGE_CODE setting's language (Thai), or --lang en.
"""

from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from signatures.verification import UnsupportedFile
from signatures.verify_public import COVERAGE_LABELS, MODIFICATION_LABELS, verify_upload


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S %Z") if value else "-"


def _yes(value: bool | None) -> str:
    return "-" if value is None else (_("yes") if value else _("no"))


class Command(BaseCommand):
    help = "Verify the signatures of a PDF (exit 0: valid, 1: not valid)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The signed PDF.")
        parser.add_argument("--lang", choices=["th", "en"], default=None, help="Label language.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from error
        with translation.override(options["lang"] or settings.LANGUAGE_CODE):
            self._verify(content)

    def _verify(self, content: bytes) -> None:
        try:
            body = verify_upload(content)
        except UnsupportedFile as error:
            self.stdout.write(f"{_('Result')}: {_('NOT VALID')}\n  unsupported_file: {error.message}")
            raise SystemExit(1) from error
        out = self.stdout.write
        for sig in body["signatures"]:
            out(f"{sig['index']}. {sig['signer']}  ({sig['field']})")
            rows = [
                (_("Position"), sig["position"] or "-"),
                (_("Capacity"), sig["capacity"] or "-"),
                (_("Signed at"), _when(sig["signed_at"])),
                (_("Timestamp"), _when(sig["timestamp"])),
                (_("Intact"), _yes(sig["intact"])),
                (_("Trusted"), _yes(sig["trusted"])),
                (_("Revoked"), _yes(sig["revoked"])),
                (_("Covers"), str(COVERAGE_LABELS[sig["coverage"]])),
                (_("Changed after it"), str(MODIFICATION_LABELS[sig["modifications"]])),
            ]
            for label, value in rows:
                out(f"   {label}: {value}")
        for problem in body["problems"]:
            where = f" [{problem['signature']}]" if problem["signature"] else ""
            out(f"! {problem['code']}{where}: {problem['detail']}")
        out(f"{_('Result')}: {_('VALID') if body['valid'] else _('NOT VALID')}")
        if not body["valid"]:
            raise SystemExit(1)
