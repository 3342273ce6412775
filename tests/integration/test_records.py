"""Full-field records: companies, contacts and deals saved through one validated, audited path."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import select

from crmapp.models.audit import AuditEvent
from crmapp.services.crm import custom_fields, records
from crmapp.services.platform.errors import NotFound, PermissionDenied, ValidationError
from tests import factories


def test_company_contact_and_deal_with_their_full_field_sets():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        company = records.save_record(
            session,
            owner.actor,
            "company",
            None,
            {
                "name": "Harbour Lights",
                "domain": "https://www.Harbour.example/",
                "industry": "Hospitality",
                "size": "11-50",
                "address": "1 Quay St",
                "tags": "vip, q4",
            },
        )
        contact = records.save_record(
            session,
            owner.actor,
            "contact",
            None,
            {
                "first_name": "Hana",
                "email": "HANA@harbour.example",
                "extra_emails": "h@home.example\nhana@alt.example",
                "phone": "+44 20 7946 0958",
                "extra_phones": "+44 7700 900123",
                "company_id": str(company.id),
                "tags": "vip",
                "source": "Referral",
                "lifecycle_stage": "qualified",
                "notes": "Met at the fair.",
            },
        )
        deal = records.save_record(
            session,
            owner.actor,
            "deal",
            None,
            {
                "title": "Refit",
                "value": "12,500",
                "currency": "eur",
                "expected_close_date": "2026-12-31",
                "contact_id": str(contact.id),
                "company_id": str(company.id),
                "products": "Design, Build",
            },
        )
    assert company.domain == "harbour.example" and company.tags == ["vip", "q4"]
    assert contact.email == "hana@harbour.example"
    assert contact.extra_emails == ["h@home.example", "hana@alt.example"]
    assert contact.lifecycle_stage == "qualified" and contact.owner_id == owner.actor.user_id
    assert deal.value == Decimal("12500.00") and deal.currency == "EUR"
    assert deal.expected_close_date == date(2026, 12, 31) and deal.probability == 10  # Lead's
    assert deal.products == ["Design", "Build"]
    with factories.scoped(owner) as session:
        rel = records.related(session, owner.actor, "company", company.id)
        assert [c.first_name for c in rel["contacts"]] == ["Hana"]
        assert [d.title for d in rel["deals"]] == ["Refit"]


def test_every_bad_value_is_reported_at_once_and_nothing_is_saved():
    owner = factories.signup()
    with factories.scoped(owner) as session, pytest.raises(ValidationError) as err:
        records.save_record(
            session,
            owner.actor,
            "deal",
            None,
            {
                "title": "",
                "value": "lots",
                "currency": "EURO",
                "probability": "140",
                "expected_close_date": "31/12/2026",
            },
        )
    assert set(err.value.fields) == {
        "title",
        "value",
        "currency",
        "probability",
        "expected_close_date",
    }
    with factories.scoped(owner) as session, pytest.raises(ValidationError) as err:
        records.save_record(
            session,
            owner.actor,
            "contact",
            None,
            {
                "first_name": "A",
                "extra_emails": "ok@x.example, nope",
                "lifecycle_stage": "king",
            },
        )
    assert "nope" in err.value.fields["extra_emails"]
    assert "lifecycle_stage" in err.value.fields


def test_references_must_belong_to_the_organisation():
    owner, stranger = factories.signup(), factories.signup("Other")
    with factories.scoped(stranger) as session:
        theirs = records.save_record(session, stranger.actor, "company", None, {"name": "Theirs"})
    with factories.scoped(owner) as session, pytest.raises(ValidationError) as err:
        records.save_record(
            session,
            owner.actor,
            "contact",
            None,
            {
                "first_name": "X",
                "company_id": str(theirs.id),
                "owner_id": str(stranger.actor.user_id),
            },
        )
    assert set(err.value.fields) == {"company_id", "owner_id"}
    with factories.scoped(owner) as session, pytest.raises(NotFound):
        records.get_record(session, owner.actor, "company", theirs.id)


def test_inline_edit_changes_one_field_and_audits_it():
    owner = factories.signup()
    viewer = factories.member(owner, "viewer")
    with factories.scoped(owner) as session:
        company = records.save_record(session, owner.actor, "company", None, {"name": "Acme"})
    with factories.scoped(owner) as session:
        records.update_cell(session, owner.actor, "company", company.id, "industry", "Rockets")
        with pytest.raises(ValidationError):
            records.update_cell(session, owner.actor, "company", company.id, "size", "huge")
    with factories.scoped(viewer) as session, pytest.raises(PermissionDenied):
        records.update_cell(session, viewer.actor, "company", company.id, "industry", "No")
    with factories.scoped(owner) as session:
        row = records.get_record(session, owner.actor, "company", company.id)
        events = session.exec(
            select(AuditEvent).where(AuditEvent.action == "company.updated")
        ).all()
    assert row.industry == "Rockets"
    assert [e.changes for e in events] == [{"industry": ["", "Rockets"]}]


def test_changing_a_deals_stage_through_the_form_closes_it_like_the_board():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        deal = records.save_record(session, owner.actor, "deal", None, {"title": "D"})
        from crmapp.services.crm import pipelines

        won = pipelines.stage_named(session, owner.actor, "Won")
    with factories.scoped(owner) as session:
        records.save_record(session, owner.actor, "deal", deal.id, {"stage_id": str(won.id)})
    with factories.scoped(owner) as session:
        row = records.get_record(session, owner.actor, "deal", deal.id)
        assert row.stage_id == won.id and row.closed_by == owner.actor.user_id


def test_custom_fields_are_typed_validated_and_audited():
    owner = factories.signup()
    member = factories.member(owner, "member")
    with factories.scoped(member) as session, pytest.raises(PermissionDenied):
        custom_fields.create_field(
            session, member.actor, "contact", label="Budget", field_type="number"
        )
    with factories.scoped(owner) as session:
        custom_fields.create_field(
            session, owner.actor, "contact", label="Budget", field_type="number"
        )
        custom_fields.create_field(
            session, owner.actor, "contact", label="Renewal", field_type="date"
        )
        custom_fields.create_field(
            session,
            owner.actor,
            "contact",
            label="Tier",
            field_type="select",
            options=["Gold", "Silver", "Gold", " "],
        )
        with pytest.raises(ValidationError, match="already a field"):
            custom_fields.create_field(
                session, owner.actor, "contact", label="budget", field_type="text"
            )
        with pytest.raises(ValidationError, match="at least one option"):
            custom_fields.create_field(
                session, owner.actor, "deal", label="Kind", field_type="select"
            )
    with factories.scoped(member) as session:
        defs = custom_fields.list_fields(session, member.actor, "contact")
        assert [(f.key, f.options) for f in defs] == [
            ("budget", []),
            ("renewal", []),
            ("tier", ["Gold", "Silver"]),
        ]
        contact = records.save_record(
            session,
            member.actor,
            "contact",
            None,
            {"first_name": "C"},
            {"budget": "1,250", "renewal": "2027-01-15", "tier": "Gold"},
        )
        with pytest.raises(ValidationError) as err:
            records.save_record(
                session,
                member.actor,
                "contact",
                contact.id,
                {},
                {"budget": "a lot", "renewal": "soon", "tier": "Bronze"},
            )
        assert set(err.value.fields) == {"custom.budget", "custom.renewal", "custom.tier"}
    assert contact.custom == {"budget": 1250, "renewal": "2027-01-15", "tier": "Gold"}
    with factories.scoped(member) as session:
        records.update_cell(session, member.actor, "contact", contact.id, "custom.tier", "")
        row = records.get_record(session, member.actor, "contact", contact.id)
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "contact.updated")).one()
    assert row.custom == {"budget": 1250, "renewal": "2027-01-15"}
    assert event.changes == {"custom.tier": ["Gold", None]}
