"""The memo as a document: its content, its immutable revisions, its enclosures and the numbering register.

The lifecycle (draft → in_review → completed → archived, with return, reject and withdraw) is declared here once
with django-fsm-2; the workflow app decides when each transition happens.
"""

import uuid
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition
from viewflow.workflow.models import Process

from org.models import Organisation, Person, Position, Unit


class MemoStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for revision")
    COMPLETED = "completed", _("Completed")
    ARCHIVED = "archived", _("Archived")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


EDITABLE_STATUSES = (MemoStatus.DRAFT, MemoStatus.RETURNED)
FINAL_STATUSES = (MemoStatus.COMPLETED, MemoStatus.ARCHIVED, MemoStatus.REJECTED, MemoStatus.WITHDRAWN)


class Urgency(models.TextChoices):
    """ชั้นความเร็ว as stamped on the memo."""

    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    VERY_URGENT = "very_urgent", _("Very urgent")
    MOST_URGENT = "most_urgent", _("Most urgent")


URGENCY_STAMP = {
    Urgency.NORMAL: "",
    Urgency.URGENT: "ด่วน",
    Urgency.VERY_URGENT: "ด่วนมาก",
    Urgency.MOST_URGENT: "ด่วนที่สุด",
}


class Secrecy(models.TextChoices):
    """ชั้นความลับ (ระเบียบว่าด้วยการรักษาความลับของทางราชการ): empty for an ordinary memo. A classified memo's
    subject never leaves memoflow in an e-mail or a webhook (issue 13)."""

    NONE = "", _("Not classified")
    CONFIDENTIAL = "confidential", _("Confidential (ลับ)")
    SECRET = "secret", _("Secret (ลับมาก)")
    TOP_SECRET = "top_secret", _("Top secret (ลับที่สุด)")


class Memo(ConcurrentTransitionMixin, models.Model):
    """บันทึกข้อความ: an internal memo, written by a person in a position, routed for signatures."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memos")
    writer = models.ForeignKey(
        Person, verbose_name=_("writer"), on_delete=models.PROTECT, related_name="memos_written"
    )
    writer_position = models.ForeignKey(
        Position, verbose_name=_("writer's position"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="memos"
    )
    department = models.CharField(
        _("department"), max_length=500, help_text=_("The owning unit and its phone, as printed.")
    )
    number = models.CharField(_("number"), max_length=64, blank=True)
    register_year = models.PositiveIntegerField(_("register year (B.E.)"), null=True, blank=True)
    sequence = models.PositiveIntegerField(_("running number"), null=True, blank=True)
    register = models.ForeignKey(
        "Register",
        verbose_name=_("register"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memos",
        editable=False,
        help_text=_("The register (document code and year) the number was taken from."),
    )
    date = models.DateField(_("date"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=1000)
    addressee = models.CharField(
        _("addressee"), max_length=500, blank=True, help_text=_("Empty: the final step's position.")
    )
    body = models.TextField(_("body"), help_text=_("One paragraph per line."))
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = models.CharField(
        _("secrecy"), max_length=16, choices=Secrecy.choices, default=Secrecy.NONE, blank=True
    )
    status = FSMField(
        _("status"), max_length=16, choices=MemoStatus.choices, default=MemoStatus.DRAFT, protected=True
    )
    revision = models.PositiveIntegerField(_("revision"), default=0, help_text=_("0 until first submitted."))
    current_revision = models.ForeignKey(
        "MemoRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    process = models.OneToOneField(
        Process, null=True, blank=True, on_delete=models.PROTECT, related_name="memo", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    status_changed_at = models.DateTimeField(_("status changed"), auto_now_add=True)
    archive_file = models.CharField(
        _("archived PDF"),
        max_length=255,
        blank=True,
        help_text=_("Path under the archive storage; never overwritten."),
    )
    archive_sha256 = models.CharField(_("archived PDF SHA-256"), max_length=64, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    certificate_file = models.CharField(
        _("certificate of completion"),
        max_length=255,
        blank=True,
        help_text=_("Path under the archive storage, beside the archived PDF; never overwritten."),
    )
    certificate_sha256 = models.CharField(_("certificate of completion SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("memo")
        verbose_name_plural = _("memos")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["writer", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
            # The register (workflow.register): an organisation's numbered memos, newest date first.
            models.Index(
                fields=["organisation", "-date", "-register_year", "-sequence", "-id"],
                condition=models.Q(sequence__isnull=False),
                name="memo_register_idx",
            ),
            models.Index(
                fields=["organisation", "-register_year", "-sequence", "-id"],
                condition=models.Q(sequence__isnull=False),
                name="memo_register_number_idx",
            ),
            # Every list's order, newest first (created_at, id): read backwards, it gives the first page
            # without sorting the whole set (issue 12).
            models.Index(fields=["created_at", "id"], name="memo_created_id_idx"),
        ]
        constraints = [
            # Numbers restart every year (one register row per year), so a number is unique in its register.
            models.UniqueConstraint(fields=["register", "sequence"], name="memo_number_unique_in_register"),
        ]
        permissions = [("manage_memos", _("Can reassign steps of any memo (administrator)"))]

    def __str__(self) -> str:
        return f"{self.number or _('(no number)')} {self.subject[:60]}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.body.splitlines() if line.strip()]

    # The lifecycle. Each transition is called only by a service in workflow.services, under a row lock.
    @transition(field=status, source=[MemoStatus.DRAFT, MemoStatus.RETURNED], target=MemoStatus.IN_REVIEW)
    def submit(self) -> None:
        """ส่งเสนอ: the writer signs; the route starts (again) from the first step after the writer."""

    @transition(field=status, source=MemoStatus.IN_REVIEW, target=MemoStatus.RETURNED)
    def return_for_revision(self) -> None:
        """ส่งคืนแก้ไข."""

    @transition(field=status, source=MemoStatus.IN_REVIEW, target=MemoStatus.REJECTED)
    def reject(self) -> None:
        """ไม่อนุมัติ/ยุติเรื่อง: terminal."""

    @transition(field=status, source=MemoStatus.IN_REVIEW, target=MemoStatus.COMPLETED)
    def complete(self) -> None:
        """The last step has signed."""

    @transition(field=status, source=MemoStatus.COMPLETED, target=MemoStatus.ARCHIVED)
    def archive(self) -> None:
        """The sealed PDF is stored."""

    @transition(
        field=status,
        source=[MemoStatus.DRAFT, MemoStatus.RETURNED, MemoStatus.IN_REVIEW],
        target=MemoStatus.WITHDRAWN,
    )
    def withdraw(self) -> None:
        """ถอนเรื่อง: terminal. From in_review only while nobody after the writer has acted (checked by the service)."""


class MemoRevision(models.Model):
    """An immutable snapshot of what was submitted; signatures bind to its SHA-256."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    memo = models.ForeignKey(Memo, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    content = models.JSONField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("memo revision")
        verbose_name_plural = _("memo revisions")
        ordering = ["memo", "number"]
        constraints = [models.UniqueConstraint(fields=["memo", "number"], name="revision_unique_number")]

    def __str__(self) -> str:
        return f"{self.memo_id} r{self.number} {self.sha256[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError("A memo revision is immutable.")
        super().save(*args, **kwargs)


