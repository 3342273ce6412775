"""Jobs run on a real RQ worker (burst mode) against the real database."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from crmapp.models.base import utcnow
from crmapp.models.tenancy import UserSession
from crmapp.services.platform.db import tenant_session
from crmapp.services.tenancy import auth, tokens
from jobs.maintenance import purge_ended_sessions, schedule_housekeeping
from jobs.queues import queue
from tests import factories


def _age(token: str, *, expired_days: int = 0, revoked_days: int | None = None) -> None:
    with tenant_session(None) as session:
        row = session.exec(
            select(UserSession).where(UserSession.token_hash == tokens.verify(token))
        ).one()
        row.expires_at = utcnow() - timedelta(days=expired_days)
        if revoked_days is not None:
            row.revoked_at = utcnow() - timedelta(days=revoked_days)
        session.add(row)


def _exists(token: str) -> bool:
    with tenant_session(None) as session:
        return (
            session.exec(
                select(UserSession.id).where(UserSession.token_hash == tokens.verify(token))
            ).first()
            is not None
        )


def test_purge_job_runs_on_a_real_worker_and_keeps_live_sessions(rq_worker_burst):
    owner = factories.signup()
    old = auth.login(email=owner.email, password=factories.PASSWORD, client=factories.client())
    recent = auth.login(email=owner.email, password=factories.PASSWORD, client=factories.client())
    _age(old, expired_days=40)
    _age(recent, expired_days=2)

    job = queue("low").enqueue(purge_ended_sessions)
    rq_worker_burst()

    job.refresh()
    assert job.is_finished, job.latest_result()
    assert job.return_value() >= 1
    assert not _exists(old)
    assert _exists(recent) and _exists(owner.token)
    assert auth.resolve(owner.token) is not None


def test_housekeeping_is_scheduled_once_per_day():
    first = schedule_housekeeping()
    second = schedule_housekeeping()
    assert first == second
    ids = queue("low").scheduled_job_registry.get_job_ids()
    assert ids.count(first) == 1
