"""Template context for every page: the header's task count and whether
the person may write a memo (one query).

It lives in workflow, not core: the count is a workflow read, and core knows no app."""

from typing import Any

from django.http import HttpRequest

from workflow.selectors import header_for


def my_tasks(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return header_for(user=user)
