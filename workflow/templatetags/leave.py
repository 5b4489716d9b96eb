"""{% leave_links %}: the profile's links to the leave pages ("Leave to approve" only when some waits)."""

from typing import Any

from django import template

from org import leave as org_leave

register = template.Library()


@register.inclusion_tag("workflow/_leave_links.html", takes_context=True)
def leave_links(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    return {"to_decide": org_leave.leaves_to_decide(person=user).count() if user.is_authenticated else 0}
