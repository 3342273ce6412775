"""Proposals: create from a deal, write in the job (streamed through Redis), re-prompt a section,
edit and version, and the three state machines with their audit trail."""

from __future__ import annotations

import pytest
from sqlmodel import col, func, select

from crmapp.models.ai import AIUsage
from crmapp.models.audit import AuditEvent
from crmapp.services.crm import records
from crmapp.services.platform.errors import NotFound, PermissionDenied, ValidationError
from crmapp.services.proposals import documents, generation, lifecycle, richtext, templates
from jobs.proposals import enqueue_writing
from tests import factories


def make_deal(signed, *, title="Booking site rebuild", products="Web design, Hosting"):
    with factories.scoped(signed) as session:
        company = records.save_record(
            session,
            signed.actor,
            "company",
            None,
            {"name": "Harbour Lights", "industry": "Hospitality"},
        )
        deal = records.save_record(
            session,
            signed.actor,
            "deal",
            None,
            {
                "title": title,
                "value": "12500",
                "currency": "EUR",
                "company_id": str(company.id),
                "products": products,
            },
        )
    return deal


def make_proposal(signed, deal=None, kind="sow"):
    deal = deal or make_deal(signed)
    with factories.scoped(signed) as session:
        template = next(
            t for t in templates.list_templates(session, signed.actor) if t.kind == kind
        )
        proposal = documents.create_proposal(
            session, signed.actor, deal_id=deal.id, template_id=template.id, voice="direct"
        )
    return proposal


def write(signed, proposal, **kwargs):
    """Start a run and execute it in-process (the job's own code path)."""
    with factories.scoped(signed) as session:
        request_id = generation.start(session, signed.actor, proposal.id, **kwargs)
    with factories.scoped(signed) as session:
        state = generation.run(session, signed.actor, proposal.id, request_id)
    return request_id, state


def load(signed, proposal):
    with factories.scoped(signed) as session:
        return documents.get_proposal(session, signed.actor, proposal.id)


def test_every_organisation_starts_with_the_four_templates_and_can_add_its_own():
    owner = factories.signup("Templates Co")
    with factories.scoped(owner) as session:
        kinds = {t.kind for t in templates.list_templates(session, owner.actor)}
        assert {"sow", "retainer", "fixed_bid", "msa"} <= kinds
        custom = templates.save_template(
            session,
            owner.actor,
            template_id=None,
            name="Audit",
            description="",
            sections=[
                {"title": "Findings", "guidance": "what we found"},
                {"title": "", "guidance": ""},
            ],
        )
        assert custom.sections == [{"title": "Findings", "guidance": "what we found"}]
        with pytest.raises(ValidationError, match="exists already"):
            templates.save_template(
                session,
                owner.actor,
                template_id=None,
                name="Audit",
                description="",
                sections=[{"title": "X"}],
            )
    member = factories.member(owner, "member")
    with factories.scoped(member) as session, pytest.raises(PermissionDenied):
        templates.archive_template(session, member.actor, custom.id)


def test_a_draft_is_written_by_the_job_streamed_and_saved_as_a_version(rq_worker_burst):
    owner = factories.signup("Writers")
    proposal = make_proposal(owner)
    assert [s["html"] for s in proposal.sections] == [""] * len(proposal.sections)
    assert proposal.items[0]["unit_price"] in ("12500", "12500.00")
    with factories.scoped(owner) as session:
        request_id = generation.start(session, owner.actor, proposal.id)
        # A second click while it is queued fires nothing.
        with pytest.raises(ValidationError, match="Wait for the draft"):
            generation.start(session, owner.actor, proposal.id)
    enqueue_writing(proposal.id, owner.actor.org_id, owner.actor.user_id, request_id)
    enqueue_writing(proposal.id, owner.actor.org_id, owner.actor.user_id, request_id)
    rq_worker_burst()
    done = load(owner, proposal)
    assert done.generation == "done" and done.provider == "offline"
    assert done.version == 1
    scope = richtext.html_to_text(done.sections[1]["html"])
    assert "Harbour Lights" in richtext.html_to_text(done.sections[0]["html"])
    assert scope.strip()
    assert done.tone_score is not None and "direct voice" in done.tone_label
    assert {s["kind"] for s in done.sources} >= {"deal", "company"}
    # What the page reads: the whole text from the start (as after a refresh), then the end.
    text, _last, end = generation.read_stream(request_id, "0", block_ms=1)
    assert "Harbour Lights" in text and end == "done"
    with factories.scoped(owner) as session:
        usage = session.exec(
            select(func.count()).select_from(AIUsage).where(AIUsage.request_id == request_id)
        ).one()
        assert usage == 1  # enqueued twice, written and recorded once
        versions = documents.list_versions(session, owner.actor, proposal.id)
    assert [v.reason for v in versions] == ["generated (offline)"]


