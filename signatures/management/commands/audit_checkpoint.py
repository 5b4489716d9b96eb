"""`manage.py audit_checkpoint`: sign the audit chain's head with the organisation's seal and keep it (database
and MEMOFLOW_AUDIT_CHECKPOINT_DIR). The workers also make one daily (the scheduled job "audit_checkpoint",
signatures.tasks; docs/deployment.md); copy the directory off the server."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from signatures.audit_checkpoint import audit_checkpoint_create
from signatures.errors import SigningNotConfigured


class Command(BaseCommand):
    help = (
        "Sign the audit log's head (sequence, hash, time) with the organisation's seal; write it to a file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=None, help="default: MEMOFLOW_AUDIT_CHECKPOINT_DIR")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = audit_checkpoint_create(directory=options["dir"])
        except SigningNotConfigured as error:
            raise CommandError(
                "the organisation's seal is not set up (manage.py signing_init, MEMOFLOW_SEAL_KEY_PASSPHRASE)\n"
                "ยังไม่ได้ตั้งค่าตราประทับอิเล็กทรอนิกส์ของหน่วยงาน"
            ) from error
        self.stdout.write(
            f"checkpoint {checkpoint.sequence} {checkpoint.head_hash} {checkpoint.at.isoformat()} "
            f"-> {checkpoint.file_name}"
        )
