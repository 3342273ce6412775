"""Tracked links, views, e-signature and the PDF; the public side finds only its own link."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlmodel import col, select

from crmapp.models.audit import AuditEvent
from crmapp.models.crm import Deal, PipelineStage
from crmapp.models.proposals import ProposalLink
from crmapp.services.crm import activities, pipeline_admin, pipelines, records
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import NotFound, PermissionDenied, ValidationError
from crmapp.services.proposals import deal_context as ai_context
from crmapp.services.proposals import (
    documents,
    export,
    insights,
    lifecycle,
    public_link,
    render,
    richtext,
    sharing,
)
from crmapp.services.tenancy import notifications
from tests import factories
from tests.integration.test_proposals import load, make_deal, make_proposal, write

AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def sent_proposal(owner):
    proposal = make_proposal(owner)
    write(owner, proposal)
    with factories.scoped(owner) as session:
        url = sharing.send(session, owner.actor, proposal.id, expires_days=7)
    return proposal, url.rsplit("/", 1)[1]


def public(token):
    """A session in the link's organisation, found the way the public page finds it."""
    with tenant_session(None) as session:
        org_id = public_link.locate(session, token)
    return tenant_session(org_id)


def test_a_link_is_found_only_by_its_token_and_views_are_tracked():
    owner = factories.signup("Senders")
    proposal, token = sent_proposal(owner)
    with tenant_session(None) as session:  # no scope: no link is readable without its token
        assert session.exec(select(ProposalLink)).all() == []
    with tenant_session(None) as session, pytest.raises(NotFound):
        public_link.locate(session, token[:-1] + ("A" if token[-1] != "A" else "B"))
    with public(token) as session:
        first = public_link.record_view(session, token, ip="203.0.113.9", user_agent=AGENT)
    with public(token) as session:  # a reload continues the view
        assert (
            public_link.record_view(session, token, ip="203.0.113.9", user_agent=AGENT).id
            == first.id
        )
        assert public_link.heartbeat(session, token, first.id) >= 0
    with public(token) as session:  # another reader
        public_link.record_view(session, token, ip="192.0.2.1", user_agent=AGENT)
    with factories.scoped(owner) as session:
        views = sharing.list_views(session, owner.actor, proposal.id)
        inbox = notifications.recent(session, owner.actor)
        timeline = activities.timeline(session, owner.actor, "deal", proposal.deal_id)
    assert len(views) == 2 and views[0].client == "Chrome on Linux"
    assert views[0].ip_hash != views[1].ip_hash and "203.0.113.9" not in views[1].ip_hash
    assert [n.kind for n in inbox].count("proposal.viewed") == 1  # the first view only
    assert [item.title for item in timeline].count("Proposal viewed") == 2


def test_signing_freezes_the_version_moves_the_deal_and_certifies_the_pdf():
    owner = factories.signup("Signers")
    proposal, token = sent_proposal(owner)
    with public(token) as session, pytest.raises(ValidationError) as refused:
        public_link.sign(
            session, token, name="A", email="bad", consent=False, ip="1.2.3.4", user_agent=AGENT
        )
    assert set(refused.value.fields) == {"name", "email", "consent"}
    with public(token) as session:
        deal_before = session.get(Deal, proposal.deal_id)
        stage_before = session.get(PipelineStage, deal_before.stage_id)
        signature = public_link.sign(
            session,
            token,
            name="Hana Hale",
            email="hana@example.test",
            consent=True,
            ip="198.51.100.7",
            user_agent=AGENT,
        )
    signed = load(owner, proposal)
    assert signed.status == "signed" and signed.signed_at is not None
    assert signature.document_sha256 == documents.proposal_hash(signed)
    assert signature.version == signed.version
    with public(token) as session, pytest.raises(ValidationError, match="signed already"):
        public_link.sign(
            session, token, name="Hana Hale", email="", consent=True, ip="", user_agent=""
        )
    with factories.scoped(owner) as session:
        deal = session.get(Deal, proposal.deal_id)
        stage = session.get(PipelineStage, deal.stage_id)
        assert stage.position > stage_before.position
        timeline = activities.timeline(session, owner.actor, "deal", proposal.deal_id)
        # Frozen: no edit, and marking paid is for Owners/Admins.
        with pytest.raises(ValidationError):
            documents.save_section(session, owner.actor, proposal.id, 0, "<p>changed</p>")
        lifecycle.mark_paid(session, owner.actor, proposal.id)
        name, pdf = export.proposal_pdf(session, owner.actor, proposal.id)
    assert any(item.title == "Proposal signed" for item in timeline)
    assert load(owner, proposal).status == "paid"
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(pdf)).pages
    last = pages[-1].extract_text()
    assert "Signing certificate" in last and signature.document_sha256 in last.replace("\n", "")
    assert "Hana Hale" in last


