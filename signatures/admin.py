"""Keys and certificates in the admin, read-only: they are issued, re-wrapped and revoked by
signatures.services only, and the encrypted private keys are never shown."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from signatures import selectors
from signatures.models import CertificateAuthority, SignedPdfUpdate, SigningKey


@admin.register(CertificateAuthority)
class CertificateAuthorityAdmin(ReadOnlyAdmin):
    list_display = ("subject", "imported", "is_active", "crl_number", "crl_next_update", "created_at")
    fields = (
        "subject",
        "organisation",
        "certificate_sha256",
        "imported",
        "is_active",
        "crl_number",
        "crl_next_update",
        "created_at",
        "certificate_pem",
    )
    readonly_fields = fields

    @admin.display(description=_("certificate (PEM)"))
    def certificate_pem(self, obj: CertificateAuthority) -> SafeString:
        return format_html("<pre>{}</pre>", selectors.certificate_pem(selectors.ca_certificate(obj)))


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ("subject", "purpose", "person", "serial", "not_after", "wrapped_by", "revoked_at")
    list_filter = ("purpose", "wrapped_by", "revocation_reason")
    search_fields = ("subject", "serial", "person__username", "person__first_name_th", "person__last_name_th")
    list_select_related = ("person",)
    fields = (
        "subject",
        "purpose",
        "person",
        "ca",
        "serial",
        "public_key_sha256",
        "not_before",
        "not_after",
        "wrapped_by",
        "kdf",
        "created_at",
        "rewrapped_at",
        "revoked_at",
        "revocation_reason",
        "certificate_pem",
    )
    readonly_fields = fields

    @admin.display(description=_("certificate (PEM)"))
    def certificate_pem(self, obj: SigningKey) -> SafeString:
        return format_html("<pre>{}</pre>", selectors.certificate_pem(selectors.certificate(obj)))


@admin.register(SignedPdfUpdate)
class SignedPdfUpdateAdmin(ReadOnlyAdmin):
    """Each revision's signed PDF as it grew: which field each update signed, the PDF's size and SHA-256 after
    it. The bytes themselves are not shown (the memo's readers download the PDF from the memo page)."""

    list_display = ("revision", "sequence", "field", "size", "sha256", "created_at")
    list_select_related = ("revision__memo",)
    search_fields = ("sha256", "revision__memo__number", "revision__sha256")
    fields = ("revision", "sequence", "field", "size", "sha256", "fields", "created_at")
    readonly_fields = fields
