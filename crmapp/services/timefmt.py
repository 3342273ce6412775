"""Times are stored in UTC and shown in the viewer's own IANA time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_FORMAT = "%d %b %Y %H:%M"


def zone(tz: str | None) -> ZoneInfo:
    """The zone named `tz`, or UTC when it is empty or unknown."""
    try:
        return ZoneInfo(tz or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(dt: datetime, tz: str | None, fmt: str = DEFAULT_FORMAT) -> str:
    """`dt` (timezone-aware) formatted in zone `tz`."""
    return dt.astimezone(zone(tz)).strftime(fmt)