def test_revoked_and_expired_links_stop_working():
    owner = factories.signup("Revokers")
    proposal, token = sent_proposal(owner)
    with factories.scoped(owner) as session:
        link = sharing.list_links(session, owner.actor, proposal.id)[0]
        sharing.revoke_link(session, owner.actor, link.id)
    with public(token) as session, pytest.raises(NotFound):
        public_link.record_view(session, token, ip="", user_agent="")
    with factories.scoped(owner) as session:
        url = sharing.new_link(session, owner.actor, proposal.id, expires_days=1)
        fresh = url.rsplit("/", 1)[1]
        for row in sharing.list_links(session, owner.actor, proposal.id):
            row.expires_at = row.created_at
            session.add(row)
    with public(fresh) as session, pytest.raises(NotFound, match="expired"):
        public_link.record_view(session, fresh, ip="", user_agent="")
    assert load(owner, proposal).status == "expired"


def test_the_client_can_decline_and_the_owner_hears_of_it():
    owner = factories.signup("Decliners")
    proposal, token = sent_proposal(owner)
    with public(token) as session:
        public_link.decline(session, token, reason="Too expensive", ip="", user_agent="")
    assert load(owner, proposal).status == "declined"
    with factories.scoped(owner) as session:
        assert "declined" in notifications.recent(session, owner.actor)[0].message


def test_won_proposals_enter_the_context_of_similar_deals_and_drive_the_upsell():
    owner = factories.signup("Winners")
    proposal, token = sent_proposal(owner)
    with public(token) as session:
        public_link.sign(
            session, token, name="Hana Hale", email="", consent=True, ip="", user_agent=""
        )
    with factories.scoped(owner) as session:
        won = session.exec(select(PipelineStage).where(PipelineStage.kind == "won")).first()
        deal = session.get(Deal, proposal.deal_id)
        deal.stage_id = won.id
        session.add(deal)
    other = make_deal(owner, title="Second site", products="Web design")
    with factories.scoped(owner) as session:
        graph = ai_context.deal_context(session, owner.actor, other.id, passages=0)
        suggestion = insights.upsell(session, owner.actor, other.id)
    assert any(s.kind == "proposal" and proposal.title in s.label for s in graph.sources)
    assert any(line.startswith("Won proposal") for line in graph.history)
    assert "Hosting" in suggestion  # won elsewhere, not bought by this client


def test_a_proposal_must_have_content_to_be_sent():
    owner = factories.signup("Empty")
    proposal = make_proposal(owner)
    with factories.scoped(owner) as session, pytest.raises(ValidationError, match="empty"):
        sharing.send(session, owner.actor, proposal.id)


def test_the_nightly_job_expires_proposals_past_their_link_expiry():
    from datetime import timedelta

    from jobs.maintenance import expire_proposals

    owner = factories.signup("Expirers")
    proposal, _token = sent_proposal(owner)  # expires in 7 days
    expire_proposals()
    assert load(owner, proposal).status == "sent"  # not due yet
    later = load(owner, proposal).expires_at + timedelta(minutes=1)
    assert expire_proposals(later) >= 1
    assert load(owner, proposal).status == "expired"


def internal_deal(owner, author):
    """A deal in Negotiation owned by `owner`, with a probability, a forecast date, a contact
    whose notes hold a budget, a task and a note: all internal to the agency."""
    with factories.scoped(owner) as session:
        company = records.save_record(
            session,
            owner.actor,
            "company",
            None,
            {"name": "Harbour Lights", "industry": "Hospitality"},
        )
        contact = records.save_record(
            session,
            owner.actor,
            "contact",
            None,
            {
                "first_name": "Hana",
                "last_name": "Hale",
                "title": "COO",
                "company_id": str(company.id),
                "notes": "Budget approved up to $12k; Finance must approve anything over $10k.",
            },
        )
        stage = pipelines.stage_named(session, owner.actor, "Negotiation")
        deal = records.save_record(
            session,
            owner.actor,
            "deal",
            None,
            {
                "title": "Booking site rebuild",
                "value": "9800",
                "currency": "EUR",
                "stage_id": str(stage.id),
                "probability": "65",
                "owner_id": str(owner.actor.user_id),
                "expected_close_date": "2031-09-30",
                "company_id": str(company.id),
                "contact_id": str(contact.id),
                "products": "Web design, Hosting",
            },
        )
        activities.add_activity(
            session,
            owner.actor,
            record_type="deal",
            record_id=deal.id,
            kind="task",
            subject="Chase Finance for the PO",
            body="CFO wants a discount before signing.",
        )
        activities.add_activity(
            session,
            author.actor,
            record_type="contact",
            record_id=contact.id,
            kind="note",
            subject="Price sensitive",
            body="They compare us with Acme.",
        )
    return deal


