"""Social jobs: publish what is due, refresh tokens, and the dispatcher that enqueues them.

Every job here runs on the `high` queue, which only the urgent worker serves, so publishing and
token refresh never wait behind bulk work (imports, embeddings) or proposal writing.

The dispatcher (a thread of the urgent worker, or `python -m jobs.social`) reads PostgreSQL
every `TANDEM_SOCIAL_SWEEP_SECONDS` for organisations with something due and enqueues one
`publish_due` job for each that has none waiting; scheduling a post also enqueues one at its
instant (`enqueue_at`). Either way PostgreSQL decides what gets published, so a lost Redis, a
lost job or a dead worker loses nothing: the next sweep finds it again. Every 30 minutes it also
enqueues the token refresh.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import datetime, timedelta

from rq import Retry, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from crmapp.services.platform.redis_client import get_redis
from crmapp.services.social import publishing, refresh
from crmapp.services.social.base import AuthExpired
from crmapp.settings import get_settings
from jobs.queues import HIGH, queue

log = logging.getLogger(__name__)
PUBLISH_QUEUE = HIGH
REFRESH_EVERY = timedelta(minutes=30)
REFRESH_WITHIN = timedelta(hours=1)
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


def publish_due(org_id: str) -> dict[str, int]:
    """Publish everything due in one organisation (idempotent: claims decide)."""
    return publishing.publish_due(uuid.UUID(org_id))


def enqueue_publish_at(org_id: uuid.UUID, when: datetime) -> None:
    """Have RQ's scheduler start publishing at `when` (the sweeper is the safety net)."""
    job_id = f"social-at-{org_id}-{int(when.timestamp())}"
    q = queue(PUBLISH_QUEUE)
    if job_id not in q.scheduled_job_registry.get_job_ids():
        q.enqueue_at(when, publish_due, str(org_id), job_id=job_id, job_timeout=900)


def refresh_one(org_id: str, account_id: str) -> str:
    """Refresh one account's token. Transient failures raise (RQ retries: 10 s, 1 min, 5 min);
    the last failure, or a refusal, marks the account for reconnection and notifies its owner."""
    org, account = uuid.UUID(org_id), uuid.UUID(account_id)
    try:
        refresh.refresh_account(org, account)
    except AuthExpired:
        return "needs_reconnect"  # already marked and notified
    except Exception as error:
        job = get_current_job()
        final = job is None or not job.retries_left
        refresh.record_failure(org, account, error, final=final)
        raise
    return "refreshed"


def refresh_tokens() -> int:
    """Enqueue a refresh for every token expiring within the hour. Returns how many."""
    due = refresh.expiring_accounts(REFRESH_WITHIN)
    q = queue(PUBLISH_QUEUE)
    slot = int(time.time() // REFRESH_EVERY.total_seconds())
    for org_id, account_id in due:
        q.enqueue(
            refresh_one,
            str(org_id),
            str(account_id),
            job_id=f"social-refresh-{account_id}-{slot}",
            retry=Retry(max=3, interval=[10, 60, 300]),
        )
    return len(due)


class Dispatcher:
    """Sweeps PostgreSQL for due work and enqueues it (one instance per urgent worker)."""

    def __init__(self, interval: float | None = None):
        self.interval = interval or get_settings().social_sweep_seconds
        self._last: dict[uuid.UUID, str] = {}
        self._refresh_slot = -1
        self._stop = threading.Event()

    def _waiting(self, job_id: str | None) -> bool:
        if not job_id:
            return False
        try:
            return Job.fetch(job_id, connection=get_redis()).get_status() in WAITING
        except NoSuchJobError:
            return False

    def tick(self) -> int:
        """One sweep: enqueue a publish job per organisation with due work and none waiting, and
        the token refresh when a new half hour starts. Returns how many jobs were enqueued."""
        enqueued = 0
        for org_id in publishing.due_orgs():
            if self._waiting(self._last.get(org_id)):
                continue
            job = queue(PUBLISH_QUEUE).enqueue(
                publish_due,
                str(org_id),
                job_id=f"social-publish-{org_id}-{time.time_ns()}",
                job_timeout=900,
                result_ttl=600,
            )
            self._last[org_id] = job.id
            enqueued += 1
        slot = int(time.time() // REFRESH_EVERY.total_seconds())
        if slot != self._refresh_slot:
            queue(PUBLISH_QUEUE).enqueue(refresh_tokens, job_id=f"social-refresh-all-{slot}")
            self._refresh_slot = slot
            enqueued += 1
        return enqueued

    def run(self) -> None:
        """Sweep until `stop()`; a database or Redis outage is logged and waited out."""
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:
                log.warning("social dispatcher sweep failed; retrying", exc_info=True)
                self._stop.wait(min(5.0, self.interval * 10))
            self._stop.wait(self.interval)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="social-dispatcher", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()


def main() -> None:
    """`python -m jobs.social`: run the dispatcher on its own."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    Dispatcher().run()


if __name__ == "__main__":
    main()
