"""Fair bulk work: one bulk job per organisation at a time, organisations served in turn.

`enqueue` does not put a bulk job on its queue: it saves the job (RQ status "created") and
appends its id to the organisation's waiting list in Redis. `release` moves the organisation's
next job to the back of the queue once none of its jobs is queued or running. It runs when a job
ends (RQ's success, failure and stopped callbacks) and on every sweep of a bulk worker, which
also frees an organisation whose job died with its worker once RQ has marked the job abandoned.

So with organisation A's fifty documents waiting and B's one, the bulk worker runs A1, B1, A2,
A3, …: B waits for one of A's jobs, never for all of them; several bulk workers work for several
organisations at once, never on two jobs of one.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Any

from redis import Redis
from redis.exceptions import WatchError
from rq import Callback, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from crmapp.services.platform.redis_client import get_redis
from jobs.queues import DEFAULT, queue

log = logging.getLogger(__name__)
WAITING_KEY = "tandem:bulk:waiting:{org}"  # job ids, oldest first
ACTIVE_KEY = "tandem:bulk:active:{org}"  # the job id the organisation has on the queue
ORGS_KEY = "tandem:bulk:orgs"  # organisations with a job waiting or active
WAITING = JobStatus.CREATED  # saved, not yet on a queue
BUSY = {WAITING, JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}
SWEEP_SECONDS = 5.0


def _text(value: Any) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _job(redis: Redis, job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=redis)
    except NoSuchJobError:
        return None


def _status(redis: Redis, job_id: str) -> JobStatus | None:
    job = _job(redis, job_id)
    return job.get_status(refresh=False) if job is not None else None


def enqueue(
    org_id: uuid.UUID | str,
    func: Callable[..., Any],
    *args: Any,
    job_id: str,
    job_timeout: int,
    retry: Retry | None = None,
    queue_name: str = DEFAULT,
) -> str:
    """Queue a bulk job of `org_id` behind that organisation's other bulk jobs.

    A job id already waiting, queued or running is not queued again (a second click adds
    nothing). Returns the job id.
    """
    org, redis = str(org_id), get_redis()
    if _status(redis, job_id) in BUSY:
        return job_id
    job = queue(queue_name).create_job(
        func,
        args=args,
        job_id=job_id,
        timeout=job_timeout,
        retry=retry,
        status=WAITING,
        meta={"org": org},
        on_success=Callback(on_success),
        on_failure=Callback(on_failure),
        on_stopped=Callback(on_stopped),
    )
    with redis.pipeline() as pipe:
        job.save(pipeline=pipe)
        pipe.rpush(WAITING_KEY.format(org=org), job_id)
        pipe.sadd(ORGS_KEY, org)
        pipe.execute()
    release(org)
    return job_id


def release(org_id: str, ended: str | None = None) -> str | None:
    """Put the organisation's next waiting job on its queue unless one of its jobs is queued or
    running (`ended`: the id of a job that has just finished, whatever Redis still says).
    Returns the id released, if any."""
    org, redis = str(org_id), get_redis()
    active_key, waiting_key = ACTIVE_KEY.format(org=org), WAITING_KEY.format(org=org)
    while True:
        with redis.pipeline() as pipe:
            try:
                pipe.watch(active_key, waiting_key)
                active = _text(pipe.get(active_key))
                if active and active != ended and _status(redis, active) in BUSY:
                    return None
                head = _text(pipe.lindex(waiting_key, 0))
                job = _job(redis, head) if head else None
                pipe.multi()
                if head is None:
                    pipe.delete(active_key)
                    pipe.srem(ORGS_KEY, org)
                    pipe.execute()
                    return None
                pipe.lpop(waiting_key)
                if job is None or job.get_status(refresh=False) != WAITING:
                    pipe.execute()  # queued twice, or gone: drop it and look again
                    continue
                pipe.set(active_key, head)
                queue(job.origin).enqueue_job(job, pipeline=pipe)
                pipe.execute()
                return head
            except WatchError:
                continue


def _orgs(redis: Redis) -> list[str]:
    members: set[Any] = redis.smembers(ORGS_KEY)  # type: ignore[assignment]
    return [_text(raw) or "" for raw in members]


def release_all() -> int:
    """`release` every organisation with bulk work; returns how many jobs went on a queue."""
    return sum(1 for org in _orgs(get_redis()) if release(org))


def pending() -> int:
    """How many organisations have a bulk job waiting, queued or running (one that waits for
    its retry, and the jobs behind it, do not count: a worker cannot run them yet)."""
    redis = get_redis()
    count = 0
    for org in _orgs(redis):
        active = _text(redis.get(ACTIVE_KEY.format(org=org)))
        if active is None or _status(redis, active) != JobStatus.SCHEDULED:
            count += 1
    return count


def _released_by(job: Job) -> None:
    org = (job.meta or {}).get("org")
    if not org:
        return
    try:
        release(org, ended=job.id)
    except Exception:  # the bulk worker's sweep releases it instead
        log.warning("could not release the next bulk job of %s", org, exc_info=True)


def on_success(job: Job, connection: Redis, result: Any, *args: Any, **kwargs: Any) -> None:
    """RQ callback: the organisation's next bulk job may start."""
    _released_by(job)


def on_failure(job: Job, connection: Redis, *exc_info: Any, **kwargs: Any) -> None:
    """RQ callback: after the last attempt (not before a retry) the next job may start."""
    if not job.should_retry:
        _released_by(job)


def on_stopped(job: Job, connection: Redis, *args: Any, **kwargs: Any) -> None:
    """RQ callback: a stopped job frees its organisation too."""
    _released_by(job)


class Sweeper:
    """Releases what callbacks could not (a worker that died mid-job), every few seconds."""

    def __init__(self, interval: float = SWEEP_SECONDS):
        self.interval = interval
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                release_all()
            except Exception:
                log.warning("bulk sweep failed; retrying", exc_info=True)
            self._stop.wait(self.interval)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="bulk-sweeper", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
