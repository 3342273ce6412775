"""Who a job acts as: the user who asked for it, with their role as it is now."""

from __future__ import annotations

import uuid

from sqlmodel import select

from crmapp.models.tenancy import Membership, Role, User
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import tenant_session


def job_actor(org_id: uuid.UUID, user_id: uuid.UUID, source: str) -> Actor:
    """The actor for a job run on behalf of `user_id` (`source` names the job in the audit
    trail). A user removed from the organisation since acts as a Viewer: they can no longer
    write."""
    with tenant_session(org_id, user_id) as session:
        member = session.exec(
            select(Membership).where(Membership.org_id == org_id, Membership.user_id == user_id)
        ).first()
        user = session.get(User, user_id)
    role = Role(member.role) if member else Role.VIEWER
    return Actor(user_id, org_id, role, user.email if user else "", source, f"tandem-{source}")
