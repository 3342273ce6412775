"""Test data built through the real services (no fixtures copied between files)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from crmapp.services import auth, orgs
from crmapp.services.auth import Client
from crmapp.services.context import Actor
from crmapp.services.db import tenant_session

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
        _inv, link = orgs.create_invitation(session, owner.actor, address, role)
    token = orgs.signup_with_invitation(link, name=role.title(), password=PASSWORD, client=client())
    view = auth.resolve(token)
    assert view is not None and view.actor(client()) is not None
    return Signed(token, view.actor(client()), address)


def scoped(signed: Signed):
    """A tenant session for `signed`'s organisation."""
    return tenant_session(signed.actor.org_id, signed.actor.user_id)
