"""The demo organisation `make run` seeds: once, with CRM records, a proposal and social posts."""

from __future__ import annotations

from sqlmodel import select

from crmapp.models.social import SocialAccount, SocialPostTarget
from crmapp.models.tenancy import Membership, User
from crmapp.seed import demo_email, seed
from crmapp.services.platform.db import tenant_session


def test_seed_creates_the_demo_organisation_once_with_sandbox_social_posts():
    assert seed() is True
    assert seed() is False
    with tenant_session(None) as session:
        owner = session.exec(select(User).where(User.email == demo_email("owner"))).one()
    with tenant_session(None, owner.id) as session:
        org_id = session.exec(select(Membership.org_id).where(Membership.user_id == owner.id)).one()
    with tenant_session(org_id) as session:
        accounts = session.exec(select(SocialAccount)).all()
        states = sorted(t.state for t in session.exec(select(SocialPostTarget)).all())
    assert len(accounts) == 2 and all(a.sandbox for a in accounts)
    assert states == ["published", "published", "scheduled", "scheduled"]
