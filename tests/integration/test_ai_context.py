"""The deal's context graph: quotable facts, internal background and history, and passages with
their sources, one tenant only; and the offline drafter writing from its quotable part."""

from __future__ import annotations

import pytest

from crmapp.services.crm import activities, records
from crmapp.services.platform.errors import NotFound
from crmapp.services.proposals import deal_context, deal_prompt, offline_writer
from jobs import kb as kb_jobs
from tests import factories

SECTIONS = [
    offline_writer.Section("Summary", "restate what the client wants"),
    offline_writer.Section("Scope", "list what we will deliver"),
]


def _deal(signed):
    with factories.scoped(signed) as session:
        company = records.save_record(
            session,
            signed.actor,
            "company",
            None,
            {"name": "Harbour Lights", "industry": "Hospitality"},
        )
        contact = records.save_record(
            session,
            signed.actor,
            "contact",
            None,
            {
                "first_name": "Hana",
                "last_name": "Hale",
                "title": "COO",
                "email": "hana@harbour.example",
                "company_id": str(company.id),
                "notes": "Prefers fixed prices.",
            },
        )
        deal = records.save_record(
            session,
            signed.actor,
            "deal",
            None,
            {
                "title": "Booking site rebuild",
                "value": "12500",
                "currency": "EUR",
                "contact_id": str(contact.id),
                "company_id": str(company.id),
                "products": "Web design, Hosting",
            },
        )
        activities.add_activity(
            session,
            signed.actor,
            record_type="contact",
            record_id=contact.id,
            kind="call",
            subject="Discovery call",
            body="They lose bookings on mobile.",
        )
    return deal


def test_the_context_graph_holds_the_deal_its_people_history_and_passages(rq_worker_burst):
    from crmapp.services.proposals import knowledge_base

    owner, stranger = factories.signup(), factories.signup("Other")
    deal = _deal(owner)
    for who, body in (
        (owner, "Our web design packages include a mobile-first booking flow."),
        (stranger, "Secret web design pricing of another agency."),
    ):
        with factories.scoped(who) as session:
            document = knowledge_base.add_document(
                session, who.actor, filename="kb.md", content=body.encode()
            )
        kb_jobs.enqueue_embedding(document.id, who.actor.org_id)
    rq_worker_burst()

    with factories.scoped(owner) as session:
        graph = deal_context.deal_context(session, owner.actor, deal.id)
    assert graph.facts["client"] == "Harbour Lights"
    assert graph.facts["contact"] == "Hana Hale, COO"
    assert graph.facts["products_of_interest"] == "Web design, Hosting"
    # Internal facts inform a draft but are kept apart from what may be quoted.
    assert graph.background["value"] == "12,500.00 EUR" and graph.background["stage"] == "Lead"
    assert graph.background["industry"] == "Hospitality"
    assert not set(graph.background) & set(graph.facts)
    assert any("Discovery call — They lose bookings on mobile." in h for h in graph.history)
    assert any("Prefers fixed prices." in h for h in graph.history)
    assert [p.text for p in graph.passages] == [
        "Our web design packages include a mobile-first booking flow."
    ]  # never the other organisation's passage
    kinds = {s.kind for s in graph.sources}
    assert kinds == {"deal", "company", "contact", "activity", "note", "passage"}
    assert f"/crm/deals/{deal.id}" in {s.href for s in graph.sources}

    text = offline_writer.draft(deal_context.draft_input(graph, SECTIONS, "direct"))
    assert text.startswith("## Summary") and "## Scope" in text
    assert "Harbour Lights" in text and "mobile-first" in text
    assert "12,500.00 EUR" not in text and "Discovery call" not in text  # never quoted
    prompt = deal_prompt.messages(graph, SECTIONS)
    assert "never invent" in prompt[0]["content"] and "## Scope" in prompt[1]["content"]
    quotable, background = prompt[1]["content"].split("Background only", 1)
    assert "Harbour Lights" in quotable and "Prefers fixed prices." in background

    with factories.scoped(stranger) as session, pytest.raises(NotFound):
        deal_context.deal_context(session, stranger.actor, deal.id)
