"""Integration tests run against real PostgreSQL and Redis; jobs run on a real RQ worker."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from crmapp.launcher.processes import child_env
from crmapp.settings import PROJECT_ROOT


@pytest.fixture(autouse=True)
def _services(services):
    return services


@pytest.fixture
def rq_worker_burst(services):
    """Run `python -m jobs.worker --burst` (every queue, `--class all`) until the queues are
    empty, bulk jobs still waiting for their organisation's turn included.

    The browser tests' app keeps its own long-running workers on the same Redis for the whole
    session, and they may take a job first: so wait, too, until no job is queued or running.
    """
    from jobs import fair
    from jobs.queues import QUEUES, queue

    def idle() -> bool:
        return fair.pending() == 0 and all(
            queue(n).count == 0 and queue(n).started_job_registry.count == 0 for n in QUEUES
        )

    def run(timeout: float = 120) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "jobs.worker", "--burst"],
            env=child_env(services.env),
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        deadline = time.monotonic() + timeout
        while not idle() and time.monotonic() < deadline:
            time.sleep(0.1)

    return run