def test_a_section_rewrite_is_a_diff_to_accept_or_reject():
    owner = factories.signup("Rewriters")
    proposal = make_proposal(owner)
    write(owner, proposal)
    timeline = next(
        i for i, s in enumerate(load(owner, proposal).sections) if s["title"] == "Timeline"
    )
    with factories.scoped(owner) as session:
        documents.save_section(
            session,
            owner.actor,
            proposal.id,
            timeline,
            "<p>Discovery takes 3 weeks, build 9 weeks.</p>",
        )
    before = load(owner, proposal)
    _, state = write(
        owner, proposal, section=timeline, instruction="make the timeline more aggressive"
    )
    assert state == "done"
    after = load(owner, proposal)
    assert after.sections == before.sections  # nothing changes until accepted
    assert after.pending["index"] == timeline
    new_text = richtext.html_to_text(after.pending["html"])
    assert "2 weeks" in new_text and "6 weeks" in new_text
    with factories.scoped(owner) as session:
        generation.accept_pending(session, owner.actor, proposal.id)
    accepted = load(owner, proposal)
    assert "6 weeks" in accepted.sections[timeline]["html"] and accepted.pending == {}
    assert accepted.version == before.version + 1
    # Reject keeps the text.
    write(owner, proposal, section=timeline, instruction="shorter please")
    with factories.scoped(owner) as session:
        generation.reject_pending(session, owner.actor, proposal.id)
    assert load(owner, proposal).sections == accepted.sections


def test_cancel_stops_a_queued_run_and_the_job_then_does_nothing():
    owner = factories.signup("Cancellers")
    proposal = make_proposal(owner)
    with factories.scoped(owner) as session:
        request_id = generation.start(session, owner.actor, proposal.id)
    with factories.scoped(owner) as session:
        assert generation.cancel(session, owner.actor, proposal.id)
    cancelled = load(owner, proposal)
    assert cancelled.generation == "failed" and "Cancelled" in cancelled.generation_error
    with factories.scoped(owner) as session:
        assert generation.run(session, owner.actor, proposal.id, request_id) == "failed"
    assert load(owner, proposal).sections[0]["html"] == ""
    # A run left streaming by a worker that died mid-job ends when cancelled.
    with factories.scoped(owner) as session:
        generation.start(session, owner.actor, proposal.id)
    with factories.scoped(owner) as session:
        stuck = documents.get_proposal(session, owner.actor, proposal.id)
        lifecycle.move(session, owner.actor, stuck, "generation", "streaming")
    with factories.scoped(owner) as session:
        generation.cancel(session, owner.actor, proposal.id)  # the job would see the flag
    assert load(owner, proposal).generation == "streaming"
    with factories.scoped(owner) as session:
        generation.cancel(session, owner.actor, proposal.id, job_gone=True)
    assert load(owner, proposal).generation == "failed"


