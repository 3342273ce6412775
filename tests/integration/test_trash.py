"""Soft delete: records go to the trash; Admins restore them within 30 days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crmapp.models.crm import Contact
from crmapp.services.crm import basic_records, pipelines, trash
from crmapp.services.platform.errors import PermissionDenied, ValidationError
from tests import factories


def test_deleted_contact_leaves_lists_and_admin_restores_it():
    owner = factories.signup()
    member = factories.member(owner, "member")
    admin = factories.member(owner, "admin")
    with factories.scoped(member) as session:
        contact = basic_records.create_contact(
            session, member.actor, basic_records.ContactInput("Gone", "Soon")
        )
    with factories.scoped(member) as session:
        assert trash.delete_record(session, member.actor, "contact", contact.id) == "Gone Soon"
    with factories.scoped(member) as session:
        assert basic_records.list_contacts(session, member.actor)[1] == 0
        with pytest.raises(PermissionDenied):
            trash.restore_record(session, member.actor, "contact", contact.id)
    with factories.scoped(admin) as session:
        items = trash.list_trash(session, admin.actor)
        assert [(i.record_type, i.label) for i in items] == [("contact", "Gone Soon")]
        assert items[0].purge_at - items[0].deleted_at == timedelta(days=30)
        trash.restore_record(session, admin.actor, "contact", contact.id)
    with factories.scoped(member) as session:
        rows, total = basic_records.list_contacts(session, member.actor)
    assert total == 1 and rows[0].first_name == "Gone"


def test_deleted_deal_leaves_the_board():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        deal = basic_records.create_deal(session, owner.actor, title="Vanishing", value="10")
    with factories.scoped(owner) as session:
        trash.delete_record(session, owner.actor, "deal", deal.id)
    with factories.scoped(owner) as session:
        cards = [c for col in pipelines.board(session, owner.actor) for c in col.cards]
        assert cards == []
        assert basic_records.dashboard_summary(session, owner.actor).open_deals == 0


def test_older_than_thirty_days_cannot_be_restored():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        contact = basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Ancient")
        )
    with factories.scoped(owner) as session:
        trash.delete_record(session, owner.actor, "contact", contact.id)
    with factories.scoped(owner) as session:
        row = session.get(Contact, contact.id)
        row.deleted_at = row.deleted_at - timedelta(days=31)
        session.add(row)
    with factories.scoped(owner) as session:
        assert trash.list_trash(session, owner.actor) == []
        with pytest.raises(ValidationError, match="30 days"):
            trash.restore_record(session, owner.actor, "contact", contact.id)


def test_viewer_cannot_delete_and_deletes_are_audited():
    from crmapp.services.tenancy import audit
    from crmapp.services.tenancy.audit import AuditFilter

    owner = factories.signup()
    viewer = factories.member(owner, "viewer")
    with factories.scoped(owner) as session:
        contact = basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Kept")
        )
    with factories.scoped(viewer) as session, pytest.raises(PermissionDenied):
        trash.delete_record(session, viewer.actor, "contact", contact.id)
    with factories.scoped(owner) as session:
        trash.delete_record(session, owner.actor, "contact", contact.id)
        trash.restore_record(session, owner.actor, "contact", contact.id)
    with factories.scoped(owner) as session:
        events, _ = audit.list_events(session, owner.actor, AuditFilter(entity_type="contact"))
    assert [e.action for e in events][:2] == ["contact.restored", "contact.deleted"]


def test_the_daily_job_purges_what_was_deleted_over_30_days_ago_in_every_tenant(rq_worker_burst):
    from sqlmodel import select

    from crmapp.models.audit import AuditEvent
    from crmapp.models.base import utcnow
    from crmapp.models.crm import Company, Deal
    from jobs.maintenance import daily_purge, schedule_housekeeping
    from jobs.queues import queue

    first, second = factories.signup("First"), factories.signup("Second")
    made = {}
    for signed in (first, second):
        with factories.scoped(signed) as session:
            made[signed.email] = [
                basic_records.create_contact(
                    session, signed.actor, basic_records.ContactInput(name)
                )
                for name in ("Old", "Recent", "Live")
            ]
            made[signed.email].append(
                basic_records.create_deal(session, signed.actor, title="Old deal")
            )
        with factories.scoped(signed) as session:
            old, recent, _live, deal = made[signed.email]
            for row, days in ((old, 31), (recent, 29), (deal, 45)):
                model = type(row)
                record = session.get(model, row.id)
                record.deleted_at = utcnow() - timedelta(days=days)
                session.add(record)

    job = queue("low").enqueue(daily_purge)
    rq_worker_burst()

    job.refresh()
    assert job.is_finished, job.latest_result()
    result = job.return_value()
    assert result["contact"] >= 2 and result["deal"] >= 2 and result["organisations"] >= 2
    # The run scheduled tomorrow's before purging anything.
    assert schedule_housekeeping() in queue("low").scheduled_job_registry.get_job_ids()

    for signed in (first, second):
        with factories.scoped(signed) as session:
            names = sorted(c.first_name for c in session.exec(select(Contact)).all())
            deals = session.exec(select(Deal)).all()
            companies = session.exec(select(Company)).all()
            events = session.exec(
                select(AuditEvent).where(AuditEvent.action == "trash.purged")
            ).all()
            trash_items = [i.label for i in trash.list_trash(session, signed.actor)]
        assert names == ["Live", "Recent"]  # 31 days: gone; 29 days: still restorable
        assert deals == [] and companies == []
        assert trash_items == ["Recent"]
        assert len(events) == 1 and events[0].changes["contact"] == 1
        assert events[0].changes["deal"] == 1


def _deleted_days_ago(signed, row, days: int) -> None:
    """Back-date a record's deletion (as if it had sat in the trash `days` days)."""
    from crmapp.models.base import utcnow

    with factories.scoped(signed) as session:
        trash.delete_record(session, signed.actor, type(row).__name__.lower(), row.id)
    with factories.scoped(signed) as session:
        record = session.get(type(row), row.id)
        record.deleted_at = utcnow() - timedelta(days=days)
        session.add(record)