INTERNAL = [
    "Negotiation",
    "Ottoline",
    "65%",
    "2031-09-30",
    "$12k",
    "$10k",
    "Finance must approve",
    "Chase Finance",
    "CFO wants",
    "Price sensitive",
    "compare us with Acme",
    "Hospitality",
    "task:",
    "note:",
    "Stage",
    "Account Owner",
    "Products Of Interest",
    "Probability",
    "What we have discussed",
    "This section will",
    "We will summarise",
    "Summarise the client",
]


def test_internal_crm_facts_never_reach_the_draft_the_public_page_or_the_pdf():
    owner = factories.signup("Discreet", "ottoline")  # the deal's owner: "Ottoline"
    author = factories.member(owner, "member")  # writes and sends the proposal
    deal = internal_deal(owner, author)
    proposal = make_proposal(author, deal)
    _, state = write(author, proposal)
    assert state == "done"
    draft = "\n".join(richtext.html_to_text(s["html"]) for s in load(author, proposal).sections)
    assert "Harbour Lights" in draft and "Web design" in draft  # client-facing facts stay
    with factories.scoped(author) as session:
        token = sharing.send(session, author.actor, proposal.id).rsplit("/", 1)[1]
    with public(token) as session:  # what the public page shows, and the client's PDF
        opened = public_link.open_link(session, token).proposal
        page = render.document_html(export.render_doc(session, opened))
        _, pdf = export.public_pdf(session, token)
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    for name, text in (("draft", draft), ("public page", page), ("PDF", pdf_text)):
        leaked = [fact for fact in INTERNAL if fact.lower() in text.lower()]
        assert leaked == [], f"{name} quotes internal facts: {leaked}"


def sign_as(token, name="Hana Hale", email="hana@example.test"):
    with public(token) as session:
        return public_link.sign(
            session,
            token,
            name=name,
            email=email,
            consent=True,
            ip="198.51.100.7",
            user_agent=AGENT,
        )


def deal_of(owner, proposal):
    with factories.scoped(owner) as session:
        deal = session.get(Deal, proposal.deal_id)
        return deal, session.get(PipelineStage, deal.stage_id)


def test_public_inputs_are_bounded_and_the_signer_is_recorded_as_a_public_actor():
    owner = factories.signup("Bounded")
    proposal, token = sent_proposal(owner)
    with public(token) as session, pytest.raises(ValidationError) as refused:
        public_link.sign(
            session,
            token,
            name="Hana " * 40_000,
            email="h" * 250 + "@example.test",
            consent=True,
            ip="",
            user_agent="",
        )
    assert "at most 120 characters" in refused.value.fields["name"]
    assert "at most 254 characters" in refused.value.fields["email"]
    with public(token) as session, pytest.raises(ValidationError) as refused:
        public_link.sign(
            session, token, name="Hana\x00Hale", email="", consent=True, ip="", user_agent=""
        )
    assert set(refused.value.fields) == {"name"}
    with public(token) as session, pytest.raises(ValidationError) as refused:
        public_link.decline(session, token, reason="Too dear. " * 20_000, ip="", user_agent="")
    assert "at most 1,000 characters" in refused.value.fields["reason"]
    assert load(owner, proposal).status == "sent"  # nothing was taken

    with public(token) as session:
        public_link.record_view(session, token, ip="198.51.100.7", user_agent=AGENT)
    sign_as(token, name="Hana " + "H" * 115)  # 120 characters: the limit itself
    with factories.scoped(owner) as session:
        public_side = session.exec(
            select(AuditEvent).where(
                col(AuditEvent.entity_id).in_([str(proposal.id), str(proposal.deal_id)]),
                col(AuditEvent.created_at) > load(owner, proposal).sent_at,
            )
        ).all()
    signed = [e for e in public_side if e.changes.get("status") == ["sent", "signed"]]
    assert len(signed) == 1 and signed[0].actor_email.startswith("Hana HHH")
    assert {e.action for e in public_side} >= {
        "deal.proposal_viewed",
        "deal.proposal_signed",
        "deal.stage_changed",
    }
    for event in public_side:  # the client acted, not the proposal's owner
        assert event.actor_user_id is None, event.action
        assert "(public link)" in event.actor_email and owner.email not in event.actor_email
    deal, _stage = deal_of(owner, proposal)
    assert deal.closed_at is not None and deal.closed_by is None


