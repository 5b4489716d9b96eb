"""Template context for every page: the count of my tasks shown in the header (one query).

It lives in workflow, not core: the count is a workflow read, and core knows no app."""

from typing import Any

from django.http import HttpRequest

from workflow.selectors import tasks_for


def my_tasks(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_task_count": tasks_for(user=user).count()}
