"""Database triggers that refuse UPDATE and DELETE (and TRUNCATE) of audit records.

Vendor-specific SQL, run by RunPython because one RunSQL cannot serve both databases. The only
exception is ``flush``, which sets a flag first (see maturity/audit/guards.py). Kept apart from
0001 so regenerating the model migration cannot silently drop the guards.

On SQLite, a later migration that alters this table rebuilds it and loses these triggers: such a
migration must create them again (``maturity audit verify`` warns when they are missing).
"""

from django.db import migrations

POSTGRESQL_INSTALL = [
    """
    CREATE FUNCTION audit_record_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' AND current_setting('maturity.audit_purge', true) = 'on' THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_auditrecord
    FOR EACH ROW EXECUTE FUNCTION audit_record_refuse_change()
    """,
    """
    CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_auditrecord
    FOR EACH STATEMENT EXECUTE FUNCTION audit_record_refuse_change()
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_record_no_truncate ON audit_auditrecord",
    "DROP TRIGGER IF EXISTS audit_record_append_only ON audit_auditrecord",
    "DROP FUNCTION IF EXISTS audit_record_refuse_change()",
]

SQLITE_INSTALL = [
    """
    CREATE TRIGGER audit_record_no_update BEFORE UPDATE ON audit_auditrecord
    BEGIN
        SELECT RAISE(ABORT, 'audit records are append-only: UPDATE on audit_auditrecord refused');
    END
    """,
    # maturity_audit_purge_permitted() is registered on each Django connection; it answers 1
    # only while flush runs. Elsewhere the function is missing and the DELETE fails anyway.
    """
    CREATE TRIGGER audit_record_no_delete BEFORE DELETE ON audit_auditrecord
    WHEN NOT maturity_audit_purge_permitted()
    BEGIN
        SELECT RAISE(ABORT, 'audit records are append-only: DELETE on audit_auditrecord refused');
    END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_record_no_delete",
    "DROP TRIGGER IF EXISTS audit_record_no_update",
]

STATEMENTS = {
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
}


def _run(schema_editor, index: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise NotImplementedError(f"No append-only guards for the {vendor} database.")
    for statement in STATEMENTS[vendor][index]:
        # params=None: the SQL contains % signs that are not placeholders.
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def remove(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
