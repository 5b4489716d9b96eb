"""Independent writes sent to the database together (issue 12: an approve's statements are counted).

A service that ends with several writes which neither read nor write each other's rows (the next step's row, the
notifications of it, the memo's search document, its PDF request, the audit event) collects them in a `Batch` and
sends them with `run()`:

- on PostgreSQL as **one statement**: every write but the last becomes a data-modifying `WITH` query, and a write
  that returns rows is read back through the statement's own `SELECT`;
- on SQLite (one writer at a time, no data-modifying `WITH`) one after the other, in the order they were added.

What a write returns is given to its `then` callback, in the order the writes were added, after the statement.

The rule the caller keeps, because PostgreSQL runs the parts of one statement on one snapshot: **no write in a batch
may read or change a row that another write of the same batch changes** (each sees the database as it was before
the statement). A write that depends on another goes in a later batch. Tested in core/tests/test_batch.py.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, models
from django.db.models import sql

Rows = list[tuple[Any, ...]]


@dataclass
class Write:
    """One INSERT, UPDATE or DELETE: `returning` names the columns of its `RETURNING` clause (written in `sql`),
    empty when it returns nothing; `then` is called with its rows once the batch has run."""

    sql: str
    params: Sequence[Any]
    returning: tuple[str, ...] = ()
    then: Callable[[Rows], None] | None = None


@dataclass
class Batch:
    using: str = "default"
    writes: list[Write] = field(default_factory=list)

    def add(
        self,
        sql_text: str,
        params: Sequence[Any],
        *,
        returning: Sequence[str] = (),
        then: Callable[[Rows], None] | None = None,
    ) -> None:
        self.writes.append(Write(sql_text, tuple(params), tuple(returning), then))

    def add_update(self, instance: models.Model, fields: Sequence[str]) -> None:
        """The UPDATE that `instance.save(update_fields=fields)` would run (no signals are sent: use it only for
        models without save receivers)."""
        text, params = update_sql(instance, fields, using=self.using)
        self.add(text, params)

    def run(self) -> None:
        writes, self.writes = self.writes, []
        if not writes:
            return
        connection = connections[self.using]
        if connection.vendor == "postgresql" and len(writes) > 1:
            results = _run_together(connection, writes)
        else:
            results = [_run_one(connection, write) for write in writes]
        for write, rows in zip(writes, results, strict=True):
            if write.then is not None:
                write.then(rows)


def _run_one(connection: Any, write: Write) -> Rows:
    with connection.cursor() as cursor:
        cursor.execute(write.sql, write.params)
        return [tuple(row) for row in cursor.fetchall()] if write.returning else []


def _run_together(connection: Any, writes: list[Write]) -> list[Rows]:
    """One statement: `WITH w0 AS (…), w1 AS (…) SELECT …` — each returning write's rows come back tagged with
    its index, in a column block of its own (the others NULL), so each keeps its database types."""
    quote = connection.ops.quote_name
    returning = [index for index, write in enumerate(writes) if write.returning]
    params: list[Any] = []
    ctes = []
    for index, write in enumerate(writes):
        ctes.append(f"w{index} AS ({write.sql})")
        params.extend(write.params)
    if not returning:  # the last write is the statement's own
        with connection.cursor() as cursor:
            cursor.execute("WITH " + ", ".join(ctes[:-1]) + " " + writes[-1].sql, params)
        return [[] for _ in writes]
    starts: dict[int, int] = {}  # each returning write's first column in the row, after the index
    width = 0
    for index in returning:
        starts[index] = width
        width += len(writes[index].returning)
    selects = []
    for index in returning:
        cells = ["NULL"] * width
        for position, column in enumerate(writes[index].returning):
            cells[starts[index] + position] = f"w{index}.{quote(column)}"
        selects.append(f"SELECT {index}, {', '.join(cells)} FROM w{index}")  # noqa: S608 - our own names
    results: list[Rows] = [[] for _ in writes]
    with connection.cursor() as cursor:
        cursor.execute("WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects), params)
        for row in cursor.fetchall():
            index = row[0]
            start = 1 + starts[index]
            results[index].append(tuple(row[start : start + len(writes[index].returning)]))
    return results


def update_sql(instance: models.Model, fields: Sequence[str], *, using: str = "default") -> tuple[str, Any]:
    """The SQL and parameters of `instance.save(update_fields=fields)`'s UPDATE, compiled by Django (each field's
    `pre_save`, so `auto_now` fields move as in a save)."""
    meta = instance._meta
    wanted = set(fields)
    values = [
        (field_, None, field_.pre_save(instance, False))
        for field_ in meta.local_concrete_fields
        if not field_.primary_key
        and not getattr(field_, "generated", False)
        and (field_.name in wanted or field_.attname in wanted)
    ]
    found = {field_.name for field_, _, _ in values} | {field_.attname for field_, _, _ in values}
    missing = wanted - found
    if missing:
        raise ValueError(f"{meta.label} has no concrete fields named {sorted(missing)}")
    queryset = type(instance)._base_manager.using(using).filter(pk=instance.pk)
    query: Any = queryset.query.chain(sql.UpdateQuery)
    query.add_update_fields(values)
    query.annotations = {}
    text, params = query.get_compiler(using).as_sql()
    return text, params


def insert_sql(objs: Sequence[models.Model], *, using: str = "default") -> tuple[str, Any, tuple[str, ...]]:
    """The SQL and parameters of `bulk_create(objs)`'s one INSERT for objects without a primary key yet (an auto
    field), with `RETURNING` the key; the third item names the returned column."""
    if not objs:
        raise ValueError("nothing to insert")
    model = type(objs[0])
    meta = model._meta
    pk = meta.pk
    if pk is None:
        raise ValueError(f"{meta.label} has no primary key")
    fields = [f for f in meta.concrete_fields if not getattr(f, "generated", False) and f is not pk]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    query = sql.InsertQuery(model)
    query.insert_values(fields, list(objs))
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [pk]
    statements = compiler.as_sql()
    if len(statements) != 1:
        raise ValueError("the objects need more than one INSERT")
    text, params = statements[0]
    return text, params, (str(pk.column),)
