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
    # The domain matches exactly; the contact and deal named Harbour come as near matches.
    assert ("company", "Harbour Lights") in [(h.kind, h.title) for h in by_domain]
    assert [(h.kind, h.title) for h in by_phone] == [("contact", "Hana Harbour")]
    assert too_short == []


def test_typos_still_find_records_and_exact_matches_rank_first():
    owner = factories.signup()
    stranger = factories.signup("Other org")
    with factories.scoped(owner) as session:
        crm.create_contact(
            session, owner.actor, crm.ContactInput("Grace", "Hopper", "g@navy.example")
        )
        crm.create_contact(session, owner.actor, crm.ContactInput("John", "Smith"))
        crm.create_contact(session, owner.actor, crm.ContactInput("Hope", "Rivers"))
        crm.create_company(session, owner.actor, name="Northwind Traders", domain="nw.example")
        crm.create_deal(session, owner.actor, title="Lighthouse restoration")
    with factories.scoped(stranger) as session:
        crm.create_contact(session, stranger.actor, crm.ContactInput("Grace", "Hoppers"))
    with factories.scoped(owner) as session:
        hoper = search.search(session, owner.actor, "hoper")
        jon = search.search(session, owner.actor, "jon smith")
        company = search.search(session, owner.actor, "northwnd")
        deal = search.search(session, owner.actor, "lighthose")
        hope = search.search(session, owner.actor, "hope")
        nothing = search.search(session, owner.actor, "zzzzqqq")
    # Both share two of the three trigrams of "hoper"; never the other tenant's Hoppers.
    assert sorted(h.title for h in hoper) == ["Grace Hopper", "Hope Rivers"]
    assert [h.title for h in jon] == ["John Smith"]
    assert [(h.kind, h.title) for h in company] == [("company", "Northwind Traders")]
    assert [(h.kind, h.title) for h in deal] == [("deal", "Lighthouse restoration")]
    assert hope[0].title == "Hope Rivers"  # the exact match first, then "Hopper"
    assert nothing == []
    assert all(h.href.startswith("/crm/contacts/") for h in hoper)
    assert company[0].href.startswith("/crm/companies/")
