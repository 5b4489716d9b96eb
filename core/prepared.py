"""Querysets compiled once, run many times with new values (issue 12: an approve under 25 ms at a million memos).

Building a queryset with annotations and `select_related`, and compiling it to SQL, costs Django more than
PostgreSQL takes to answer it: 2-4 ms for each of the few reads every API request or approve makes (the token
lookup, the step, the round's steps), against well under 1 ms in the database (docs/performance.md). A
`PreparedQuery` builds and compiles its queryset once per database connection and query shape, then runs the
same SQL with the new values, and gives model instances back through Django's own iterator (the compiler's
column map, converters, `select_related` objects and annotations are the ones of the first compile).

Where the values go is found, not assumed: the queryset is compiled twice, with two sets of marker values, and
each name's positions are those where the parameters differ (none: the shape does not use that value). A shape
whose SQL text changes with the values (a None, a list of another length), or a value the query changes before
it is sent, is refused when prepared: the caller makes it a separate shape (`shape`).
"""

import copy
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.models import Field, Model, QuerySet


@dataclass(frozen=True)
class Marker:
    """A name's two marker values (of the type the real values have) and the field that prepares a value for
    the database (as the lookup or `Value` it ends in does)."""

    first: Any
    second: Any
    field: Field[Any, Any]


@dataclass
class _Compiled:
    queryset: QuerySet[Any]
    compiler: Any
    sql: str
    params: tuple[Any, ...]
    positions: dict[str, list[int]]


class PreparedQuery[M: Model]:
    """`build(shape, **values)` returns the queryset (sliced and ordered as it is to run); `markers` name its
    values. `run(shape, **values)` returns the model instances."""

    def __init__(self, build: Callable[..., QuerySet[M]], **markers: Marker) -> None:
        self._build = build
        self._markers = markers
        self._compiled: WeakKeyDictionary[Any, dict[Hashable, _Compiled]] = WeakKeyDictionary()
        self._lock = threading.Lock()

    def run(self, shape: Hashable = None, *, using: str = "default", **values: Any) -> list[M]:
        connection = connections[using]
        compiled = self._prepared(connection, shape)
        params = list(compiled.params)
        for name, positions in compiled.positions.items():
            if not positions:  # this shape does not use the value
                continue
            value = self._markers[name].field.get_db_prep_value(values[name], connection, prepared=False)
            for position in positions:
                params[position] = value
        bound = tuple(params)
        compiler = copy.copy(compiled.compiler)
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, bound)
        queryset = compiled.queryset.all()  # a fresh clone: its own result cache
        queryset.query.get_compiler = lambda *args, **kwargs: compiler  # type: ignore[method-assign]
        return list(queryset)

    def _prepared(self, connection: Any, shape: Hashable) -> _Compiled:
        shapes = self._compiled.get(connection)
        if shapes is not None and shape in shapes:
            return shapes[shape]
        with self._lock:
            compiled = self._compile(connection, shape)
            self._compiled.setdefault(connection, {})[shape] = compiled
        return compiled

    def _compile(self, connection: Any, shape: Hashable) -> _Compiled:
        first = self._build(shape, **{name: marker.first for name, marker in self._markers.items()})
        second = self._build(shape, **{name: marker.second for name, marker in self._markers.items()})
        compiler = first.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        other_sql, other_params = second.query.get_compiler(connection=connection).as_sql()
        if sql != other_sql or len(params) != len(other_params):
            raise ValueError("a prepared query's SQL must not change with its values: make it another shape")
        positions: dict[str, list[int]] = {}
        for name, marker in self._markers.items():
            one = marker.field.get_db_prep_value(marker.first, connection, prepared=False)
            two = marker.field.get_db_prep_value(marker.second, connection, prepared=False)
            positions[name] = [
                index
                for index, (a, b) in enumerate(zip(params, other_params, strict=True))
                if a == one and b == two
            ]
        placed = {index for indexes in positions.values() for index in indexes}
        differing = {index for index, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b}
        if placed != differing:  # a value the query changed (or did not use as given) cannot be replaced
            raise ValueError(
                f"a prepared query's values were not all found among its parameters: {positions}"
            )
        return _Compiled(
            queryset=first, compiler=compiler, sql=sql, params=tuple(params), positions=positions
        )
