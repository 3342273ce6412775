"""`python -m jobs.worker [--burst]`: an RQ worker with its scheduler on REDIS_URL."""

from __future__ import annotations

import argparse
import logging
import os

from rq import Worker

from crmapp.services.redis_client import get_redis
from jobs.maintenance import schedule_housekeeping
from jobs.queues import QUEUES, queue

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


def warm_up() -> None:
    """Load in the worker what every job would load again: each job runs in a fork of this
    process, so the job modules and LiteLLM (when a model is configured; its import takes
    seconds) are ready at once. The embedding model is not loaded here: its thread pool does not
    survive a fork (the job loads it in about 30 ms)."""
    import jobs.proposals  # noqa: F401
    from crmapp.services.ai import gateway

    if not gateway.offline_only():
        gateway._litellm()


def main() -> None:
    """Run the worker until stopped (or until the queues are empty with `--burst`)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    redis = get_redis()
    if not args.burst:
        schedule_housekeeping()
    warm_up()
    worker = Worker([queue(name) for name in QUEUES], connection=redis)
    worker.work(burst=args.burst, with_scheduler=True, logging_level="INFO")


if __name__ == "__main__":
    main()
