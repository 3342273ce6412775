"""What a draft may say: internal facts never quoted (offline writer or model), every figure
traced to the deal, the knowledge base or the pricing table (sending untraced ones needs a
confirmation), and sources by passage. Activities' own times: `test_activity_times`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from crmapp import routes
from crmapp.models.base import utcnow
from crmapp.models.kb import KBChunk
from crmapp.services.crm import activities, custom_fields, records
from crmapp.services.platform.errors import ValidationError
from crmapp.services.proposals import (
    deal_context,
    deal_prompt,
    documents,
    draft_check,
    editor_view,
    generation,
    knowledge_base,
    richtext,
    sharing,
)
from jobs import kb as kb_jobs
from tests import factories
from tests.integration.test_proposals import load, make_proposal, write

NOTE = "Asked whether the onboarding fee can be waived; Ottoline Brandt must approve it"
CALL = "They compare us with Acme Digital and want 20% off before Christmas"
TASK = "Chase the signed purchase order from procurement"
APPROVAL = "Discounts above 10% need sign-off from Ottoline Brandt"


def deal_with_internals(signed, *, occurred_days_ago: int = 8):
    """A deal with every kind of internal fact: stage, probability, owner, value, a budget and
    an approval rule in custom fields, a note on the contact, a call and a task."""
    with factories.scoped(signed) as session:
        for label, kind in (("Budget", "number"), ("Approval rule", "text")):
            custom_fields.create_field(session, signed.actor, "deal", label=label, field_type=kind)
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
            {"budget": "11,000", "approval_rule": APPROVAL},
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
        activities.add_activity(
            session,
            signed.actor,
            record_type="deal",
            record_id=deal.id,
            kind="task",
            subject="Purchase order",
            body=TASK,
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


def index_of(proposal, title: str) -> int:
    return next(i for i, s in enumerate(proposal.sections) if s["title"] == title)


# Every internal fact of `deal_with_internals`, as a draft might quote it.
INTERNAL_WORDING = (
    "onboarding fee can be waived",
    "Ottoline",
    "Acme",
    "20%",
    "65%",
    "11,000",
    "purchase order",
    "Discounts above 10%",
)


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
    assert {(f.key, f.source.kind) for f in graph.visible()} == {
        ("client", "company"),
        ("deal", "deal"),
        ("products_of_interest", "deal"),
        ("contact", "contact"),
    }
    internal = {(f.key, f.source.kind, f.source.label) for f in graph.internal()}
    day = (utcnow() - timedelta(days=8)).date().isoformat()
    assert {
        ("value", "deal", "Booking site rebuild"),
        ("stage", "deal", "Booking site rebuild"),
        ("probability", "deal", "Booking site rebuild"),
        ("account_owner", "deal", "Booking site rebuild"),
        ("custom_field", "deal", "Booking site rebuild: Budget"),
        ("custom_field", "deal", "Booking site rebuild: Approval rule"),
        ("note", "note", "Notes on Hana Hale"),
        ("activity", "activity", f"Call {day}: Price check"),
    } <= internal
    assert any(k == "activity" and label.startswith("Task ") for k, _, label in internal)
    texts = " ".join(f.text for f in graph.internal())
    for fact in (NOTE, CALL, TASK, APPROVAL, "Budget: 11,000", "65%"):
        assert fact in texts
    for fact in graph.visible():  # nothing internal is on the client-visible side
        assert not any(w in fact.text for w in INTERNAL_WORDING), fact


def test_the_prompt_says_internal_facts_are_background_only_and_quotes_none_of_them():
    owner = factories.signup("Prompts")
    deal = deal_with_internals(owner)
    with factories.scoped(owner) as session:
        graph = deal_context.deal_context(session, owner.actor, deal.id, passages=0)
    system, user = (m["content"] for m in deal_prompt.messages(graph, []))
    assert "background only" in system and "never quote" in system
    # The system instruction names this deal's internal facts, by their source.
    assert "probability" in system and "Price check" in system and "Budget" in system
    quotable, background = user.split(deal_prompt.BACKGROUND, 1)
    assert "Harbour Lights" in quotable and "Web design" in quotable
    for fact in (NOTE, CALL, TASK, APPROVAL, "11,000", "65%"):
        assert fact not in quotable and fact in background


def test_an_internal_fact_is_never_quoted_in_an_offline_draft(rq_worker_burst):
    owner = factories.signup("Offline Discreet")
    deal = deal_with_internals(owner)
    add_passage(
        owner, "FAQ", "Web design projects include a mobile-first booking flow.", rq_worker_burst
    )
    proposal = make_proposal(owner, deal)
    _, state = write(owner, proposal)
    written = load(owner, proposal)
    draft = text_of(written)
    assert state == "done" and written.provider == "offline" and "Harbour Lights" in draft
    for internal in INTERNAL_WORDING:
        assert internal not in draft
    assert view(owner, proposal).flags == []  # the offline draft states nothing untraced


def test_a_model_answer_quoting_internal_facts_and_an_invented_price_is_cleaned_and_flagged(
    model,
):
    owner = factories.signup("Model Discreet")
    deal = deal_with_internals(owner)
    model.answer = (
        "## Overview\nA calm, fast booking site for Harbour Lights. You asked whether the"
        " onboarding fee can be waived.\n\n"
        "## Scope of work\n- Web design\n- A discount: they compare us with Acme Digital\n"
        "- Hosting\n\n"
        "## Investment\nIt stays within your budget of 11,000 EUR. The investment is €14,900."
    )
    proposal = make_proposal(owner, deal)
    _, state = write(owner, proposal)
    written = load(owner, proposal)
    draft = text_of(written)
    assert state == "done" and written.provider == "primary"
    assert "calm, fast booking site for Harbour Lights." in draft and "Hosting" in draft
    for internal in ("onboarding fee", "Acme", "11,000", "budget"):
        assert internal not in draft
    shown = view(owner, proposal)
    assert [r["source"] for r in shown.removed] == [
        "Notes on Hana Hale",
        f"Call {(utcnow() - timedelta(days=8)).date().isoformat()}: Price check",
        "Booking site rebuild: Budget",
    ]
    # The invented price stays, marked for the rep; nothing else is.
    assert [(f["text"], f["title"], f["reason"]) for f in shown.flags] == [
        ("€14,900", "Investment", draft_check.UNTRACED)
    ]
    # The prompt told the model which facts are background only.
    assert deal_prompt.BACKGROUND in model.requests[0]["messages"][1]["content"]


def test_a_section_rewrite_by_the_model_is_cleaned_and_its_figures_checked(model):
    owner = factories.signup("Rewrites")
    proposal = make_proposal(owner, deal_with_internals(owner))
    model.answer = "## Overview\nA booking site for Harbour Lights.\n\n## Investment\nAs priced."
    write(owner, proposal)
    assert view(owner, proposal).flags == []
    investment = index_of(load(owner, proposal), "Investment")
    model.answer = (
        "Discounts above 10% need sign-off from Ottoline Brandt. We offer 15% off until"
        " 31 January 2031."
    )
    _, state = write(owner, proposal, section=investment, instruction="offer a discount")
    pending = load(owner, proposal).pending
    assert state == "done" and "15% off" in pending["html"] and "Ottoline" not in pending["html"]
    assert [r["section"] for r in view(owner, proposal).removed] == ["Investment"]
    with factories.scoped(owner) as session:
        generation.accept_pending(session, owner.actor, proposal.id)
    assert {(f["text"], f["title"]) for f in view(owner, proposal).flags} == {
        ("15%", "Investment"),
        ("31 January 2031", "Investment"),
    }


def test_an_offline_section_rewrite_is_checked_too():
    owner = factories.signup("Offline Rewrites")
    proposal = make_proposal(owner, deal_with_internals(owner))
    write(owner, proposal)
    overview = index_of(load(owner, proposal), "Overview")
    write(owner, proposal, section=overview, instruction="mention the 5% loyalty discount")
    with factories.scoped(owner) as session:
        generation.accept_pending(session, owner.actor, proposal.id)
    flags = view(owner, proposal).flags
    assert [(f["text"], f["title"], f["kind"]) for f in flags] == [("5%", "Overview", "percent")]


def test_an_untraced_price_needs_a_confirmation_to_send_and_the_check_reruns_on_save(
    model, rq_worker_burst
):
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
    with (
        factories.scoped(owner) as session,
        pytest.raises(
            ValidationError, match=r"Confirm before sending: 1 figure or name not found.*€14,900"
        ) as refused,
    ):
        sharing.send(session, owner.actor, proposal.id)
    assert set(refused.value.fields) == {"untraced"}
    assert load(owner, proposal).status == "draft"
    investment = index_of(load(owner, proposal), "Investment")
    with factories.scoped(owner) as session:  # the rep types another figure: flagged at once
        documents.save_section(
            session, owner.actor, proposal.id, investment, "<p>The investment is €13,000.</p>"
        )
    assert [f["text"] for f in view(owner, proposal).flags] == ["€13,000"]
    with factories.scoped(owner) as session:  # and fixes it: nothing left to confirm
        documents.save_section(
            session, owner.actor, proposal.id, investment, "<p>The investment is €12,500.</p>"
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
    with factories.scoped(owner) as session:
        chunk = session.exec(select(KBChunk)).one()
    stored = [s for s in load(owner, proposal).sources if s["kind"] == "passage"]
    assert stored == [
        {
            "kind": "passage",
            "label": "Web design services — Booking flows",
            "href": routes.KNOWLEDGE,
            "document_id": str(chunk.document_id),
            "chunk_id": str(chunk.id),
            "text": chunk.text,
        }
    ]
    # The side panel lists it with its text (the page opens it on a click).
    panel = [s for s in view(owner, proposal).sources if s["kind"] == "passage"]
    assert panel[0]["label"] == "Web design services — Booking flows"
    assert "mobile-first booking flow" in panel[0]["text"] and panel[0]["index"]
