"""Issue 12: the memo search document (written for every memo that exists), its substring index — pg_trgm's GIN
index on PostgreSQL (the extension is created if missing: pg_trgm is a trusted extension, so the database's
owner may create it; docs/deployment.md), an FTS5 trigram table kept by triggers on SQLite — and the indexes
of the lists: the parts of the visibility union and "done by me"."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from workflow.search import document_rows

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE workflow_memosearch_fts USING fts5(document, content='workflow_memosearch', "
    "content_rowid='rowid', tokenize='trigram')",
    "INSERT INTO workflow_memosearch_fts(workflow_memosearch_fts) VALUES ('rebuild')",
    "CREATE TRIGGER workflow_memosearch_ai AFTER INSERT ON workflow_memosearch BEGIN "
    "INSERT INTO workflow_memosearch_fts(rowid, document) VALUES (new.rowid, new.document); END",
    "CREATE TRIGGER workflow_memosearch_ad AFTER DELETE ON workflow_memosearch BEGIN "
    "INSERT INTO workflow_memosearch_fts(workflow_memosearch_fts, rowid, document) VALUES ('delete', old.rowid, old.document); END",
    "CREATE TRIGGER workflow_memosearch_au AFTER UPDATE ON workflow_memosearch BEGIN "
    "INSERT INTO workflow_memosearch_fts(workflow_memosearch_fts, rowid, document) VALUES ('delete', old.rowid, old.document); "
    "INSERT INTO workflow_memosearch_fts(rowid, document) VALUES (new.rowid, new.document); END",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS workflow_memosearch_ai",
    "DROP TRIGGER IF EXISTS workflow_memosearch_ad",
    "DROP TRIGGER IF EXISTS workflow_memosearch_au",
    "DROP TABLE IF EXISTS workflow_memosearch_fts",
]
POSTGRES_TRGM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX workflow_memosearch_trgm ON workflow_memosearch USING gin (document gin_trgm_ops)",
]
POSTGRES_TRGM_DROP = ["DROP INDEX IF EXISTS workflow_memosearch_trgm"]  # the extension may serve others


def _run(schema_editor, statements):
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def fill_and_index(apps, schema_editor):
    """Every memo's document in one INSERT … SELECT, then its index (built once, after the rows)."""
    memo_model = apps.get_model("memos", "Memo")
    step_model = apps.get_model("workflow", "RouteStep")
    select, params = document_rows(memo_model=memo_model, step_model=step_model).query.sql_with_params()
    if schema_editor.connection.vendor == "sqlite":
        select = f"SELECT * FROM ({select}) WHERE true"  # noqa: S608 - the ORM's own SQL
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO workflow_memosearch (memo_id, document) {select}", params)  # noqa: S608
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, SQLITE_FTS)
    elif schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, POSTGRES_TRGM)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _run(schema_editor, SQLITE_FTS_DROP)
    elif schema_editor.connection.vendor == "postgresql":
        _run(schema_editor, POSTGRES_TRGM_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0008_memo_list_order_index"),
        ("org", "0003_auth_tokens"),
        ("signatures", "0009_signedpdf"),
        ("viewflow", "0015_task_scheduled"),
        ("workflow", "0008_english_choice_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MemoSearch",
            fields=[
                (
                    "memo",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search",
                        serialize=False,
                        to="memos.memo",
                        verbose_name="memo",
                    ),
                ),
                ("document", models.TextField(verbose_name="search document")),
            ],
            options={
                "verbose_name": "memo search document",
                "verbose_name_plural": "memo search documents",
            },
        ),
        migrations.RunPython(fill_and_index, drop_index),
        migrations.AddIndex(
            model_name="routestep",
            index=models.Index(fields=["assignee", "memo"], name="step_assignee_memo_idx"),
        ),
        migrations.AddIndex(
            model_name="routestep",
            index=models.Index(
                condition=models.Q(("acted_at__isnull", False), ("order__gt", 0)),
                fields=["assignee", "memo"],
                name="step_done_by_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="stepreassignment",
            index=models.Index(fields=["previous_assignee", "step"], name="reassign_previous_idx"),
        ),
    ]
