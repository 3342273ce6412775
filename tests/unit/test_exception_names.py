"""One meaning per exception name: no two exception classes of the services share a name (a
handler that catches `RateLimited` must not be able to mean login throttling and a network's
rate limit at once)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict

import pytest

import crmapp.services

pytestmark = pytest.mark.unit


def test_every_exception_name_has_one_class() -> None:
    where: dict[str, set[str]] = defaultdict(set)
    for info in pkgutil.walk_packages(crmapp.services.__path__, "crmapp.services."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == module.__name__
            ):
                where[name].add(module.__name__)
    assert "TooManyAttempts" in where and "RateLimited" in where
    assert {name: sorted(mods) for name, mods in where.items() if len(mods) > 1} == {}
