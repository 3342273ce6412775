"""Seed the demo organisation on first start (idempotent): `python -m crmapp.seed`.

Everything goes through the same services the UI uses, so the demo data is audited like real data.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from crmapp.models.base import utcnow
from crmapp.models.tenancy import User
from crmapp.services.crm import basic_records
from crmapp.services.platform.db import tenant_session
from crmapp.services.proposals import documents, generation, templates
from crmapp.services.social import accounts, posts, publishing, review
from crmapp.services.tenancy import auth, invitations
from crmapp.services.tenancy.auth import Client

DEMO_PASSWORD = "demo-password-1"
DEMO_DOMAIN = "demo.tandem.test"
DEMO_ORG = "Northwind Studio (demo)"
DEMO_USERS = (
    ("owner", "Olivia Owner"),
    ("admin", "Adam Admin"),
    ("member", "Maya Member"),
    ("viewer", "Victor Viewer"),
)
SEED_CLIENT = Client(ip="seed", user_agent="tandem-seed")

COMPANIES = (
    ("Acme Robotics", "acme-robotics.example"),
    ("Bluebird Coffee", "bluebird.example"),
    ("Cedar & Pine Legal", "cedarpine.example"),
)
CONTACTS = (
    ("Grace", "Hopper", "grace@acme-robotics.example", "+1 415 555 0101", "CTO", 0),
    (
        "Alan",
        "Turing",
        "alan@acme-robotics.example",
        "+1 415 555 0102",
        "Head of R&D",
        0,
    ),
    ("Ada", "Lovelace", "ada@bluebird.example", "+44 20 7946 0103", "Founder", 1),
    (
        "Katherine",
        "Johnson",
        "kj@cedarpine.example",
        "+1 757 555 0104",
        "Managing Partner",
        2,
    ),
    (
        "Edsger",
        "Dijkstra",
        "edsger@bluebird.example",
        "+31 20 555 0105",
        "Operations",
        1,
    ),
)
DEALS = (
    ("Acme website rebuild", "48000", "Proposal", 0),
    ("Acme social retainer", "3500", "Qualified", 1),
    ("Bluebird brand refresh", "22000", "Negotiation", 2),
    ("Bluebird launch campaign", "9000", "Won", 4),
    ("Cedar & Pine intranet", "15000", "Lead", 3),
)


def demo_email(role: str) -> str:
    """The demo login for `role`."""
    return f"{role}@{DEMO_DOMAIN}"


def seed() -> bool:
    """Create the demo organisation unless it exists; returns whether it was created."""
    with tenant_session(None) as session:
        if session.exec(select(User.id).where(User.email == demo_email("owner"))).first():
            return False
    token = auth.signup(
        email=demo_email("owner"),
        password=DEMO_PASSWORD,
        name=DEMO_USERS[0][1],
        org_name=DEMO_ORG,
        client=SEED_CLIENT,
    )
    view = auth.resolve(token)
    assert view is not None
    owner = view.actor(SEED_CLIENT)
    assert owner is not None
    links = []
    with tenant_session(owner.org_id, owner.user_id) as session:
        for role, _name in DEMO_USERS[1:]:
            _inv, link = invitations.create_invitation(session, owner, demo_email(role), role)
            links.append(link)
    for link, (_role, name) in zip(links, DEMO_USERS[1:], strict=True):
        invitations.signup_with_invitation(
            link, name=name, password=DEMO_PASSWORD, client=SEED_CLIENT
        )
    with tenant_session(owner.org_id, owner.user_id) as session:
        companies = [
            basic_records.create_company(session, owner, name=n, domain=d) for n, d in COMPANIES
        ]
        session.flush()
        contacts = []
        for first, last, email, phone, title, company in CONTACTS:
            contact = basic_records.create_contact(
                session, owner, basic_records.ContactInput(first, last, email, phone, title)
            )
            contact.company_id = companies[company].id
            contacts.append(contact)
        session.flush()
        deals = []
        for title, value, stage, contact in DEALS:
            deal = basic_records.create_deal(
                session,
                owner,
                title=title,
                value=value,
                stage=stage,
                contact_id=contacts[contact].id,
                company_id=contacts[contact].company_id,
            )
            deals.append(deal)
    _demo_proposal(owner, deals[0].id)
    _demo_social(owner, deals[1].id)
    return True


def _demo_social(owner, deal_id) -> None:
    """Two sandbox accounts, a post already out (its engagement grows) and one scheduled for
    tomorrow at 09:00 in the owner's zone, linked to the social retainer deal."""
    with tenant_session(owner.org_id, owner.user_id) as session:
        news = accounts.connect_sandbox(session, owner, name="Northwind News")
        offers = accounts.connect_sandbox(session, owner, name="Northwind Offers")
        ids = [news.id, offers.id]
        out = posts.create_post(
            session,
            owner,
            posts.PostInput(
                text=(
                    "We just shipped Acme's new website: faster pages, simpler booking. #webdesign"
                ),
                account_ids=ids,
                deal_id=deal_id,
                campaign="Launch week",
            ),
        )
        review.submit(session, owner, out.id)
        review.publish_now(session, owner, out.id)
        later = posts.create_post(
            session,
            owner,
            posts.PostInput(
                text="Three things we learned rebuilding a booking flow. A thread on what to cut, "
                "what to keep, and what the analytics told us afterwards.",
                account_ids=ids,
                deal_id=deal_id,
                campaign="Launch week",
            ),
        )
        review.submit(session, owner, later.id)
        tomorrow = (utcnow() + timedelta(days=1)).replace(tzinfo=None)
        nine = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
        review.schedule(session, owner, later.id, nine, "UTC")
    publishing.publish_due(owner.org_id)


def _demo_proposal(owner, deal_id) -> None:
    """A statement of work for the first deal, written by the offline drafter."""
    with tenant_session(owner.org_id, owner.user_id) as session:
        template = next(t for t in templates.list_templates(session, owner) if t.kind == "sow")
        proposal = documents.create_proposal(
            session, owner, deal_id=deal_id, template_id=template.id, voice="consultative"
        )
        request_id = generation.start(session, owner, proposal.id)
    with tenant_session(owner.org_id, owner.user_id) as session:
        generation.run(session, owner, proposal.id, request_id)


def print_logins() -> None:
    """Print the demo logins."""
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, name in DEMO_USERS:
        print(f"  {role:<7} {demo_email(role):<28} {name}")


if __name__ == "__main__":
    created = seed()
    print("Seeded the demo organisation." if created else "Demo organisation already present.")
    print_logins()
