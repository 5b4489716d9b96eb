"""Template context for every page: the count of my tasks shown in the header (one query)."""

from typing import Any

from django.http import HttpRequest


def my_tasks(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from workflow.selectors import header_for

    return header_for(user=user)
