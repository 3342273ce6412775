"""Shared fixtures. Unit tests use none of these; integration and e2e tests start real services.

Each test run gets its own temporary data directory with its own embedded PostgreSQL (pgvector)
and Redis, unless DATABASE_URL / REDIS_URL point elsewhere.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from crmapp.launcher.stack import Services, start_services
from crmapp.settings import Settings

SERVICE_VARS = (
    "DATABASE_URL",
    "DATABASE_ADMIN_URL",
    "REDIS_URL",
    "TANDEM_DATA_DIR",
    "TANDEM_APP_DB_ROLE",
    "TANDEM_ENV",
    "TANDEM_SECRET_KEY",
)


def _reset_cached_clients() -> None:
    from crmapp.services.platform.db import reset_engine
    from crmapp.services.platform.redis_client import get_redis
    from crmapp.settings import get_settings

    get_settings.cache_clear()
    reset_engine()
    get_redis.cache_clear()


@pytest.fixture(scope="session")
def services() -> Iterator[Services]:
    """Embedded PostgreSQL + Redis in a fresh temporary directory, migrated; env set for the run."""
    # /tmp keeps the Unix socket paths short; pgserver makes the prefix traversable for its user.
    base = Path(tempfile.mkdtemp(prefix="tandem-test-"))
    saved = {key: os.environ.get(key) for key in SERVICE_VARS}
    # DATABASE_URL / REDIS_URL, when set in the environment, name servers to use instead.
    started = start_services(base, Settings(_env_file=None), persist=False)
    try:
        os.environ.update(started.env)
        os.environ["TANDEM_ENV"] = "test"
        os.environ["TANDEM_SECRET_KEY"] = secrets.token_urlsafe(48)
        started.env.update(TANDEM_ENV="test", TANDEM_SECRET_KEY=os.environ["TANDEM_SECRET_KEY"])
        _reset_cached_clients()
        yield started
    finally:
        _reset_cached_clients()
        started.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(base, ignore_errors=True)