def test_edits_autosave_sanitized_and_coalesce_into_one_version():
    owner = factories.signup("Editors")
    proposal = make_proposal(owner)
    with factories.scoped(owner) as session:
        documents.save_section(
            session,
            owner.actor,
            proposal.id,
            0,
            '<p onclick="x()">Hello <script>bad()</script><b>world</b></p>',
        )
        documents.save_section(session, owner.actor, proposal.id, 0, "<p>Hello again</p>")
        documents.save_pricing(
            session,
            owner.actor,
            proposal.id,
            [
                {"description": "Design", "quantity": "2", "unit_price": "1,000"},
                {"description": "", "quantity": "", "unit_price": ""},
            ],
            discount="10",
            tax="20",
        )
        with pytest.raises(ValidationError, match="Row 1"):
            documents.save_pricing(
                session,
                owner.actor,
                proposal.id,
                [{"description": "X", "quantity": "two", "unit_price": "1"}],
            )
    edited = load(owner, proposal)
    assert edited.sections[0]["html"] == "<p>Hello again</p>"
    assert edited.version == 1  # one "edited" version for a burst of saves
    assert [i["description"] for i in edited.items] == ["Design"]
    assert (edited.discount_pct, edited.tax_pct) == (10, 20)
    colleague = factories.member(owner, "member")
    with factories.scoped(colleague) as session:  # another author: a version of their own
        documents.save_section(session, colleague.actor, proposal.id, 0, "<p>Third</p>")
    assert load(owner, proposal).version == 2
    with factories.scoped(colleague) as session:
        documents.restore_version(session, colleague.actor, proposal.id, 1)
    restored = load(owner, proposal)
    assert restored.sections[0]["html"] == "<p>Hello again</p>"
    assert restored.version == 3
    with factories.scoped(owner) as session:
        reasons = [v.reason for v in documents.list_versions(session, owner.actor, proposal.id)]
    assert reasons == ["restored v1", "edited", "edited"]


def test_state_machines_refuse_invalid_moves_and_audit_valid_ones():
    owner = factories.signup("Machines")
    member = factories.member(owner, "member")
    proposal = make_proposal(member)
    write(member, proposal)
    with factories.scoped(member) as session:
        with pytest.raises(lifecycle.InvalidTransition, match="draft: it cannot become paid"):
            lifecycle.mark_paid(session, owner.actor, proposal.id)
        with pytest.raises(PermissionDenied):
            lifecycle.mark_paid(session, member.actor, proposal.id)
        lifecycle.set_approvals_required(session, owner.actor, True)
    with factories.scoped(member) as session, pytest.raises(ValidationError, match="approval"):
        from crmapp.services.proposals import sharing

        sharing.send(session, member.actor, proposal.id)
    with factories.scoped(member) as session:
        lifecycle.submit_for_review(session, member.actor, proposal.id)
        with pytest.raises(PermissionDenied):
            lifecycle.approve(session, member.actor, proposal.id)
        # Content is frozen while in review.
        with pytest.raises(ValidationError, match="only drafts"):
            documents.save_section(session, member.actor, proposal.id, 0, "<p>x</p>")
    with factories.scoped(owner) as session:
        lifecycle.request_changes(session, owner.actor, proposal.id, "Add the hosting costs")
    changed = load(member, proposal)
    assert (changed.status, changed.approval) == ("draft", "changes_requested")
    with factories.scoped(member) as session:
        lifecycle.submit_for_review(session, member.actor, proposal.id)
    with factories.scoped(owner) as session:
        lifecycle.approve(session, owner.actor, proposal.id)
        with pytest.raises(lifecycle.InvalidTransition):
            lifecycle.approve(session, owner.actor, proposal.id)
    with factories.scoped(member) as session:
        sharing.send(session, member.actor, proposal.id)
    sent = load(member, proposal)
    assert (sent.status, sent.approval) == ("sent", "approved")
    with factories.scoped(owner) as session:
        actions = session.exec(
            select(AuditEvent.action, AuditEvent.changes)
            .where(
                AuditEvent.entity_type == "proposal",
                AuditEvent.entity_id == str(proposal.id),
                col(AuditEvent.action).like("proposal.%_changed"),
            )
            .order_by(col(AuditEvent.created_at))
        ).all()
    statuses = [c["status"] for a, c in actions if a == "proposal.status_changed"]
    assert statuses == [
        ["draft", "review"],
        ["review", "draft"],
        ["draft", "review"],
        ["review", "sent"],
    ]
    generations = [c["generation"] for a, c in actions if a == "proposal.generation_changed"]
    assert generations == [["idle", "queued"], ["queued", "streaming"], ["streaming", "done"]]


def test_proposals_of_another_organisation_are_invisible():
    owner, stranger = factories.signup("Mine"), factories.signup("Theirs")
    proposal = make_proposal(owner)
    with factories.scoped(stranger) as session:
        with pytest.raises(NotFound):
            documents.get_proposal(session, stranger.actor, proposal.id)
        assert documents.list_proposals(session, stranger.actor)[1] == 0


