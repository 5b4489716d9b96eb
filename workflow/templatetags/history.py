"""Template filters of the history pages: `{{ at|moment }}` a time to the second in the reader's language,
`{{ at|moment_th }}` in Thai with Thai digits (the PDF)."""

from datetime import datetime

from django import template

from workflow.history import when_text

register = template.Library()


@register.filter(name="moment")
def moment(value: datetime | None) -> str:
    return when_text(value)


@register.filter(name="moment_th")
def moment_th(value: datetime | None) -> str:
    return when_text(value, digits="thai")
