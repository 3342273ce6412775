"""Who is acting: passed to every service that reads or writes tenant data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from crmapp.models.tenancy import Role


@dataclass(frozen=True)
class Actor:
    """The authenticated user acting within one organisation, and where the request came from."""

    user_id: uuid.UUID
    org_id: uuid.UUID
    role: Role
    email: str = ""
    ip: str = ""
    user_agent: str = ""
