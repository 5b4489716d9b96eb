"""Pages of a list without counting it: one query reads the page and one row more, which says whether a next
page exists. An exact COUNT(*) over a large, filtered set costs as much as reading it all (issue 12: most of a
list's time at a million memos); nobody needs "page 3 of 4,812" to read the newest memos or their tasks.

`page_window` serves the web pages, `WindowPagination` the API (`results`, `next`, `previous`; no `count`).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


@dataclass(frozen=True)
class PageWindow:
    """One page of a list: its rows, its number (from 1), and whether a page comes before and after it."""

    object_list: Sequence[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


#: The last page number accepted: beyond, the offset would overflow the database's integers (a 500), and no
#: list is that long.
MAX_PAGE = 1_000_000


def page_number(value: Any) -> int | None:
    """A page number from a query string (1 when absent); None when it is not a whole number from 1 to
    MAX_PAGE."""
    if value in (None, ""):
        return 1
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 1 <= number <= MAX_PAGE else None


def page_window(queryset: QuerySet[Any], number: int, size: int) -> PageWindow:
    """Page `number` of `queryset` (ordered), in one query: `size` rows and one more to know about the next."""
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return PageWindow(object_list=rows[:size], number=number, has_next=len(rows) > size)


class WindowPagination(BasePagination):
    """DRF pagination by page number, without a count: `{"next", "previous", "results"}`.

    `?page=` past the last page, or not a positive whole number, is 404 (as DRF's PageNumberPagination)."""

    page_size = 50
    page_query_param = "page"

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        number = page_number(request.query_params.get(self.page_query_param))
        if number is None:
            raise NotFound()
        self.request = request
        self.window = page_window(queryset, number, self.page_size)
        if number > 1 and not self.window.object_list:
            raise NotFound()
        return list(self.window.object_list)

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self._link(+1), "previous": self._link(-1), "results": data})

    def _link(self, step: int) -> str | None:
        window = self.window
        if (step > 0 and not window.has_next) or (step < 0 and not window.has_previous):
            return None
        url = self.request.build_absolute_uri()
        number = window.number + step
        if number == 1:
            return str(remove_query_param(url, self.page_query_param))
        return str(replace_query_param(url, self.page_query_param, number))

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page; null on the last one. No total is counted.",
                },
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            }
        ]
