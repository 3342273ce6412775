"""Audit events read as people say them, on record timelines and on the audit trail page:
field labels, records and people by name, readable values, and no raw internals."""

from __future__ import annotations

import re

from sqlalchemy import event
from sqlmodel import col, select

from crmapp.models.audit import AuditEvent
from crmapp.services.crm import activities, custom_fields, records
from crmapp.services.platform.db import get_engine
from crmapp.services.proposals import lifecycle
from crmapp.services.social import review
from crmapp.services.tenancy import audit, audit_text, orgs
from crmapp.services.tenancy.audit import AuditFilter
from tests import factories, social_support
from tests.integration.test_proposals import make_proposal

UUID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}|[0-9a-f]{8}\b")
INTERNALS = re.compile(r"\[|\]|'|_id\b|\bNone\b|custom\.")


def _people():
    owner = factories.signup("Harbour Agency", prefix="olga")
    orgs.set_name(owner.actor.user_id, "Olga Owens")
    member = factories.member(owner, "member", prefix="milo")
    orgs.set_name(member.actor.user_id, "Milo Marsh")
    return owner, member


def _events(signed, **where):
    with factories.scoped(signed) as session:
        query = select(AuditEvent).where(AuditEvent.org_id == signed.actor.org_id)
        for key, value in where.items():
            query = query.where(getattr(AuditEvent, key) == value)
        return list(session.exec(query.order_by(col(AuditEvent.created_at))).all())


def _describe(signed, events, tz="UTC"):
    with factories.scoped(signed) as session:
        return audit_text.describe(session, signed.actor, events, tz)


def _assert_readable(views):
    for view in views:
        for text in (view.title, view.actor, view.record, view.detail):
            assert not UUID.search(text), f"{view.action}: raw id in {text!r}"
            assert not INTERNALS.search(text), f"{view.action}: internals in {text!r}"
            assert "@" not in text or "Email" in view.detail, f"{view.action}: email {text!r}"


def test_crm_changes_read_with_labels_names_and_values():
    owner, member = _people()
    with factories.scoped(owner) as session:
        custom_fields.create_field(
            session,
            owner.actor,
            "deal",
            label="Tier",
            field_type="select",
            options=["Gold", "Silver"],
        )
        company = records.save_record(
            session, owner.actor, "company", None, {"name": "Harbour Lights"}
        )
        contact = records.save_record(
            session,
            owner.actor,
            "contact",
            None,
            {
                "first_name": "Petra",
                "last_name": "Ng",
                "company_id": str(company.id),
                "lifecycle_stage": "qualified",
            },
        )
        deal = records.save_record(
            session,
            owner.actor,
            "deal",
            None,
            {
                "title": "Brand film",
                "value": "12500",
                "contact_id": str(contact.id),
                "company_id": str(company.id),
                "products": "Brand video, Social cutdowns",
            },
            {"tier": "Gold"},
        )
    with factories.scoped(owner) as session:
        records.save_record(
            session,
            owner.actor,
            "contact",
            contact.id,
            {
                "owner_id": str(member.actor.user_id),
                "lifecycle_stage": "customer",
                "tags": "vip, q4",
            },
        )
        records.save_record(
            session,
            owner.actor,
            "deal",
            deal.id,
            {"products": "Brand video, Social cutdowns, Stills"},
        )

    created, updated = _describe(owner, _events(owner, entity_type="deal"))
    assert created.title == "Deal created"
    assert created.actor == "Olga Owens"
    assert (created.record_kind, created.record, created.href) == (
        "Deal",
        "Brand film",
        f"/crm/deals/{deal.id}",
    )
    texts = [c.text() for c in created.changes]
    assert "Products of interest: Brand video, Social cutdowns" in texts
    assert "Company: Harbour Lights" in texts
    assert "Primary contact: Petra Ng" in texts
    assert "Owner: Olga Owens" in texts
    assert "Stage: Lead" in texts
    assert "Value: 12,500.00" in texts
    assert "Tier: Gold" in texts
    assert updated.detail == (
        "Products of interest: Brand video, Social cutdowns → Brand video, Social cutdowns, Stills"
    )

    contact_events = _describe(owner, _events(owner, entity_type="contact"))
    assert contact_events[-1].title == "Contact updated"
    assert contact_events[-1].detail == (
        "Owner: Olga Owens → Milo Marsh; Lifecycle stage: Qualified → Customer; Tags: — → vip, q4"
    )
    assert "Company: Harbour Lights" in contact_events[0].detail

    with factories.scoped(owner) as session:  # the record page's timeline reads the same
        timeline = activities.timeline(session, owner.actor, "contact", contact.id)
    assert timeline[0].detail == contact_events[-1].detail
    assert timeline[0].who == "Olga Owens"
    _assert_readable([*contact_events, created, updated])