def enclosure_upload_to(instance: "Enclosure", filename: str) -> str:
    return f"enclosures/{instance.memo_id}/{instance.id}{instance.extension}"


class Enclosure(models.Model):
    """สิ่งที่ส่งมาด้วย: a title, and a file (PDF/PNG/JPEG) or structured table rows rendered later."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    memo = models.ForeignKey(Memo, on_delete=models.CASCADE, related_name="enclosures")
    order = models.PositiveIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=1000)
    file = models.FileField(_("file"), upload_to=enclosure_upload_to, blank=True, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=64, blank=True)
    extension = models.CharField(max_length=8, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    pixels = models.PositiveBigIntegerField(
        _("pixels"), default=0, help_text=_("Width × height of an image enclosure; 0 for others.")
    )
    table = models.JSONField(
        _("table"), null=True, blank=True, help_text=_("Structured rows for a report table enclosure.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("enclosure")
        verbose_name_plural = _("enclosures")
        ordering = ["memo", "order"]
        constraints = [models.UniqueConstraint(fields=["memo", "order"], name="enclosure_unique_order")]

    def __str__(self) -> str:
        return self.title


def rendered_pdf_upload_to(instance: "RenderedPdf", filename: str) -> str:
    return f"rendered/{instance.memo_id}/{filename}"


class RenderJob(models.TextChoices):
    IDLE = "idle", _("Idle")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")


class RenderedPdf(models.Model):
    """The memo's PDF as last rendered by the worker, served from storage; and whether a render is on its way.

    ``key`` is the document key of the stored file: a hash of everything printed (workflow.documents). The file
    is served while the memo's current key equals it; otherwise a render is queued or running, or failed for
    the current key (``failed_key``). A cache: it can always be rendered again, unlike the archive.
    """

    memo = models.OneToOneField(Memo, on_delete=models.CASCADE, related_name="rendered_pdf")
    job = models.CharField(_("render job"), max_length=8, choices=RenderJob.choices, default=RenderJob.IDLE)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    attempt = models.PositiveIntegerField(_("runs started"), default=0)
    key = models.CharField(_("document key"), max_length=64, blank=True)
    file = models.FileField(_("file"), upload_to=rendered_pdf_upload_to, blank=True, max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    rendered_at = models.DateTimeField(_("rendered"), null=True, blank=True)
    render_ms = models.PositiveIntegerField(_("render time (ms)"), default=0)
    failed_key = models.CharField(_("document key that failed"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=16, blank=True)  # "timeout" | "error"

    class Meta:
        verbose_name = _("rendered PDF")
        verbose_name_plural = _("rendered PDFs")

    def __str__(self) -> str:
        return f"{self.memo_id} {self.key[:12]} {self.job}"


class RegisterYear(models.TextChoices):
    CALENDAR = "calendar", _("Calendar year")
    FISCAL = "fiscal", _("Fiscal year")


class Register(models.Model):
    """ทะเบียนหนังสือ: the running numbers of one document code in one year. A number is never reused."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="registers")
    document_code = models.CharField(_("document code"), max_length=32)
    year_kind = models.CharField(_("year"), max_length=16, choices=RegisterYear.choices)
    year = models.PositiveIntegerField(_("year (B.E.)"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("registers")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "document_code", "year_kind", "year"], name="register_unique_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document_code} {self.year}"
