"""Search over memos (issue 12): one search box for the number, subject, body, writer, signatories and their
opinions, where Thai and Arabic digits match each other and a Thai word inside a compound is found.

Each memo has one search document (`MemoSearch`): that text with Thai digits written as Arabic ones,
lower-cased, each run of white space (a body's line breaks) one space.
A search term, normalised the same way, is a substring of it. Thai is written without spaces between words, so
word tokens would miss "ประชุม" in "การประชุมสภา"; substrings of three characters (trigrams) are indexed instead:
PostgreSQL's pg_trgm GIN index answers `LIKE '%term%'`, SQLite's FTS5 trigram table answers a phrase MATCH.
A term needs at least `MIN_TERM` characters: a shorter one has no trigram, and would read every document.

The document is rewritten by `memo_search_refresh`, in the transaction of every service that changes what it
holds (the memo's text and number, a step's assignee, opinion or order); migration 0009 wrote it for the memos
that existed before.
"""

import re
import uuid
from typing import Any

from django.db import connection
from django.db.models import (
    Expression,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _

from core.batch import Batch
from core.errors import ValidationFailed
from memos.models import Memo, Register
from workflow.models import MemoSearch, RouteStep

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
MIN_TERM = 3
MAX_TERM = 200
FTS_TABLE = "workflow_memosearch_fts"
#: The white space a document and a term have as one space: a body's line breaks and tabs, and the no-break and
#: ideographic spaces that text pasted from a word processor brings. Written out, because PostgreSQL's idea of
#: white space differs from Python's.
WHITE_SPACE = "\t\n\r\x0b\x0c\xa0\u2028\u2029\u202f\u3000"
_FROM, _TO = THAI_DIGITS + WHITE_SPACE, "0123456789" + " " * len(WHITE_SPACE)
_AS_TEXT = str.maketrans(_FROM, _TO)
#: `normalise` as an SQL function on SQLite, registered on each connection (register_sqlite_functions).
SQLITE_NORMALISE = "memoflow_normalise"


def normalise(text: str) -> str:
    """What a document and a search term are compared as: Arabic digits, lower case, each run of `WHITE_SPACE`
    and spaces one space (a phrase typed on one line finds it where the body breaks the line)."""
    return re.sub(" +", " ", text.translate(_AS_TEXT).lower()).strip()


def register_sqlite_functions(connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver (workflow.apps): SQLite has no translate() nor regular expressions, and
    Replace() nested twenty deep overflows its parser's stack, so the document is normalised by Python there."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_NORMALISE, 1, lambda text: None if text is None else normalise(text), deterministic=True
        )


def search_term(value: str | None) -> str | None:
    """A search box's value as a term to look for; None when empty. Shorter than `MIN_TERM`: bad input."""
    term = normalise(value or "")
    if not term:
        return None
    if len(term) < MIN_TERM:
        raise ValidationFailed(fields={"q": [too_short_message()]})
    return term


def too_short_message() -> Any:
    return _("Type at least %(n)s characters to search, for example ๓๒๘ or ประชุม.") % {"n": MIN_TERM}


# The document ------------------------------------------------------------------------------------------------


class _Normalised(Func):
    """`normalise` in SQL: PostgreSQL's translate() for the digits and white space, a regular expression for runs
    of spaces, lower(); on SQLite the Python function itself."""

    arity = 1
    output_field = TextField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function=SQLITE_NORMALISE, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        (expression,) = self.get_source_expressions()
        text = TextField()
        translated = Func(expression, Value(_FROM), Value(_TO), function="translate", output_field=text)
        spaced = Func(
            translated, Value(" +"), Value(" "), Value("g"), function="regexp_replace", output_field=text
        )
        return compiler.compile(Lower(spaced))


def normalised_expression(expression: Expression | F) -> Expression:
    """`expression`'s text as `normalise` makes it, in SQL."""
    return _Normalised(expression)


class _Joined(Func):
    """Texts joined by spaces, a NULL (no assignee yet) as '': `COALESCE(a, '') || ' ' || COALESCE(b, '') …`,
    flat — Concat nests one pair per argument, deeper than SQLite's parser allows for a document's parts."""

    arg_joiner = " || ' ' || "
    template = "(%(expressions)s)"
    output_field = TextField()

    def __init__(self, *parts: Any) -> None:
        super().__init__(*(Coalesce(part, Value(""), output_field=TextField()) for part in parts))


PERSON_NAMES = ("title", "first_name_th", "last_name_th", "first_name", "last_name")


def document_rows(*, memo_model: Any, step_model: Any) -> QuerySet[Any]:
    """(memo id, document) for every memo of `memo_model` (the caller filters), in one SELECT. The models are
    parameters so that the migration that fills the table can use its historical ones."""
    steps = (
        step_model.objects.filter(memo_id=OuterRef("pk"))
        .order_by()
        .values("memo_id")
        .annotate(
            text=StringAgg(
                _Joined(*(F(f"assignee__{name}") for name in PERSON_NAMES), F("opinion"), F("decision_text")),
                delimiter=Value(" "),
            )
        )
        .values("text")
    )
    text = _Joined(
        F("number"),
        F("subject"),
        F("body"),
        *(F(f"writer__{name}") for name in PERSON_NAMES),
        Subquery(steps, output_field=TextField()),
    )
    rows: QuerySet[Any] = memo_model.objects.order_by().values_list("pk", normalised_expression(text))
    return rows


def memo_search_refresh(*, memo_id: Any, batch: Batch | None = None) -> None:
    """Rewrite one memo's search document from its rows as they are now: one INSERT … SELECT … ON CONFLICT
    statement, inside the calling service's transaction (it has none of its own). The statement is the same for
    every memo but its id: it is compiled once per process and database (`_refresh_statement`), as building and
    compiling the ORM's query cost more than the statement itself (about 3 ms of an approve's 31)."""
    sql, params, position = _refresh_statement()
    bound = list(params)
    bound[position] = Memo._meta.pk.get_db_prep_value(memo_id, connection)
    if batch is not None:  # sent with the batch's writes (core.batch): none of them may change what it reads
        batch.add(sql, bound)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)


