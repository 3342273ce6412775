"""Row-level security: the database keeps tenants apart even when a query forgets to."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from crmapp.models import (
    Activity,
    AuditEvent,
    Company,
    Contact,
    Deal,
    Invitation,
    Membership,
    Organization,
)
from crmapp.services.crm import activities, basic_records
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.db_setup import libpq_url
from crmapp.services.tenancy import invitations
from crmapp.settings import get_settings
from tests import factories

TENANT_MODELS = (
    Activity,
    Organization,
    Membership,
    Invitation,
    AuditEvent,
    Company,
    Contact,
    Deal,
)


@pytest.fixture
def two_tenants():
    a = factories.signup("Tenant A", "alice")
    b = factories.signup("Tenant B", "bob")
    for signed, name in ((a, "Alpha"), (b, "Bravo")):
        with factories.scoped(signed) as session:
            company = basic_records.create_company(session, signed.actor, name=f"{name} Co")
            contact = basic_records.create_contact(
                session, signed.actor, basic_records.ContactInput(name, email=f"{name}@x.io")
            )
            session.flush()
            activities.add_activity(
                session,
                signed.actor,
                record_type="contact",
                record_id=contact.id,
                kind="note",
                subject=f"{name} note",
            )
            basic_records.create_deal(session, signed.actor, title=f"{name} deal", value="100")
            invitations.create_invitation(session, signed.actor, factories.email(name), "viewer")
            session.flush()
            assert company.org_id == signed.actor.org_id
    return a, b


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__tablename__)
def test_unfiltered_query_sees_only_own_tenant(two_tenants, model):
    a, b = two_tenants
    with tenant_session(a.actor.org_id) as session:
        rows = session.exec(select(model)).all()  # deliberately no WHERE org_id = …
    assert rows, "tenant A should see its own rows"
    key = "id" if model is Organization else "org_id"
    assert {getattr(r, key) for r in rows} == {a.actor.org_id}
    assert b.actor.org_id not in {getattr(r, key) for r in rows}


def test_raw_sql_without_filter_is_still_scoped(two_tenants):
    a, _b = two_tenants
    with tenant_session(a.actor.org_id) as session:
        names = session.exec(text("SELECT first_name FROM contact")).scalars().all()
    assert names == ["Alpha"]


def test_no_tenant_sees_no_tenant_rows(two_tenants):
    with tenant_session(None) as session:
        assert session.exec(select(Contact)).all() == []
        assert session.exec(select(Deal)).all() == []
        assert session.exec(select(AuditEvent)).all() == []


def test_insert_for_another_tenant_is_refused(two_tenants):
    a, b = two_tenants
    with (
        pytest.raises(DBAPIError, match="row-level security"),
        tenant_session(a.actor.org_id) as session,
    ):
        session.add(Contact(org_id=b.actor.org_id, first_name="Intruder"))
        session.flush()
    with tenant_session(b.actor.org_id) as session:
        assert "Intruder" not in [c.first_name for c in session.exec(select(Contact)).all()]


def test_update_cannot_move_a_row_to_another_tenant(two_tenants):
    a, b = two_tenants
    with (
        pytest.raises(DBAPIError, match="row-level security"),
        tenant_session(a.actor.org_id) as session,
    ):
        session.exec(text(f"UPDATE contact SET org_id = '{b.actor.org_id}'"))


def test_tenant_setting_does_not_leak_across_transactions(two_tenants):
    a, _ = two_tenants
    with tenant_session(a.actor.org_id) as session:
        assert session.exec(select(Contact)).all()
    with tenant_session(None) as session:
        setting = session.exec(text("SELECT current_setting('app.tenant_id', true)")).one()
        assert (setting[0] or "") == ""


def _admin():
    return psycopg.connect(libpq_url(get_settings().admin_url), autocommit=True)


def test_every_org_id_table_has_an_enabled_forced_policy():
    with _admin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.columns "
                "WHERE table_schema = 'public' AND column_name = 'org_id'"
            ).fetchall()
        ] + ["organization"]
        assert len(tables) >= 7
        for table in tables:
            enabled, forced = conn.execute(
                "SELECT relrowsecurity, relforcerowsecurity FROM pg_class "
                "WHERE relname = %s AND relnamespace = 'public'::regnamespace",
                (table,),
            ).fetchone()
            policies = conn.execute(
                "SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND tablename = %s",
                (table,),
            ).fetchone()[0]
            assert enabled and forced and policies >= 1, f"{table} lacks an enabled, forced policy"


def test_app_connects_as_a_role_rls_applies_to():
    with tenant_session(None) as session:
        superuser, bypass = session.exec(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        ).one()
    assert (superuser, bypass) == (False, False)
