"""Knowledge-base retrieval: hybrid search under RLS, titles and headings, archived and expired
documents, the passages each proposal section asks for, the deal's currency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from crmapp.models.audit import AuditEvent
from crmapp.models.base import utcnow
from crmapp.models.kb import KBChunk, KBDocument
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import PermissionDenied, ValidationError
from crmapp.services.proposals import knowledge_base, knowledge_search
from crmapp.services.proposals.knowledge_chunks import RECIPE
from jobs import kb as kb_jobs
from tests import factories


def _add(signed, title: str, body: str, *, archived: bool = False, **describe) -> KBDocument:
    """Upload a Markdown document, embed it as the job does, and describe or archive it."""
    with factories.scoped(signed) as session:
        document = knowledge_base.add_document(
            session, signed.actor, filename=f"{title}.md", content=body.encode(), title=title
        )
    knowledge_base.process_document(signed.actor.org_id, document.id)
    with factories.scoped(signed) as session:
        if describe:
            describe.setdefault("kind", session.get(KBDocument, document.id).kind)
            knowledge_base.describe_document(session, signed.actor, document.id, **describe)
        if archived:
            knowledge_base.archive_document(session, signed.actor, document.id)
        return session.get(KBDocument, document.id)


def _search(signed, query: str, **options) -> list[knowledge_base.Passage]:
    with factories.scoped(signed) as session:
        return knowledge_base.search(session, signed.actor, query, **options)


def test_hybrid_search_answers_a_paraphrase_and_never_crosses_tenants():
    north, south = factories.signup("North Studio"), factories.signup("South Studio")
    retainer = _add(
        north,
        "Monthly retainer",
        "Each month we reserve twenty hours of design and ten of development for you.",
    )
    _add(north, "Hosting", "We host sites on managed servers in Frankfurt with daily backups.")
    _add(
        south,
        "Monthly retainer",
        "Our care plan reserves six hours of design work every month, billed in advance.",
    )
    hits = _search(north, "how much designer time is set aside for us every month?", k=2)
    assert "twenty hours of design" in hits[0].text
    assert all("six hours" not in h.text for h in hits)
    assert hits[0].chunk_id and hits[0].kind == "other" and hits[0].score > 0
    with tenant_session(south.actor.org_id) as session:
        # Queries that forget the organisation filter still see only the tenant's own rows.
        matched = session.exec(
            text("SELECT text FROM kb_chunk WHERE tsv @@ to_tsquery('english', 'design | month')")
        ).all()
        documents = session.exec(select(KBDocument.title)).all()
        # Both rankings of the hybrid search, asked in South's session for North's organisation
        # and documents (a filter gone wrong), find nothing: the database keeps North's rows.
        wrong_org, north_docs = str(north.actor.org_id), [str(retainer.id)]
        vector = knowledge_search._vector_ranking(session, wrong_org, north_docs, "design", "", 5)
        words = knowledge_search._text_ranking(session, wrong_org, north_docs, "design", "", 5)
        crossed = knowledge_base.search(session, north.actor, "design hours every month")
    assert [r[0] for r in matched] == [
        "Our care plan reserves six hours of design work every month, billed in advance."
    ]
    assert documents == ["Monthly retainer"]
    assert (vector, words, crossed) == ([], [], [])
    with tenant_session(north.actor.org_id) as session:  # the same calls in North's own session
        assert knowledge_search._text_ranking(session, wrong_org, north_docs, "design", "", 5)


def test_a_passage_whose_title_carries_the_meaning_is_found():
    owner = factories.signup()
    # The same words under two titles: only the title tells the passages apart, and no word of
    # the questions is in any title or text, so only the embedding of the title can answer.
    body = "Managed servers with daily backups kept for thirty days."
    _add(owner, "Hosting in Frankfurt", body)
    _add(owner, "Hosting in Virginia", body)
    (europe,) = _search(owner, "is our data held in Germany?", k=1)
    (america,) = _search(owner, "is our data held in the United States?", k=1)
    assert (europe.title, america.title) == ("Hosting in Frankfurt", "Hosting in Virginia")
    _add(owner, "Premium tier", "Includes 99.95% uptime, a named engineer and 4-hour response.")
    _add(owner, "Basic tier", "Includes 99.5% uptime, email support and a next-day response.")
    (hit,) = _search(owner, "what uptime does the premium tier promise?", k=1)
    assert "99.95%" in hit.text and hit.title == "Premium tier"


def test_a_passage_keeps_the_heading_of_its_section():
    owner = factories.signup()
    same = "Servers are managed for you and backed up every night."
    _add(
        owner,
        "Hosting regions",
        f"# Hosting regions\n\n## Frankfurt\n\n{same}\n\n## Virginia\n\n{same}",
    )
    (europe,) = _search(owner, "is our data held in Germany?", k=1)
    (america,) = _search(owner, "is our data held in the United States?", k=1)
    assert europe.heading == "Hosting regions › Frankfurt" and europe.text == same
    assert america.heading == "Hosting regions › Virginia"
    with factories.scoped(owner) as session:
        recipes = set(session.exec(select(KBChunk.embed_recipe)).all())
        titles = set(session.exec(select(KBChunk.title)).all())
    assert recipes == {RECIPE} and titles == {"Hosting regions"}


def test_archived_and_expired_documents_are_never_returned_as_current():
    owner = factories.signup()
    yesterday, next_month = utcnow().date() - timedelta(days=1), utcnow().date() + timedelta(30)
    _add(owner, "Day rates 2026", "Design costs 950 EUR per day.", kind="pricing")
    old = _add(owner, "Day rates 2024", "Design costs 700 EUR per day.", archived=True)
    _add(
        owner,
        "Autumn offer",
        "Design costs 600 EUR per day until the autumn.",
        kind="pricing",
        valid_until=yesterday,
    )
    _add(
        owner,
        "Winter offer",
        "Design costs 800 EUR per day this winter.",
        kind="pricing",
        valid_until=next_month,
    )
    question = "what does a day of design cost?"
    current = _search(owner, question, k=5)
    assert sorted(h.title for h in current) == ["Day rates 2026", "Winter offer"]
    with factories.scoped(owner) as session:
        deal = knowledge_base.DealBrief("Redesign", ["Design"], "EUR")
        priced = knowledge_base.section_passages(session, owner.actor, deal, "investment", k=5)
    assert "Day rates 2024" not in {p.title for p in priced} and priced
    everything = _search(owner, question, k=5, include_archived=True)
    assert len(everything) == 4
    with factories.scoped(owner) as session:
        knowledge_base.restore_document(session, owner.actor, old.id)
        rows = {d.title: d for d in knowledge_base.list_documents(session, owner.actor)}
        actions = session.exec(
            select(AuditEvent.action).where(AuditEvent.entity_id == str(old.id))
        ).all()
    assert "Day rates 2024" in {h.title for h in _search(owner, question, k=5)}
    assert rows["Day rates 2024"].lifecycle == "current"
    assert rows["Autumn offer"].valid_until == yesterday
    assert {"kb.document_archived", "kb.document_restored"} <= set(actions)


def test_each_section_asks_for_the_kinds_that_fit_it():
    owner = factories.signup()
    _add(owner, "Brand identity service", "We design a logo, a palette and a type system.")
    _add(owner, "Website build service", "We design and build a responsive marketing site.")
    _add(owner, "Search engine optimisation service", "We audit and improve search rankings.")
    _add(owner, "Brand identity price list", "A brand identity costs 14,000 EUR.")
    _add(owner, "Website price list", "A marketing website costs 22,000 EUR.")
    _add(owner, "Our delivery process", "Discovery takes two weeks, design four, build six.")
    _add(owner, "Case study: Harbour Hotels", "We rebranded a hotel group; bookings rose 30%.")
    _add(owner, "Case study: Nordbank", "We rebuilt a bank's brand and website; sign-ups doubled.")
    _add(owner, "Terms and conditions", "Invoices are due within 30 days.")
    _add(owner, "Team bios", "Ada leads design; Ben leads engineering.")
    with factories.scoped(owner) as session:
        kinds = {d.title: d.kind for d in knowledge_base.list_documents(session, owner.actor)}
        deal = knowledge_base.DealBrief(
            "Harbour rebrand", ["Brand identity", "Website"], "EUR", "Hospitality"
        )

        def section(kind: str, k: int = 2) -> list[knowledge_base.Passage]:
            return knowledge_base.section_passages(session, owner.actor, deal, kind, k=k)

        scope, investment = section("scope"), section("investment")
        timeline, proof, terms, team = (
            section("timeline"),
            section("proof", 1),
            section("terms"),
            section("team"),
        )
        with pytest.raises(ValueError, match="unknown section"):
            section("appendix")
    assert kinds["Brand identity price list"] == "pricing"
    assert kinds["Case study: Harbour Hotels"] == "case_study"
    assert kinds["Our delivery process"] == "process" and kinds["Team bios"] == "bio"
    # One passage per product of interest; never the service nobody asked about.
    assert sorted(p.title for p in scope) == ["Brand identity service", "Website build service"]
    assert sorted(p.title for p in investment) == [
        "Brand identity price list",
        "Website price list",
    ]
    assert [p.kind for p in timeline] == ["process"]
    # The client's industry comes first, though the other case study names both products.
    assert [p.title for p in proof] == ["Case study: Harbour Hotels"]
    assert [p.kind for p in terms] == ["terms"] and [p.kind for p in team] == ["bio"]


def test_pricing_for_a_deal_comes_in_the_deals_currency():
    owner = factories.signup()
    _add(
        owner,
        "Day rates",
        "# Day rates\n\n## Europe\n\nA design day costs 950 EUR.\n\n"
        "## North America\n\nA design day costs 1,050 USD.",
    )
    _add(owner, "Price list (sterling)", "A design day costs £820.")
    with factories.scoped(owner) as session:

        def priced(currency: str) -> list[str]:
            deal = knowledge_base.DealBrief("Launch site", ["Design day"], currency)
            found = knowledge_base.section_passages(session, owner.actor, deal, "investment", k=3)
            return [p.text for p in found]

        assert priced("USD") == ["A design day costs 1,050 USD."]
        assert priced("GBP") == ["A design day costs £820."]
        assert len(priced("")) == 3  # no currency on the deal: every price list


def test_describing_a_document_checks_its_fields_and_viewers_cannot():
    owner = factories.signup()
    viewer = factories.member(owner, "viewer")
    document = _add(owner, "Price list", "Design costs 950 EUR per day.")
    assert document.kind == "pricing"  # from the title
    with factories.scoped(owner) as session:
        with pytest.raises(ValidationError) as refused:
            knowledge_base.describe_document(session, owner.actor, document.id, kind="poem")
        assert set(refused.value.fields) == {"kind"}
        knowledge_base.describe_document(session, owner.actor, document.id, kind="terms")
        (row,) = knowledge_base.list_documents(session, owner.actor)
    assert (row.kind, row.lifecycle, row.valid_until) == ("terms", "current", None)
    for write in (knowledge_base.archive_document, knowledge_base.restore_document):
        with factories.scoped(viewer) as session, pytest.raises(PermissionDenied):
            write(session, viewer.actor, document.id)
    with factories.scoped(viewer) as session, pytest.raises(PermissionDenied):
        knowledge_base.describe_document(session, viewer.actor, document.id, kind="faq")


def test_an_upload_may_say_its_kind():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        chosen = knowledge_base.add_document(
            session, owner.actor, filename="notes.md", content=b"Ask us anything.", kind="faq"
        )
        guessed = knowledge_base.add_document(
            session, owner.actor, filename="price list.md", content=b"950 EUR a day."
        )
        with pytest.raises(ValidationError) as refused:
            knowledge_base.add_document(
                session, owner.actor, filename="x.md", content=b"x", kind="poem"
            )
    assert (chosen.kind, guessed.kind) == ("faq", "pricing")
    assert set(refused.value.fields) == {"kind"}


def test_passages_of_an_older_recipe_are_re_embedded_by_the_worker(rq_worker_burst):
    owner, other = factories.signup(), factories.signup("Up to date")
    document = _add(owner, "Handbook", "Our studio is in Lisbon.")
    _add(other, "Handbook", "Our studio is in Porto.")
    with tenant_session(owner.actor.org_id) as session:
        session.exec(text("UPDATE kb_chunk SET embed_recipe = '', heading = ''"))
    with tenant_session(owner.actor.org_id) as session:
        assert knowledge_base.stale_documents(session, owner.actor.org_id) == [document.id]
    stale, fresh = f"kb-reembed-{owner.actor.org_id}", f"kb-reembed-{other.actor.org_id}"
    queued = kb_jobs.enqueue_stale_reembeds()  # what a bulk worker does at start
    assert stale in queued and fresh not in queued
    rq_worker_burst()
    with tenant_session(owner.actor.org_id) as session:
        assert set(session.exec(select(KBChunk.embed_recipe)).all()) == {RECIPE}
        assert session.exec(select(KBChunk.heading)).all() == [""]  # no heading in the text
    assert stale not in kb_jobs.enqueue_stale_reembeds()
