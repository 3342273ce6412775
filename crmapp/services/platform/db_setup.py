"""Prepare a database for Tandem: the app role, extensions, migrations and grants.

Runs as the owner (DATABASE_ADMIN_URL). The app itself connects as `app_role`, a role with
NOSUPERUSER NOBYPASSRLS, so row-level security applies to every query it makes.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
from psycopg import sql

from crmapp.settings import PROJECT_ROOT

APPEND_ONLY_TABLES = ("audit_event",)
# Never changed by the app once written: the tenant registry (kept by a trigger) and proposal
# signatures (the evidence of who signed which version, by its SHA-256).
INSERT_ONLY_TABLES = ("tenant_registry", "proposal_signature")
# SECURITY DEFINER functions the migrations keep from PUBLIC; the app role alone may call them.
APP_FUNCTIONS = ("tandem_search_ids(text, text[], text, text)",)


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (`postgresql+psycopg://`) as a libpq one (`postgresql://`)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def prepare_database(admin_url: str, app_role: str, app_password: str) -> None:
    """Create the app role and extensions, migrate to head and grant the app role its rights.

    Idempotent: safe to run on every start.
    """
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (app_role,)).fetchone()
        if exists is None:
            conn.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOBYPASSRLS "
                    "NOCREATEDB NOCREATEROLE"
                ).format(sql.Identifier(app_role), sql.Literal(app_password))
            )
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    run_migrations(admin_url)
    grant_app_role(admin_url, app_role)


def run_migrations(admin_url: str, revision: str = "head") -> None:
    """`alembic upgrade <revision>` against `admin_url`."""
    from alembic.config import Config

    from alembic import command

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(Path(PROJECT_ROOT) / "alembic"))
    cfg.attributes["url"] = admin_url
    cfg.attributes["configure_logger"] = False
    command.upgrade(cfg, revision)


def grant_app_role(admin_url: str, app_role: str) -> None:
    """Give the app role data rights on every table, minus UPDATE/DELETE on append-only and
    insert-only ones, and EXECUTE on the app's SECURITY DEFINER functions."""
    role = sql.Identifier(app_role)
    with psycopg.connect(libpq_url(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
        conn.execute(
            sql.SQL(
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}"
            ).format(role)
        )
        conn.execute(
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(role)
        )
        # Tables a later `alembic upgrade` creates are usable before the next full prepare.
        conn.execute(
            sql.SQL(
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
                "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
            ).format(role)
        )
        conn.execute(sql.SQL("REVOKE ALL ON alembic_version FROM {}").format(role))
        for function in APP_FUNCTIONS:
            conn.execute(
                sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}").format(sql.SQL(function), role)
            )
        for table in APPEND_ONLY_TABLES + INSERT_ONLY_TABLES:
            conn.execute(
                sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}").format(
                    sql.Identifier(table), role
                )
            )
