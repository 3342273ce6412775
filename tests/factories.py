"""Test data built through the real services (no fixtures copied between files)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import tenant_session
from crmapp.services.tenancy import auth, invitations
from crmapp.services.tenancy.auth import Client

PASSWORD = "a-long-test-password"


def client() -> Client:
    """A distinct client per call, so per-IP limits of one test never touch another."""
    return Client(ip=f"test-{uuid.uuid4().hex[:10]}", user_agent="pytest")


def email(prefix: str = "user") -> str:
    """A unique email address."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}@example.test"


@dataclass
class Signed:
    """A signed-in user: their token and the actor for service calls."""

    token: str
    actor: Actor
    email: str


def signup(org_name: str = "Org", prefix: str = "owner") -> Signed:
    """A new user owning a new organisation."""
    address = email(prefix)
    token = auth.signup(
        email=address,
        password=PASSWORD,
        name=prefix.title(),
        org_name=org_name,
        client=client(),
    )
    view = auth.resolve(token)
    assert view is not None
    actor = view.actor(client())
    assert actor is not None
    return Signed(token, actor, address)


def member(owner: Signed, role: str, prefix: str | None = None) -> Signed:
    """A new user who joined `owner`'s organisation by invitation with `role`."""
    address = email(prefix or role)
    with tenant_session(owner.actor.org_id, owner.actor.user_id) as session:
        _inv, link = invitations.create_invitation(session, owner.actor, address, role)
    token = invitations.signup_with_invitation(
        link, name=role.title(), password=PASSWORD, client=client()
    )
    view = auth.resolve(token)
    assert view is not None and view.actor(client()) is not None
    return Signed(token, view.actor(client()), address)


def scoped(signed: Signed):
    """A tenant session for `signed`'s organisation."""
    return tenant_session(signed.actor.org_id, signed.actor.user_id)


@dataclass
class Workspace:
    """Ids of one of everything a page can show (see `workspace`)."""

    contact_id: uuid.UUID
    company_id: uuid.UUID
    deal_id: uuid.UUID
    proposal_id: uuid.UUID
    account_id: uuid.UUID
    post_id: uuid.UUID


def workspace(owner: Signed) -> Workspace:
    """A contact at a company with a deal, a drafted and sent proposal with a live link, a sandbox
    account with a post waiting for review, and a knowledge-base document: enough for every page
    to show its controls."""
    from crmapp.services.crm import basic_records
    from crmapp.services.proposals import documents, generation, knowledge_base, sharing, templates
    from crmapp.services.social import accounts, posts, review

    actor = owner.actor
    with scoped(owner) as session:
        company = basic_records.create_company(
            session, actor, name="Fjord Logistics", domain="fjord.example"
        )
        contact = basic_records.create_contact(
            session, actor, basic_records.ContactInput("Nora", "Lind", "nora@fjord.example")
        )
        contact.company_id = company.id
        session.flush()
        deal = basic_records.create_deal(
            session,
            actor,
            title="Fjord rebrand",
            value="12000",
            stage="Lead",
            contact_id=contact.id,
            company_id=company.id,
        )
        template = next(t for t in templates.list_templates(session, actor) if t.kind == "sow")
        proposal = documents.create_proposal(
            session, actor, deal_id=deal.id, template_id=template.id
        )
        request_id = generation.start(session, actor, proposal.id)
        knowledge_base.add_document(
            session, actor, filename="rates.txt", content=b"Our day rate is 900 EUR."
        )
    with scoped(owner) as session:
        generation.run(session, actor, proposal.id, request_id)
    with scoped(owner) as session:
        sharing.send(session, actor, proposal.id)
        account = accounts.connect_sandbox(session, actor, name="Fjord News")
        post = posts.create_post(
            session,
            actor,
            posts.PostInput(text="Fjord's new look is live.", account_ids=[account.id]),
        )
        review.submit(session, actor, post.id)
        return Workspace(contact.id, company.id, deal.id, proposal.id, account.id, post.id)
