"""What a draft may say: internal facts never quoted (offline writer or model), every figure
traced to the deal, the knowledge base or the pricing table (sending untraced ones needs a
confirmation), sources by passage, and activities dated by when they happened."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from crmapp.models.base import utcnow
from crmapp.models.kb import KBChunk
from crmapp.services.crm import activities, records
from crmapp.services.platform.errors import ValidationError
from crmapp.services.proposals import (
    deal_context,
    deal_prompt,
    documents,
    draft_check,
    editor_view,
    knowledge_base,
    richtext,
    sharing,
)
from jobs import kb as kb_jobs
from tests import factories
from tests.integration.test_proposals import load, make_proposal, write

NOTE = "Asked whether the onboarding fee can be waived; Ottoline Brandt must approve it"
CALL = "They compare us with Acme Digital and want 20% off before Christmas"


def deal_with_internals(signed, *, occurred_days_ago: int = 8):
    with factories.scoped(signed) as session:
        company = records.save_record(
            session, signed.actor, "company", None, {"name": "Harbour Lights"}
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
                "company_id": str(company.id),
                "notes": NOTE,
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
                "probability": "65",
                "company_id": str(company.id),
                "contact_id": str(contact.id),
                "products": "Web design, Hosting",
            },
        )
        activities.add_activity(
            session,
            signed.actor,
            record_type="deal",
            record_id=deal.id,
            kind="call",
            subject="Price check",
            body=CALL,
            occurred_at=utcnow() - timedelta(days=occurred_days_ago),
        )
    return deal


def add_passage(signed, title: str, body: str, rq_worker_burst) -> None:
    with factories.scoped(signed) as session:
        document = knowledge_base.add_document(
            session, signed.actor, filename=f"{title}.md", content=body.encode(), title=title
        )
    kb_jobs.enqueue_embedding(document.id, signed.actor.org_id)
    rq_worker_burst()


def text_of(proposal) -> str:
    return "\n".join(richtext.html_to_text(s["html"]) for s in proposal.sections)


def view(signed, proposal):
    with factories.scoped(signed) as session:
        return editor_view.editor_view(session, signed.actor, proposal.id)


@pytest.fixture
def model(monkeypatch):
    """A model behind the OpenAI fake; set `.answer` before writing."""
    from crmapp.settings import get_settings
    from tests.fakes.openai_fake import FakeOpenAI

    fake = FakeOpenAI().start()
    monkeypatch.setenv("TANDEM_AI_PRIMARY_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    get_settings.cache_clear()
    yield fake
    fake.stop()
    get_settings.cache_clear()


def test_the_graph_marks_each_fact_with_its_source_and_who_may_see_it():
    owner = factories.signup("Graphs")
    deal = deal_with_internals(owner)
    with factories.scoped(owner) as session:
        graph = deal_context.deal_context(session, owner.actor, deal.id, passages=0)
    visible = {f.key: f.source.kind for f in graph.visible()}
    assert visible == {
        "client": "company",
        "deal": "deal",
        "products_of_interest": "deal",
        "contact": "contact",
    }
    internal = {f.key: f for f in graph.internal()}
    assert {"value", "stage", "probability", "activity", "note"} <= set(internal)
    assert internal["note"].source.kind == "note" and NOTE in internal["note"].text
    system = deal_prompt.messages(graph, [])[0]["content"]
    # The system instruction names this deal's internal facts and says they are never quoted.
    assert "never quote" in system and "probability" in system and "Price check" in system


def test_an_internal_note_is_never_quoted_in_an_offline_draft(rq_worker_burst):
    owner = factories.signup("Offline Discreet")
    deal = deal_with_internals(owner)
    # The organisation's own FAQ says it too: a passage may be quoted, the note's wording not.
    add_passage(
        owner, "FAQ", "Web design projects include a mobile-first booking flow.", rq_worker_burst
    )
    proposal = make_proposal(owner, deal)
    _, state = write(owner, proposal)
    draft = text_of(load(owner, proposal))
    assert state == "done" and "Harbour Lights" in draft
    for internal in ("onboarding fee can be waived", "Ottoline", "Acme", "20%", "65%"):
        assert internal not in draft
    assert view(owner, proposal).flags == []  # the offline draft states nothing untraced


def test_a_model_answer_quoting_an_internal_fact_is_caught(model):
    owner = factories.signup("Model Discreet")
    deal = deal_with_internals(owner)
    model.answer = (
        "## Overview\nA calm, fast booking site for Harbour Lights. Ottoline Brandt must approve"
        " the waiver of your onboarding fee.\n\n"
        "## Scope of work\n- Web design\n- A discount: they compare us with Acme Digital\n"
        "- Hosting"
    )
    proposal = make_proposal(owner, deal)
    _, state = write(owner, proposal)
    written = load(owner, proposal)
    draft = text_of(written)
    assert state == "done" and written.provider == "primary"
    assert "calm, fast booking site for Harbour Lights." in draft and "Hosting" in draft
    assert "Ottoline" not in draft and "Acme" not in draft and "waiver" not in draft
    removed = view(owner, proposal).removed
    assert [r["source"] for r in removed] == ["Notes on Hana Hale", removed[1]["source"]]
    assert removed[1]["source"].startswith("Call ") and "Price check" in removed[1]["source"]
    # The prompt told the model which facts are internal.
    assert "Background only" in model.requests[0]["messages"][1]["content"]


def test_an_invented_price_is_flagged_and_sending_it_needs_a_confirmation(model, rq_worker_burst):
    owner = factories.signup("Traced")
    deal = deal_with_internals(owner)
    add_passage(
        owner,
        "Process",
        "Web design process\n\nA booking site takes 6 weeks from kick-off.",
        rq_worker_burst,
    )
    model.answer = (
        "## Overview\nA booking site for Harbour Lights, built in six weeks.\n\n"
        "## Investment\nThe investment is €14,900, or 12,500.00 EUR paid upfront."
    )
    proposal = make_proposal(owner, deal)
    write(owner, proposal)
    flags = view(owner, proposal).flags
    assert [(f["text"], f["title"], f["reason"]) for f in flags] == [
        ("€14,900", "Investment", draft_check.UNTRACED)
    ]  # six weeks is in the passage, 12,500.00 EUR in the pricing table
    with factories.scoped(owner) as session, pytest.raises(ValidationError, match="€14,900"):
        sharing.send(session, owner.actor, proposal.id)
    index = next(
        i for i, s in enumerate(load(owner, proposal).sections) if s["title"] == "Investment"
    )
    with factories.scoped(owner) as session:  # the rep fixes it: nothing left to confirm
        documents.save_section(
            session, owner.actor, proposal.id, index, "<p>The investment is €12,500.</p>"
        )
    assert view(owner, proposal).flags == []
    with factories.scoped(owner) as session:
        assert "/p/" in sharing.send(session, owner.actor, proposal.id)


def test_an_untraced_figure_can_be_sent_once_confirmed(model):
    owner = factories.signup("Confirmed")
    model.answer = "## Overview\nA discount of 15% applies until 31 January 2031."
    proposal = make_proposal(owner, deal_with_internals(owner))
    write(owner, proposal)
    assert {f["text"] for f in view(owner, proposal).flags} == {"15%", "31 January 2031"}
    with factories.scoped(owner) as session:
        sharing.send(session, owner.actor, proposal.id, confirmed=True)
    assert load(owner, proposal).status == "sent"


def test_sources_list_each_passage_by_document_and_chunk_with_its_text(rq_worker_burst):
    owner = factories.signup("Sourced")
    deal = deal_with_internals(owner)
    add_passage(
        owner,
        "Web design services",
        "Booking flows\n\nEvery web design project includes a mobile-first booking flow.",
        rq_worker_burst,
    )
    proposal = make_proposal(owner, deal)
    write(owner, proposal)
    passages = [s for s in view(owner, proposal).sources if s["kind"] == "passage"]
    assert len(passages) == 1
    with factories.scoped(owner) as session:
        chunk = session.exec(select(KBChunk)).one()
    source = passages[0]
    assert source["chunk_id"] == str(chunk.id) and source["document_id"] == str(chunk.document_id)
    assert source["label"] == "Web design services — Booking flows"
    assert "mobile-first booking flow" in source["text"]


def test_activities_are_dated_by_when_they_happened():
    owner = factories.signup("Dated")
    deal = deal_with_internals(owner, occurred_days_ago=8)
    with factories.scoped(owner) as session:
        activities.add_activity(  # logged later, happened in between
            session,
            owner.actor,
            record_type="deal",
            record_id=deal.id,
            kind="meeting",
            subject="Workshop",
            occurred_at=utcnow() - timedelta(days=3),
        )
        activities.add_activity(
            session, owner.actor, record_type="deal", record_id=deal.id, kind="note", subject="Now"
        )
        with pytest.raises(ValidationError, match="future"):
            activities.add_activity(
                session,
                owner.actor,
                record_type="deal",
                record_id=deal.id,
                kind="call",
                subject="Tomorrow",
                occurred_at=utcnow() + timedelta(days=1),
            )
    with factories.scoped(owner) as session:
        items = activities.timeline(session, owner.actor, "deal", deal.id)
        graph = deal_context.deal_context(session, owner.actor, deal.id, passages=0)
    logged = [i.title for i in items if i.kind != "change"]
    assert logged == ["Now", "Workshop", "Price check"]
    call = next(i for i in items if i.title == "Price check")
    assert (utcnow() - call.when).days == 8
    eight_days = (utcnow() - timedelta(days=8)).date().isoformat()
    line = next(h for h in graph.history if "Price check" in h)
    assert line.startswith(f"{eight_days} (8 days ago) call")
