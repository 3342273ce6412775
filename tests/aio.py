"""Running a coroutine from a synchronous test.

Playwright's sync API leaves an event loop running in the main thread for the rest of the session
once a browser test has run, so `asyncio.run` would refuse there: run it in a thread of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` to completion on a fresh event loop in another thread and return its result."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
