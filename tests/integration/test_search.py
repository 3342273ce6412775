"""Global search across contacts, companies and deals."""

from __future__ import annotations

from crmapp.services import crm, search
from tests import factories


def test_search_finds_each_kind_by_its_fields_and_stays_in_the_tenant():
    owner = factories.signup()
    stranger = factories.signup("Other org")
    with factories.scoped(owner) as session:
        crm.create_company(session, owner.actor, name="Harbour Lights", domain="harbour.example")
        hana = crm.ContactInput("Hana", "Harbour", "hana@x.example", "+44 20 7946 0958")
        crm.create_contact(session, owner.actor, hana)
        crm.create_deal(session, owner.actor, title="Harbour refit", value="9,000")
    with factories.scoped(stranger) as session:
        crm.create_contact(session, stranger.actor, crm.ContactInput("Harbour", "Spy"))
    with factories.scoped(owner) as session:
        hits = search.search(session, owner.actor, "harbour")
        by_domain = search.search(session, owner.actor, "harbour.exa")
        by_phone = search.search(session, owner.actor, "7946 0958")
        too_short = search.search(session, owner.actor, "h")
    assert sorted((h.kind, h.title) for h in hits) == [
        ("company", "Harbour Lights"),
        ("contact", "Hana Harbour"),
        ("deal", "Harbour refit"),
    ]
    assert [h.kind for h in by_domain] == ["company"]
    assert [(h.kind, h.title) for h in by_phone] == [("contact", "Hana Harbour")]
    assert too_short == []
