"""SQL for row-level security, used by migrations.

Every tenant table carries `org_id` and gets an enabled *and forced* policy, so that even the table
owner is filtered. The session factory sets `app.tenant_id` (and `app.user_id`) with `SET LOCAL`
semantics per transaction; an unset tenant matches nothing.
"""

from __future__ import annotations

TENANT = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
CURRENT_USER = "NULLIF(current_setting('app.user_id', true), '')::uuid"


def tenant_policy_sql(table: str, *, read_also: str | None = None) -> list[str]:
    """Statements that enable and force RLS on `table` with the tenant policy.

    Args:
        table: A table with an `org_id` column.
        read_also: An extra SQL condition under which rows are readable (never writable).
    """
    using = f"org_id = {TENANT}"
    if read_also:
        using = f"({using}) OR ({read_also})"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS tenant_isolation ON {table}",
        f"CREATE POLICY tenant_isolation ON {table} USING ({using}) WITH CHECK (org_id = {TENANT})",
    ]


def append_only_sql(table: str) -> list[str]:
    """Statements that make the database refuse UPDATE, DELETE and TRUNCATE on `table`."""
    fn = f"{table}_append_only"
    return [
        f"""
        CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$
        """,
        f"DROP TRIGGER IF EXISTS {fn}_row ON {table}",
        f"CREATE TRIGGER {fn}_row BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {fn}()",
        f"DROP TRIGGER IF EXISTS {fn}_truncate ON {table}",
        f"CREATE TRIGGER {fn}_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()",
    ]
