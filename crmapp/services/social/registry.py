"""The networks Tandem knows: every provider class defined in a module of `providers/`.

The package is scanned on first use (adding a network is adding its file there); `register`
adds one at run time (a test's throwaway network). Neither `base` nor the providers import
this module, so the interface knows no implementation.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading

from crmapp.services.social.base import NotSupported, SocialProvider

PACKAGE = "crmapp.services.social.providers"

_classes: dict[str, type[SocialProvider]] = {}
_scanned = False
_lock = threading.Lock()


def _scan() -> None:
    global _scanned
    with _lock:
        if _scanned:
            return
        package = importlib.import_module(PACKAGE)
        for info in pkgutil.iter_modules(package.__path__):
            module = importlib.import_module(f"{PACKAGE}.{info.name}")
            for value in vars(module).values():
                if (
                    inspect.isclass(value)
                    and issubclass(value, SocialProvider)
                    and value.__module__ == module.__name__
                    and not inspect.isabstract(value)
                ):
                    _classes.setdefault(value.name, value)
        _scanned = True


def _all() -> dict[str, type[SocialProvider]]:
    if not _scanned:
        _scan()
    return _classes


def register(cls: type[SocialProvider]) -> type[SocialProvider]:
    """Add a network defined outside `providers/` (class decorator; tests use it)."""
    _all()[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Forget a network added with `register`."""
    _all().pop(name, None)


def find(name: str) -> type[SocialProvider] | None:
    """The class of network `name`, or None when there is no such network."""
    return _all().get(name)


def provider_class(name: str) -> type[SocialProvider]:
    """The class of network `name` (for its declared facts).

    Raises:
        NotSupported: there is no such network.
    """
    cls = find(name)
    if cls is None:
        raise NotSupported(f"Unknown network {name!r}")
    return cls


def get_provider(name: str) -> SocialProvider:
    """A provider instance by network name (`x`, `linkedin`, ..., `sandbox`)."""
    return provider_class(name)()


def classes() -> list[type[SocialProvider]]:
    """Every network, in listing order (`rank`, then name)."""
    return sorted(_all().values(), key=lambda cls: (cls.rank, cls.name))


def network_names() -> list[str]:
    """Every network's name, in listing order."""
    return [cls.name for cls in classes()]


def label_of(name: str) -> str:
    """How network `name` is shown (a network no longer known still gets a name)."""
    cls = find(name)
    return cls.label if cls is not None else name.title()
