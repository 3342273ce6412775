"""Times are shown in the viewer's zone."""

from datetime import UTC, datetime

from crmapp.services import timefmt


def test_times_show_in_the_viewers_zone_and_survive_unknown_zones():
    noon = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert timefmt.local(noon, "Europe/Paris") == "01 Jul 2026 14:00"  # CEST, +2
    assert timefmt.local(noon, "America/New_York", "%H:%M") == "08:00"
    assert timefmt.local(noon, "Not/AZone", "%H:%M") == "12:00"
