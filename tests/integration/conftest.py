"""Integration tests run against real PostgreSQL and Redis; jobs run on a real RQ worker."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crmapp.launcher.processes import child_env
from crmapp.settings import PROJECT_ROOT


@pytest.fixture(autouse=True)
def _services(services):
    return services


@pytest.fixture
def rq_worker_burst(services):
    """Run `python -m jobs.worker --burst` until the queues are empty."""

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

    return run
