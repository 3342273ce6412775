"""Times are shown in the viewer's zone."""

from datetime import UTC, datetime

from crmapp.services.platform import timefmt


def test_times_show_in_the_viewers_zone_and_survive_unknown_zones():
    noon = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert timefmt.local(noon, "Europe/Paris") == "01 Jul 2026 14:00"  # CEST, +2
    assert timefmt.local(noon, "America/New_York", "%H:%M") == "08:00"
    assert timefmt.local(noon, "Not/AZone", "%H:%M") == "12:00"


def test_a_time_not_in_the_browsers_zone_carries_its_zone():
    noon = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    # The profile says UTC while the browser is in Paris: "12:00" alone would read as Paris time.
    shown = timefmt.shown_zone("UTC", browser="Europe/Paris")
    assert timefmt.local(noon, shown) == "01 Jul 2026 12:00 UTC"
    assert timefmt.local(noon, shown, "%H:%M") == "12:00 UTC"
    # The same zone as the browser's (or a browser that did not say): no label.
    assert timefmt.local(noon, timefmt.shown_zone("Europe/Paris", browser="Europe/Paris")) == (
        "01 Jul 2026 14:00"
    )
    assert (
        timefmt.local(noon, timefmt.shown_zone("Europe/Paris", browser="")) == "01 Jul 2026 14:00"
    )


def test_only_real_iana_zones_are_valid():
    assert timefmt.is_zone("Europe/Paris") and timefmt.is_zone("UTC")
    assert not timefmt.is_zone("Mars/Olympus_Mons")
    assert not timefmt.is_zone("")
    assert not timefmt.is_zone("../../etc/passwd")