def test_a_model_writes_the_draft_when_one_is_configured(monkeypatch):
    from crmapp.settings import get_settings
    from tests.fakes.openai_fake import FakeOpenAI

    answer = "## Overview\nA calm, fast booking site.\n\n## Scope of work\nDesign and build."
    fake = FakeOpenAI(answer=answer).start()
    monkeypatch.setenv("TANDEM_AI_PRIMARY_BASE_URL", fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    get_settings.cache_clear()
    try:
        owner = factories.signup("Modelled")
        proposal = make_proposal(owner)
        _, state = write(owner, proposal)
    finally:
        fake.stop()
        get_settings.cache_clear()
    written = load(owner, proposal)
    assert state == "done" and written.provider == "primary"
    assert "calm, fast booking site" in written.sections[0]["html"]
    assert "Design and build" in written.sections[1]["html"]
    prompt = fake.requests[0]["messages"][1]["content"]
    assert "Harbour Lights" in prompt and "## Timeline" in prompt  # grounded in the deal


def test_a_spent_budget_with_a_hard_stop_refuses_to_start():
    from crmapp.models.tenancy import Organization
    from crmapp.services.ai import gateway
    from crmapp.services.tenancy import orgs

    owner = factories.signup("Thrifty")
    proposal = make_proposal(owner)
    with factories.scoped(owner) as session:
        orgs.set_budget(session, owner.actor, "0", True)
    with factories.scoped(owner) as session, pytest.raises(gateway.BudgetExceeded, match="spent"):
        generation.start(session, owner.actor, proposal.id)
    assert load(owner, proposal).generation == "idle"
    with factories.scoped(owner) as session:
        org = session.get(Organization, owner.actor.org_id)
        assert (org.ai_monthly_budget_usd, org.ai_hard_stop) == (0, True)


def test_the_hard_stop_says_the_same_thing_before_queueing_and_before_writing():
    from crmapp.services.ai import gateway
    from crmapp.services.tenancy import orgs

    owner = factories.signup("Stopped")
    proposal = make_proposal(owner)
    with factories.scoped(owner) as session:
        orgs.set_budget(session, owner.actor, "0", True)
    with factories.scoped(owner) as session, pytest.raises(gateway.BudgetExceeded) as queued:
        generation.start(session, owner.actor, proposal.id)
    prompt = gateway.Prompt([{"role": "user", "content": "Write."}], lambda: "offline")
    with factories.scoped(owner) as session, pytest.raises(gateway.BudgetExceeded) as writing:
        list(gateway.generate(session, owner.actor.org_id, prompt, gateway.Outcome()))
    assert str(queued.value) == str(writing.value)
    assert "Settings → Proposals & AI" in str(writing.value)  # where an Owner raises it


def test_the_page_can_tell_whether_a_run_is_still_alive():
    from jobs.proposals import job_state

    owner = factories.signup("Alive")
    proposal = make_proposal(owner)
    with factories.scoped(owner) as session:
        request_id = generation.start(session, owner.actor, proposal.id)
    assert job_state(request_id) == ""  # never enqueued: the page stops waiting
    enqueue_writing(proposal.id, owner.actor.org_id, owner.actor.user_id, request_id)
    # The browser tests' interactive worker, still running, may already have taken it.
    assert job_state(request_id) in ("queued", "started", "finished")


def test_a_run_cancelled_while_it_writes_keeps_nothing(monkeypatch):
    owner = factories.signup("Midway")
    proposal = make_proposal(owner)
    original = generation._plan

    def plan_then_cancel(session, actor, row):
        plan = original(session, actor, row)
        with factories.scoped(owner) as other:  # the user clicks Cancel meanwhile
            generation.cancel(other, owner.actor, proposal.id, job_gone=True)
        return plan

    monkeypatch.setattr(generation, "_plan", plan_then_cancel)
    _, state = write(owner, proposal)
    ended = load(owner, proposal)
    assert state == "failed" and ended.generation == "failed"
    assert ended.sections[0]["html"] == "" and ended.version == 0
