"""Housekeeping jobs."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from crmapp.models.base import utcnow
from crmapp.services.crm import import_files, trash
from crmapp.services.platform.actor import system_actor
from crmapp.services.platform.db import tenant_session
from crmapp.services.proposals import lifecycle
from crmapp.services.tenancy import login_sessions, orgs
from jobs.queues import LOW, queue

log = logging.getLogger(__name__)


def purge_ended_sessions() -> int:
    """Delete login sessions that ended more than 30 days ago; returns how many."""
    return login_sessions.purge_ended_sessions()


class PurgeIncomplete(RuntimeError):
    """Some organisations' trash could not be purged (the others were); the job fails so that it
    shows in RQ's failed registry, and tomorrow's run tries them again."""


def purge_trash(now: datetime | None = None) -> dict[str, int]:
    """Hard-delete what every organisation deleted more than 30 days ago, one tenant scope (one
    transaction) at a time (`orgs.all_org_ids` names them). Idempotent.

    Returns the totals: organisations visited and records purged per type. An organisation that
    fails is logged and skipped; the rest are purged, then `PurgeIncomplete` is raised.
    """
    org_ids = orgs.all_org_ids()
    totals = {"organisations": len(org_ids), "deal": 0, "contact": 0, "company": 0}
    failed: list[uuid.UUID] = []
    for org_id in org_ids:
        try:
            with tenant_session(org_id) as session:
                counts = trash.purge_expired(session, org_id, now)
        except Exception:
            log.exception("trash purge failed for organisation %s", org_id)
            failed.append(org_id)
            continue
        for record_type, count in counts.items():
            totals[record_type] += count
    if failed:
        raise PurgeIncomplete(f"trash not purged for {len(failed)} organisation(s): {failed}")
    return totals


def schedule_housekeeping(now: datetime | None = None) -> str:
    """Schedule tomorrow's purge at 03:00 UTC under an id named by its day.

    Every worker calls this at start and the job calls it after each run; the deterministic id
    means several workers schedule one job, not several.
    """
    now = now or utcnow()
    due = (now + timedelta(days=1)).replace(hour=3, minute=0, second=0, microsecond=0)
    job_id = f"maintenance-purge-sessions-{due:%Y-%m-%d}"
    q = queue(LOW)
    if job_id not in q.scheduled_job_registry.get_job_ids():
        q.enqueue_at(due, daily_purge, job_id=job_id)
    return job_id


def expire_proposals(now: datetime | None = None) -> int:
    """Sent proposals past their expiry become Expired, organisation by organisation (opening an
    expired link does the same at once). Returns how many."""
    expired = 0
    for org_id in orgs.all_org_ids():
        with tenant_session(org_id) as session:
            expired += lifecycle.expire_due(session, system_actor(org_id, "maintenance"), now)
    return expired


def daily_purge() -> dict[str, int]:
    """The scheduled purge: schedule tomorrow's first (so a failure today never stops the
    chain), then ended sessions, expired proposals, day-old uploads, then the trash. Returns what
    went."""
    schedule_housekeeping()
    sessions = purge_ended_sessions()
    proposals = expire_proposals()
    uploads = import_files.sweep()  # CSV uploads nobody imported within a day
    return {
        "sessions": sessions,
        "proposals_expired": proposals,
        "uploads": uploads,
        **purge_trash(),
    }
