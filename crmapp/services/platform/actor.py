"""Who is acting: passed to every service that reads or writes tenant data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from crmapp.models.tenancy import Role


@dataclass(frozen=True)
class Actor:
    """The authenticated user acting within one organisation, and where the request came from.

    A `public` actor is someone outside the organisation acting through a public link (a client
    signing or declining a proposal): `email` then names them ("Hana Hale (public link)") and
    the audit trail records no user for them; `user_id` is the proposal owner's only so that
    services that need a user of the organisation to scope their work have one.
    """

    user_id: uuid.UUID
    org_id: uuid.UUID
    role: Role
    email: str = ""
    ip: str = ""
    user_agent: str = ""
    public: bool = False


# The user id the system acts under: no user has it, so the audit trail names no one.
SYSTEM_USER_ID = uuid.UUID(int=0)


def system_actor(org_id: uuid.UUID, source: str) -> Actor:
    """Tandem itself acting in an organisation (publishing a scheduled post, the nightly
    housekeeping): an Owner's rights, "system" in the audit trail, and `tandem-<source>` as the
    user agent, so the trail says which part of Tandem it was."""
    return Actor(SYSTEM_USER_ID, org_id, Role.OWNER, "system", "", f"tandem-{source}")
