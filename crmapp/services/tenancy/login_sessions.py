"""Housekeeping of login sessions (signing in and out is `auth`): an ended session is kept 30
days, then deleted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_
from sqlmodel import col

from crmapp.models.base import utcnow
from crmapp.models.tenancy import UserSession
from crmapp.services.platform.db import tenant_session

KEEP_ENDED_SESSIONS = timedelta(days=30)


def purge_ended_sessions() -> int:
    """Delete login sessions that expired or were revoked more than 30 days ago.

    Idempotent: a rerun deletes nothing more. Returns how many rows went.
    """
    cutoff = utcnow() - KEEP_ENDED_SESSIONS
    with tenant_session(None) as session:
        result = session.exec(
            delete(UserSession).where(
                or_(
                    col(UserSession.expires_at) < cutoff,
                    col(UserSession.revoked_at) < cutoff,
                )
            )
        )
        return int(result.rowcount or 0)
