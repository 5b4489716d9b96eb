"""The notifications as written, read-only in the admin: who was told what about which memo, and what became
of the e-mail, so that an administrator can answer "was I told?" without the database."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from notifications.models import Notification
from notifications.texts import wording


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "memo", "actor", "read_at", "email_state")
    list_filter = ("kind", "email_state", ("created_at", admin.DateFieldListFilter))
    search_fields = ("recipient__username", "recipient__first_name", "recipient__last_name", "memo__number")
    list_select_related = ("recipient", "memo", "actor")
    fields = (
        "created_at",
        "recipient",
        "kind",
        "sentence",
        "memo",
        "actor",
        "read_at",
        "email_state",
        "params",
    )
    readonly_fields = fields
    show_full_result_count = False  # no COUNT(*) over every notification ever written

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("recipient", "memo", "actor")

    @admin.display(description=_("what they were told"))
    def sentence(self, obj: Notification) -> str:
        return str(wording(obj).sentence)