def test_signing_wins_the_deal_at_the_signed_total_and_paid_records_the_payment():
    owner = factories.signup("Closers")
    proposal = make_proposal(owner)  # a deal of 12,500 EUR in Lead (10 %)
    write(owner, proposal)
    with factories.scoped(owner) as session:
        documents.save_pricing(
            session,
            owner.actor,
            proposal.id,
            [
                {"description": "Booking site rebuild", "quantity": "1", "unit_price": "12500"},
                {"description": "Hosting (12 months)", "quantity": "12", "unit_price": "50"},
            ],
            discount="0",
            tax="0",
        )
        token = sharing.send(session, owner.actor, proposal.id).rsplit("/", 1)[1]
    before, lead = deal_of(owner, proposal)
    assert (lead.name, before.value, before.probability) == ("Lead", Decimal("12500.00"), 10)

    sign_as(token)
    deal, stage = deal_of(owner, proposal)
    assert (stage.name, stage.kind) == ("Won", "won")
    assert (deal.value, deal.currency, deal.probability) == (Decimal("13100.00"), "EUR", 100)
    with factories.scoped(owner) as session:
        updates = session.exec(
            select(AuditEvent.changes).where(
                AuditEvent.action == "deal.updated", AuditEvent.entity_id == str(deal.id)
            )
        ).all()
    assert {"value": ["12500.00", "13100.00"], "probability": [10, 100]} in updates

    with factories.scoped(owner) as session:
        lifecycle.mark_paid(session, owner.actor, proposal.id)
    with factories.scoped(owner) as session:
        timeline = activities.timeline(session, owner.actor, "deal", deal.id)
    paid = [item for item in timeline if item.title == "Proposal paid"]
    assert len(paid) == 1 and "13,100.00 EUR" in paid[0].detail


def test_each_pipeline_chooses_the_stage_a_signature_moves_its_deals_to():
    owner = factories.signup("Configured")
    member = factories.member(owner, "member")
    with factories.scoped(owner) as session:
        pipeline = pipelines.default_pipeline(session, owner.actor)
        assert pipelines.signed_stage(session, owner.actor, pipeline.id).name == "Won"
        onboarding = pipeline_admin.add_stage(
            session,
            owner.actor,
            pipeline.id,
            name="Signed: onboarding",
            kind="won",
            probability=100,
        )
        other = pipeline_admin.create_pipeline(session, owner.actor, "Renewals")
    with factories.scoped(owner) as session:
        lost = pipelines.stage_named(session, owner.actor, "Lost")
        with pytest.raises(ValidationError, match="lost"):
            pipeline_admin.set_signed_stage(session, owner.actor, pipeline.id, lost.id)
        foreign = pipelines.stages(session, owner.actor, other.id)[-2]  # Renewals' Won
        with pytest.raises(ValidationError, match="this pipeline"):
            pipeline_admin.set_signed_stage(session, owner.actor, pipeline.id, foreign.id)
        pipeline_admin.set_signed_stage(session, owner.actor, pipeline.id, onboarding.id)
    with factories.scoped(member) as session, pytest.raises(PermissionDenied):
        pipeline_admin.set_signed_stage(session, member.actor, pipeline.id, onboarding.id)
    with factories.scoped(owner) as session:
        assert pipelines.signed_stage(session, owner.actor, pipeline.id).id == onboarding.id
        changes = session.exec(
            select(AuditEvent.changes).where(AuditEvent.action == "pipeline.signed_stage_changed")
        ).all()
    assert changes == [{"stage": ["Won", "Signed: onboarding"]}]

    proposal, token = sent_proposal(owner)
    sign_as(token)
    _deal, stage = deal_of(owner, proposal)
    assert stage.id == onboarding.id
