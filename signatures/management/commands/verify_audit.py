"""`manage.py verify_audit [--checkpoint FILE ...]`: recompute the audit chain (core.audit_chain) from the first
event to the last, against every stored checkpoint and the files given. Exit 0 when intact; 1 naming the first
bad sequence number, in English and Thai. Lives in signatures because checking a checkpoint's seal does."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from core.audit_chain import Finding, rows_in_order, verify
from core.models import AuditEvent, AuditHead
from signatures.audit_checkpoint import CheckpointInvalid, checkpoint_read, stored_checkpoints

THAI = {
    "missing": "ไม่พบเหตุการณ์ลำดับที่ {n} (ถูกลบ)",
    "reordered": "เหตุการณ์ลำดับที่ {n} ไม่ต่อจากเหตุการณ์ก่อนหน้า (ลำดับถูกสลับ)",
    "altered": "เนื้อหาของเหตุการณ์ลำดับที่ {n} ไม่ตรงกับค่าแฮช (ถูกแก้ไข)",
    "rewritten": "เหตุการณ์ลำดับที่ {n} ไม่ตรงกับจุดตรวจสอบที่ลงนามไว้ (บันทึกส่วนท้ายถูกเขียนใหม่)",
    "head": "ส่วนหัวของบันทึกไม่ตรงกับเหตุการณ์สุดท้าย (ลำดับที่ {n})",
}


def describe(finding: Finding) -> tuple[str, str]:
    english = f"audit log broken at sequence {finding.sequence}: {finding.detail}"
    thai = "บันทึกการตรวจสอบไม่สมบูรณ์: " + THAI[finding.code].format(n=finding.sequence)
    return english, thai


class Command(BaseCommand):
    help = "Check the audit log's hash chain; exit 1 naming the first bad sequence number."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            type=Path,
            action="append",
            default=[],
            help="a checkpoint file kept off the server",
        )

    def fail(self, english: str, thai: str) -> None:
        self.stderr.write(english)
        self.stderr.write(thai)
        sys.exit(1)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoints = stored_checkpoints()
            for path in options["checkpoint"]:
                checkpoints.append(checkpoint_read(path.read_text(encoding="utf-8"), source=path.name))
        except (CheckpointInvalid, OSError) as error:
            self.fail(f"checkpoint refused: {error}", f"จุดตรวจสอบใช้ไม่ได้ (ลายมือชื่อไม่ถูกต้องหรืออ่านไม่ได้): {error}")
            return
        head = AuditHead.objects.filter(pk=1).values_list("sequence", "hash").first()
        result = verify(
            rows_in_order(AuditEvent._base_manager.all()),
            anchors=[c.anchor() for c in checkpoints],
            head=head,
        )
        if result.finding is not None:
            self.fail(*describe(result.finding))
            return
        self.stdout.write(
            f"audit log intact: {result.checked} events, head {result.last_sequence} {result.last_hash}, "
            f"{len(checkpoints)} checkpoint(s)"
        )
        self.stdout.write(f"บันทึกการตรวจสอบสมบูรณ์: {result.checked} เหตุการณ์")