_REFRESH_STATEMENTS: dict[tuple[str, str], tuple[str, tuple[Any, ...], int]] = {}
#: An id no memo has, to find where the memo's id goes among the compiled statement's parameters.
_PLACEHOLDER_ID = uuid.UUID("6d656d6f-666c-4f77-8000-736561726368")


def _refresh_statement() -> tuple[str, tuple[Any, ...], int]:
    key = (connection.alias, connection.vendor)
    if key not in _REFRESH_STATEMENTS:
        select, params = (
            document_rows(memo_model=Memo, step_model=RouteStep)
            .filter(pk=_PLACEHOLDER_ID)
            .query.sql_with_params()
        )
        placeholder = Memo._meta.pk.get_db_prep_value(_PLACEHOLDER_ID, connection)
        positions = [index for index, value in enumerate(params) if value == placeholder]
        if len(positions) != 1:  # the query changed shape: the id must be its one parameter of that value
            raise RuntimeError(f"the search document's statement has {len(positions)} memo ids, not one")
        table = connection.ops.quote_name(MemoSearch._meta.db_table)
        sql = (
            f"INSERT INTO {table} (memo_id, document) {select} "
            "ON CONFLICT (memo_id) DO UPDATE SET document = excluded.document"
        )
        _REFRESH_STATEMENTS[key] = (sql, tuple(params), positions[0])
    return _REFRESH_STATEMENTS[key]


def memo_search_fill_missing() -> int:
    """Write the search document of every memo that has none, in one INSERT … SELECT: for memos inserted in bulk
    around the services (a load generator, an import). Returns how many were written."""
    rows = document_rows(memo_model=Memo, step_model=RouteStep).exclude(
        pk__in=MemoSearch.objects.values("memo_id")
    )
    select, params = rows.query.sql_with_params()
    if connection.vendor == "sqlite":  # an INSERT … SELECT needs its own WHERE before ON CONFLICT there
        select = f"SELECT * FROM ({select}) WHERE true"  # noqa: S608 - the ORM's own SQL
    table = connection.ops.quote_name(MemoSearch._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (memo_id, document) {select}", params)
        return int(cursor.rowcount)


# Finding ----------------------------------------------------------------------------------------------------


#: A term shaped like a memo's number: an optional document code (letters and digits), '/', the running number.
NUMBER_TERM = re.compile(r"(?P<code>[^/]*)/(?P<sequence>[0-9]{1,9})")


def number_filter(term: str) -> Q | None:
    """For a term shaped like a memo's number ("52001/15", "พบ 52001/15", "/15"): the memos whose number it is —
    the running number exactly, in a register whose code contains what was typed before the '/'. Answered by
    the unique index on (register, sequence) for each matching register, whatever the number of memos; None
    for any other term. The registers are few (one per document code and year), so normalising their codes
    in the query costs little."""
    match = NUMBER_TERM.fullmatch(term)
    if match is None:
        return None
    code = match["code"].strip()
    if code and not any(ch.isdigit() for ch in code):
        return None  # words before a '/', not a document code
    registers = Register.objects.all()
    if code:
        registers = registers.alias(code=normalised_expression(F("document_code"))).filter(
            code__contains=code
        )
    return Q(register__in=registers.values("pk"), sequence=int(match["sequence"]))


def search_filter(term: str) -> Q:
    """Memos whose document contains `term` (normalised, at least MIN_TERM characters), as a filter on the
    memo id: PostgreSQL through the trigram index, SQLite through the FTS5 trigram table.

    A term shaped like a memo's number finds the memos with that number (`number_filter`) when there are any
    (one indexed query to know): a short running number like "52001/15" has trigrams common to thousands of
    documents (every /15x and /15xx of the code's registers), which the trigram index answered in 0.4-1 s at a
    million memos (docs/performance.md). With no memo of that number, the documents are searched as for any
    term (a reference to an order, "คำสั่ง 210/2566", is found in a memo's text)."""
    by_number = number_filter(term)
    if by_number is not None and Memo.objects.filter(by_number).exists():
        return by_number
    if connection.vendor == "sqlite":
        phrase = '"' + term.replace('"', '""') + '"'
        matching = RawSQL(  # noqa: S611 - constant names; the term is a parameter
            f"SELECT memo_id FROM {MemoSearch._meta.db_table} WHERE rowid IN "  # noqa: S608
            f"(SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)",
            (phrase,),
        )
        return Q(pk__in=matching)
    return Q(pk__in=MemoSearch.objects.filter(document__contains=term).values("memo_id"))
