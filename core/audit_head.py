"""The audit chain's head moves with each event, in the database (issue 12: an approve's statements are counted).

An `AFTER INSERT` row trigger on the audit log sets the head row (core_audithead, pk 1) to the new event's
sequence number and hash: the appender locks the head, reads it, inserts the event, and the trigger moves the
head in the same statement — one statement fewer than an `UPDATE` of its own, with the same result under the same
lock (core.audit).

A bulk load (manage.py generate_load) writes events through COPY on a second connection while its own
transaction holds the head's lock: the trigger would wait for that lock for ever. Such a transaction sets
`SET LOCAL memoflow.bulk_load = 'on'` (PostgreSQL) and moves the head itself at the end. Anyone who inserts events
with it set, or who drops the trigger, leaves the head behind: the next append then links to an older hash, which
`manage.py verify_audit` reports as a broken chain, so nothing goes unnoticed.

A migration that remakes core_auditevent on SQLite drops the trigger with the table: it must add
`head_trigger_migration()` again (core/tests/test_audit_chain.py fails on SQLite until it does).
"""

from django.db import migrations

from core.append_only import sql_migration

TABLE = "core_auditevent"
NAME = "core_auditevent_moves_head"
BULK_LOAD_SETTING = "memoflow.bulk_load"


def install_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION "{NAME}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE core_audithead SET sequence = NEW.sequence, hash = NEW.hash WHERE id = 1;
    RETURN NULL;
END
$$""",  # noqa: S608 - our own names
            f'CREATE OR REPLACE TRIGGER "{NAME}" AFTER INSERT ON "{TABLE}" FOR EACH ROW '
            f"WHEN (current_setting('{BULK_LOAD_SETTING}', true) IS DISTINCT FROM 'on') "
            f'EXECUTE FUNCTION "{NAME}"()',
        ]
    if vendor == "sqlite":
        return [
            f'CREATE TRIGGER IF NOT EXISTS "{NAME}" AFTER INSERT ON "{TABLE}" BEGIN '  # noqa: S608
            "UPDATE core_audithead SET sequence = NEW.sequence, hash = NEW.hash WHERE id = 1; END"
        ]
    raise NotImplementedError(f"the audit head's trigger for {vendor}")


def remove_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{NAME}" ON "{TABLE}"', f'DROP FUNCTION IF EXISTS "{NAME}"()']
    return [f'DROP TRIGGER IF EXISTS "{NAME}"']


def head_trigger_migration() -> migrations.RunPython:
    return sql_migration(install_sql, remove_sql)
