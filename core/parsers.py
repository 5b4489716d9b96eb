"""The API's parsers: DRF's, and they refuse what would otherwise answer 500 (see core.api).

Kept apart from core.api: DRF reads DEFAULT_PARSER_CLASSES while rest_framework.views is being imported.
"""

from typing import Any

from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

from core.errors import ValidationFailed

NUL = "\x00"
NUL_MESSAGE = _("Text may not contain the NUL character (\\0).")


def find_nul(data: Any, prefix: str = "") -> str | None:
    """The path of the first string (or key) holding a NUL character, or None. Iterative: JSON may be deep."""
    stack: list[tuple[str, Any]] = [(prefix, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                return path or "non_field_errors"
        elif isinstance(value, dict):
            for key, item in value.items():
                name = str(key).replace(NUL, "\\0")
                child = f"{path}.{name}" if path else name
                if NUL in str(key):
                    return child
                stack.append((child, item))
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}.{i}" if path else str(i), item) for i, item in enumerate(value))
    return None


def _query_dict_nul(data: MultiValueDict[str, Any]) -> str | None:
    for key, values in data.lists():
        if NUL in key:
            return key.replace(NUL, "\\0")
        if any(isinstance(value, str) and NUL in value for value in values):
            return key
    return None


def refuse_nul(field: str) -> ValidationFailed:
    return ValidationFailed(fields={field: [NUL_MESSAGE]})


class JSONParser(parsers.JSONParser):
    """DRF's parser, and: JSON nested too deeply is a parse error (Python's json raises RecursionError at
    about 1000 levels), and a NUL character anywhere is refused (PostgreSQL cannot store it in text)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(gettext("the JSON is nested too deeply")) from None
        field = find_nul(data)
        if field is not None:
            raise refuse_nul(field)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        data = super().parse(stream, media_type, parser_context)
        field = _query_dict_nul(data)
        if field is not None:
            raise refuse_nul(field)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        field = _query_dict_nul(result.data)  # file names: Django keeps only their printable characters
        if field is not None:
            raise refuse_nul(field)
        return result
