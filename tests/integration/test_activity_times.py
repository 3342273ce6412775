"""Activities dated by when they happened (a call logged after the fact), on the timeline and in
the deal's context graph; corrected afterwards; times that cannot be right refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from crmapp.models.base import utcnow
from crmapp.services.crm import activities
from crmapp.services.platform import timefmt
from crmapp.services.platform.errors import ValidationError
from crmapp.services.proposals import deal_context
from tests import factories
from tests.integration.test_draft_facts import deal_with_internals

TZ = "Europe/Berlin"


def last_tuesday(today) -> datetime:
    back = (today.weekday() - 1) % 7 or 7
    return today - timedelta(days=back)


def test_a_call_logged_today_for_last_tuesday_is_dated_last_tuesday():
    owner = factories.signup("Dated")
    deal = deal_with_internals(owner, occurred_days_ago=9)
    tuesday = last_tuesday(utcnow().date())
    with factories.scoped(owner) as session:  # as the record page's "When" box sends it
        when = activities.local_time(f"{tuesday.isoformat()}T10:30", TZ)
        activities.add_activity(
            session,
            owner.actor,
            record_type="deal",
            record_id=deal.id,
            kind="meeting",
            subject="Workshop",
            occurred_at=when,
        )
        activities.add_activity(
            session, owner.actor, record_type="deal", record_id=deal.id, kind="note", subject="Now"
        )
    with factories.scoped(owner) as session:
        items = activities.timeline(session, owner.actor, "deal", deal.id, tz=TZ)
        graph = deal_context.deal_context(session, owner.actor, deal.id, passages=0)
    logged = [i.title for i in items if i.kind not in ("change", "task")]
    assert logged == ["Now", "Workshop", "Price check"]  # by when they happened
    workshop = next(i for i in items if i.title == "Workshop")
    assert timefmt.local(workshop.when, TZ) == f"{tuesday:%d %b %Y} 10:30"
    days = (utcnow().date() - tuesday).days
    ago = "yesterday" if days == 1 else f"{days} days ago"
    line = next(h for h in graph.history if "Workshop" in h)
    assert line.startswith(f"{tuesday.isoformat()} ({ago}) meeting: Workshop")

    monday = tuesday - timedelta(days=1)
    with factories.scoped(owner) as session:  # it was the day before, after all
        activities.update_activity(
            session,
            owner.actor,
            uuid.UUID(workshop.id),
            subject="Workshop with Hana",
            body="Went through the booking flow.",
            occurred_at=activities.local_time(f"{monday.isoformat()}T16:00", TZ),
        )
    with factories.scoped(owner) as session:
        items = activities.timeline(session, owner.actor, "deal", deal.id, tz=TZ)
        graph = deal_context.deal_context(session, owner.actor, deal.id, passages=0)
    moved = next(i for i in items if i.id == workshop.id)
    assert (moved.title, moved.detail) == ("Workshop with Hana", "Went through the booking flow.")
    assert timefmt.local(moved.when, TZ) == f"{monday:%d %b %Y} 16:00"
    assert any(h.startswith(f"{monday.isoformat()} (") for h in graph.history)


def test_a_time_that_cannot_be_when_it_happened_is_refused_with_a_reason():
    owner = factories.signup("Bad Dates")
    deal = deal_with_internals(owner)

    def log(occurred_at):
        with factories.scoped(owner) as session:
            activities.add_activity(
                session,
                owner.actor,
                record_type="deal",
                record_id=deal.id,
                kind="call",
                subject="A call",
                occurred_at=occurred_at,
            )

    with pytest.raises(ValidationError, match="in the future") as err:
        log(utcnow() + timedelta(days=1))
    assert set(err.value.fields) == {"occurred_at"}
    with pytest.raises(ValidationError, match="year 1 is too long ago: check the year"):
        log(activities.local_time("0001-01-01T10:00", TZ))
    with pytest.raises(ValidationError, match="needs a time zone"):
        log(datetime(2026, 1, 1, 10, 0))  # a time without a zone
    for typed in ("last tuesday", "2026-13-45T10:00", "275760-01-01T10:00"):
        with pytest.raises(ValidationError, match="Pick a date and time") as err:
            activities.local_time(typed, TZ)
        assert set(err.value.fields) == {"occurred_at"}
    assert activities.local_time("", TZ) is None
    log(utcnow() + timedelta(minutes=2))  # a clock a little ahead is not the future

    with factories.scoped(owner) as session:
        task = next(
            i
            for i in activities.timeline(session, owner.actor, "deal", deal.id)
            if i.kind == "task"
        )
        with pytest.raises(ValidationError, match="due time"):
            activities.update_activity(
                session,
                owner.actor,
                uuid.UUID(task.id),
                subject="Purchase order",
                body="",
                occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
            )