def test_proposals_posts_and_members_read_in_words():
    owner, member = _people()
    proposal = make_proposal(owner)
    with factories.scoped(owner) as session:
        lifecycle.submit_for_review(session, owner.actor, proposal.id)
    account = social_support.connect(owner, "sandbox")
    post = social_support.compose(owner, account, text="Our harbour film is out")
    with factories.scoped(owner) as session:
        review.submit(session, owner.actor, post.id)
        orgs.change_role(session, owner.actor, member.actor.user_id, "viewer")

    status = next(
        v
        for v in _describe(owner, _events(owner, entity_type="proposal"))
        if v.action == "proposal.status_changed"
    )
    assert (status.title, status.detail) == ("Proposal status changed", "Status: Draft → In review")
    assert status.href == f"/proposals/{proposal.id}"

    post_views = _describe(owner, _events(owner, entity_type="social_post"))
    assert post_views[0].title == "Post created"
    assert post_views[0].record == "Our harbour film is out"
    assert "Networks: Sandbox" in post_views[0].detail
    moved = post_views[-1]
    assert moved.title in ("Post approved", "Post submitted for review")
    assert "Account: Acme (Sandbox)" in moved.detail
    assert "Status: Draft → " in moved.detail

    (role,) = _describe(owner, _events(owner, action="member.role_changed"))
    assert (role.title, role.record_kind, role.record) == (
        "Member role changed",
        "Member",
        "Milo Marsh",
    )
    assert role.detail == "Role: Member → Viewer"
    _assert_readable([status, *post_views, role])


def test_names_are_looked_up_once_per_kind_not_once_per_event():
    owner, member = _people()
    with factories.scoped(owner) as session:
        company = records.save_record(session, owner.actor, "company", None, {"name": "Bay"})
        for i in range(12):
            records.save_record(
                session,
                owner.actor,
                "contact",
                None,
                {
                    "first_name": f"P{i}",
                    "company_id": str(company.id),
                    "owner_id": str(member.actor.user_id),
                },
            )
    few = _events(owner, entity_type="contact")[:1]
    many = _events(owner, entity_type="contact")

    def queries(events) -> int:
        statements = []

        def count(*_args):
            statements.append(1)

        event.listen(get_engine(), "before_cursor_execute", count)
        try:
            views = _describe(owner, events)
        finally:
            event.remove(get_engine(), "before_cursor_execute", count)
        assert all("Company: Bay" in v.detail and "Owner: Milo Marsh" in v.detail for v in views)
        return len(statements)

    assert queries(many) == queries(few)


def test_the_trail_filters_on_who_by_name_as_it_shows_them():
    owner, member = _people()
    with factories.scoped(member) as session:
        records.save_record(session, member.actor, "company", None, {"name": "Milo's pick"})
    with factories.scoped(owner) as session:
        events, total = audit.list_events(
            session, owner.actor, AuditFilter(actor_email="milo m", action="company.created")
        )
        views = audit_text.describe(session, owner.actor, events)
    assert total == 1 and [(v.actor, v.title, v.record) for v in views] == [
        ("Milo Marsh", "Company created", "Milo's pick")
    ]
