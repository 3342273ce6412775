"""The audit trail is append-only and visible to Admins and Owners only."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from crmapp.services.crm import basic_records
from crmapp.services.platform.db_setup import libpq_url
from crmapp.services.platform.errors import PermissionDenied
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.audit import AuditFilter
from crmapp.settings import get_settings
from tests import factories


def test_writes_are_audited_with_actor_and_changed_fields():
    owner = factories.signup("Audited")
    with factories.scoped(owner) as session:
        contact = basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Ann", email="a@b.io")
        )
    with factories.scoped(owner) as session:
        basic_records.update_contact(
            session,
            owner.actor,
            contact.id,
            basic_records.ContactInput("Ann", "Lee", email="a@b.io"),
        )
    with factories.scoped(owner) as session:
        events, total = audit.list_events(
            session, owner.actor, AuditFilter(action="contact.updated")
        )
    assert total == 1
    event = events[0]
    assert event.actor_email == owner.email
    assert event.entity_id == str(contact.id)
    assert event.changes == {"last_name": ["", "Lee"]}
    assert event.created_at.utcoffset().total_seconds() == 0


def test_app_role_cannot_update_or_delete_audit_rows():
    owner = factories.signup("Immutable")
    for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
        with (
            pytest.raises(DBAPIError, match="permission denied"),
            factories.scoped(owner) as session,
        ):
            session.exec(text(statement))


def test_even_the_owner_role_of_the_table_is_refused():
    factories.signup("Owner refused")
    with psycopg.connect(libpq_url(get_settings().admin_url), autocommit=True) as conn:
        for statement in (
            "UPDATE audit_event SET action = 'x'",
            "DELETE FROM audit_event",
            "TRUNCATE audit_event",
        ):
            with pytest.raises(psycopg.Error, match="append-only"):
                conn.execute(statement)


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_cannot_browse_the_trail(role):
    owner = factories.signup("Private trail")
    person = factories.member(owner, role)
    with factories.scoped(person) as session, pytest.raises(PermissionDenied):
        audit.list_events(session, person.actor, AuditFilter())


def test_filters_and_pages():
    owner = factories.signup("Busy")
    with factories.scoped(owner) as session:
        for i in range(30):
            basic_records.create_contact(session, owner.actor, basic_records.ContactInput(f"P{i}"))
    with factories.scoped(owner) as session:
        first, total = audit.list_events(
            session,
            owner.actor,
            AuditFilter(action="contact.created"),
            page=1,
            page_size=25,
        )
        second, _ = audit.list_events(
            session,
            owner.actor,
            AuditFilter(action="contact.created"),
            page=2,
            page_size=25,
        )
        by_email, _ = audit.list_events(
            session, owner.actor, AuditFilter(actor_email=owner.email[:6])
        )
    assert total == 30 and len(first) == 25 and len(second) == 5
    assert not {e.id for e in first} & {e.id for e in second}
    assert by_email and all(e.actor_email == owner.email for e in by_email)
