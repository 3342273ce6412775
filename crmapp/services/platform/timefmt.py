"""Times are stored in UTC and shown in the viewer's own IANA time zone.

When the zone a time is shown in is not the one the viewer's browser is in (a profile still on
UTC, someone travelling), the time carries its zone ("14:00 UTC"), so it is never misread as
local time. `shown_zone` makes that decision once; `local` honours it.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DEFAULT_FORMAT = "%d %b %Y %H:%M"


@lru_cache(maxsize=1)
def zones() -> frozenset[str]:
    """Every IANA zone name this server knows."""
    return frozenset(available_timezones())


def is_zone(tz: str | None) -> bool:
    """Whether `tz` is a real IANA zone name (what sign-up and the profile accept)."""
    return bool(tz) and tz in zones()


class LabelledZone(str):
    """A zone name whose times are shown with the zone beside them (see `shown_zone`)."""

    __slots__ = ()


def shown_zone(tz: str, *, browser: str) -> str:
    """`tz` as given to `local`: labelled when the browser says it is in another zone."""
    if browser and is_zone(browser) and browser != tz:
        return LabelledZone(tz or "UTC")
    return tz


def zone(tz: str | None) -> ZoneInfo:
    """The zone named `tz`, or UTC when it is empty or unknown."""
    try:
        return ZoneInfo(str(tz or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(dt: datetime, tz: str | None, fmt: str = DEFAULT_FORMAT) -> str:
    """`dt` (timezone-aware) formatted in zone `tz`, with the zone's name after it when `tz`
    came from `shown_zone` and is not the browser's."""
    where = zone(tz)
    text = dt.astimezone(where).strftime(fmt)
    return f"{text} {where.key}" if isinstance(tz, LabelledZone) else text
