"""Housekeeping jobs."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, or_
from sqlmodel import col

from crmapp.models.base import utcnow
from crmapp.models.tenancy import UserSession
from crmapp.services.db import tenant_session
from jobs.queues import queue

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


def schedule_housekeeping(now: datetime | None = None) -> str:
    """Schedule tomorrow's purge at 03:00 UTC under an id named by its day.

    Every worker calls this at start and the job calls it after each run; the deterministic id
    means several workers schedule one job, not several.
    """
    now = now or utcnow()
    due = (now + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)
    job_id = f"maintenance-purge-sessions-{due:%Y-%m-%d}"
    q = queue("low")
    if job_id not in q.scheduled_job_registry.get_job_ids():
        q.enqueue_at(due, daily_purge, job_id=job_id)
    return job_id


def daily_purge() -> int:
    """The scheduled purge: run it, then schedule the next one."""
    deleted = purge_ended_sessions()
    schedule_housekeeping()
    return deleted