def _names(signed) -> list[str]:
    from sqlmodel import select

    with factories.scoped(signed) as session:
        return sorted(c.first_name for c in session.exec(select(Contact)).all())


def test_a_purge_scoped_to_one_tenant_never_reaches_another():
    first, second = factories.signup("First"), factories.signup("Second")
    with factories.scoped(second) as session:
        theirs = basic_records.create_contact(
            session, second.actor, basic_records.ContactInput("Theirs")
        )
    _deleted_days_ago(second, theirs, 40)

    # A session scoped to the first tenant, asked for the second's trash: row-level security
    # hides the second's rows from the DELETE, so nothing goes.
    with factories.scoped(first) as session:
        assert trash.purge_expired(session, second.actor.org_id) == {
            "deal": 0,
            "contact": 0,
            "company": 0,
        }
    assert _names(second) == ["Theirs"]
    with factories.scoped(second) as session:
        assert trash.purge_expired(session, second.actor.org_id)["contact"] == 1
    assert _names(second) == []


def test_one_failing_tenant_does_not_stop_the_others(monkeypatch):
    from jobs import maintenance

    first, second = factories.signup("First"), factories.signup("Second")
    for signed in (first, second):
        with factories.scoped(signed) as session:
            old = basic_records.create_contact(
                session, signed.actor, basic_records.ContactInput("Old")
            )
        _deleted_days_ago(signed, old, 31)
    real = trash.purge_expired

    def purge_or_fail(session, org_id, now=None):
        if org_id == first.actor.org_id:
            raise RuntimeError("disk on fire")
        return real(session, org_id, now)

    monkeypatch.setattr(maintenance.trash, "purge_expired", purge_or_fail)
    with pytest.raises(maintenance.PurgeIncomplete, match=str(first.actor.org_id)):
        maintenance.purge_trash()
    assert _names(first) == ["Old"]  # its transaction rolled back; tomorrow tries again
    assert _names(second) == []


def test_the_app_role_cannot_rewrite_the_tenant_registry():
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    from crmapp.services.platform.db import tenant_session

    owner = factories.signup()
    with tenant_session(None) as session:
        ids = session.exec(text("SELECT id FROM tenant_registry")).all()
    assert (owner.actor.org_id,) in [tuple(r) for r in ids]
    for statement in ("DELETE FROM tenant_registry", "UPDATE tenant_registry SET id = id"):
        with pytest.raises(ProgrammingError, match="permission denied"), tenant_session(None) as s:
            s.exec(text(statement))
