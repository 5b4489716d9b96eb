"""Database triggers behind the key models' guards: a row's identity never changes, a revoked key never changes
again. They stop what bypasses the model (`_base_manager.update()`, raw SQL, dbshell) as core.append_only's do;
deletion is refused by the model and its QuerySet (a trigger on DELETE would also stop the test suite's flush).

A migration that remakes a table on SQLite drops its triggers: such a migration must run `guard_migration`
again (test_guards fails on SQLite until it does).
"""

from django.db import migrations

from core.append_only import sql_migration

MESSAGE = "the identity of a key or CA never changes, and a revoked key never changes again"

GUARDED: dict[str, tuple[tuple[str, ...], str | None]] = {
    # table: (columns that never change, a column that freezes the row once set)
    "signatures_signingkey": (
        (
            "id",
            "ca_id",
            "purpose",
            "person_id",
            "public_key",
            "public_key_sha256",
            "certificate",
            "serial",
            "subject",
            "not_before",
            "not_after",
            "created_at",
        ),
        "revoked_at",
    ),
    "signatures_certificateauthority": (
        (
            "id",
            "organisation_id",
            "subject",
            "certificate",
            "certificate_sha256",
            "wrapped_key",
            "kdf_salt",
            "kdf",
            "chain_pem",
            "imported",
            "created_at",
        ),
        None,
    ),
}


def trigger_name(table: str) -> str:
    return f"{table}_guard"


def install_sql(vendor: str, table: str) -> list[str]:
    columns, frozen_by = GUARDED[table]
    name = trigger_name(table)
    if vendor == "postgresql":
        changed = " OR ".join(f'NEW."{c}" IS DISTINCT FROM OLD."{c}"' for c in columns)
        frozen = f'OLD."{frozen_by}" IS NOT NULL OR ' if frozen_by else ""
        return [
            f"""CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF {frozen}{changed} THEN
        RAISE EXCEPTION '%: {MESSAGE}', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$""",
            f'CREATE OR REPLACE TRIGGER "{name}" BEFORE UPDATE ON "{table}" '
            f'FOR EACH ROW EXECUTE FUNCTION "{name}"()',
        ]
    if vendor == "sqlite":
        changed = " OR ".join(f'NEW."{c}" IS NOT OLD."{c}"' for c in columns)
        frozen = f'OLD."{frozen_by}" IS NOT NULL OR ' if frozen_by else ""
        return [
            f'CREATE TRIGGER IF NOT EXISTS "{name}" BEFORE UPDATE ON "{table}" '
            f"WHEN {frozen}{changed} "
            f"BEGIN SELECT RAISE(ABORT, '{table}: {MESSAGE}'); END"
        ]
    raise NotImplementedError(f"key guards for {vendor}")


def remove_sql(vendor: str, table: str) -> list[str]:
    name = trigger_name(table)
    if vendor == "postgresql":
        return [f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"', f'DROP FUNCTION IF EXISTS "{name}"()']
    if vendor == "sqlite":
        return [f'DROP TRIGGER IF EXISTS "{name}"']
    raise NotImplementedError(f"key guards for {vendor}")


def guard_migration(table: str) -> migrations.RunPython:
    return sql_migration(lambda vendor: install_sql(vendor, table), lambda vendor: remove_sql(vendor, table))
