"""The running app (worker + web, production build) in headless Debian Chromium via Playwright."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from crmapp.launcher.processes import (
    child_env,
    start_web,
    start_workers,
    stop_process_group,
    stop_workers,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(services) -> Iterator[str]:
    """Tandem's web app and workers (one per class of queues, as `make run` starts them) against
    the test services; yields the base URL."""
    port = free_port()
    logs = Path(services.env["TANDEM_DATA_DIR"]) / "logs"
    # Every browser test signs up from 127.0.0.1: lift the per-IP sign-up limit for this app only
    # (the limit itself is covered by the integration tests and the login e2e test).
    env = child_env(
        {
            **services.env,
            "TANDEM_PUBLIC_URL": f"http://localhost:{port}",
            "TANDEM_SIGNUP_MAX_ATTEMPTS": "500",
            # These workers outlive the browser tests and share the database with the
            # integration tests that follow, whose posts they must not publish: the dispatcher
            # sweeps once at start only. Posts published here go through the RQ job scheduled
            # at their instant (and the dispatcher is tested on a stack of its own).
            "TANDEM_SOCIAL_SWEEP_SECONDS": "3600",
        }
    )
    workers = start_workers(env, logs)
    try:
        web = start_web(port, env, logs / "web.log")
    except BaseException:
        stop_workers(workers)
        raise
    try:
        yield f"http://localhost:{port}"
    finally:
        stop_process_group(web)
        stop_workers(workers)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless (never `playwright install`)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
