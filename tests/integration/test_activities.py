"""Activities on records and the record timeline (activities + audited changes)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from crmapp.models.crm import Activity
from crmapp.services.crm import activities, basic_records
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import NotFound, PermissionDenied, ValidationError
from tests import factories


def _contact(signed, name="Nora"):
    with factories.scoped(signed) as session:
        return basic_records.create_contact(
            session, signed.actor, basic_records.ContactInput(name, email="n@x.io")
        )


def test_timeline_merges_activities_and_changes_newest_first():
    owner = factories.signup()
    contact = _contact(owner)
    with factories.scoped(owner) as session:
        activities.add_activity(
            session,
            owner.actor,
            record_type="contact",
            record_id=contact.id,
            kind="call",
            subject="Intro call",
            body="Wants a quote by Friday",
        )
    with factories.scoped(owner) as session:
        basic_records.update_contact(
            session,
            owner.actor,
            contact.id,
            basic_records.ContactInput("Nora", "Ng", email="n@x.io"),
        )
    with factories.scoped(owner) as session:
        items = activities.timeline(session, owner.actor, "contact", contact.id)
    assert [(i.kind, i.title) for i in items] == [
        ("change", "Contact updated"),
        ("call", "Intro call"),
        ("change", "Contact created"),
    ]
    assert items[0].detail == "Last name: — → Ng"
    assert items[1].who == "Owner" and items[1].detail == "Wants a quote by Friday"  # by name


def test_tasks_have_a_due_time_an_assignee_and_can_be_completed():
    owner = factories.signup()
    contact = _contact(owner)
    due = datetime(2030, 1, 15, 9, 30, tzinfo=UTC)
    with factories.scoped(owner) as session:
        task = activities.add_activity(
            session,
            owner.actor,
            record_type="contact",
            record_id=contact.id,
            kind="task",
            subject="Send proposal",
            due_at=due,
        )
    assert task.assignee_id == owner.actor.user_id
    with factories.scoped(owner) as session:
        activities.complete_task(session, owner.actor, task.id)
    with factories.scoped(owner) as session:
        item = activities.timeline(session, owner.actor, "contact", contact.id)[0]
        assert (item.kind, item.done, item.due_at) == ("task", True, due)
        assert item.assignee == "Owner"


def test_a_task_is_assigned_to_a_member_only():
    owner = factories.signup()
    member = factories.member(owner, "member", prefix="mia")
    stranger = factories.signup("Other")
    contact = _contact(owner)
    with factories.scoped(owner) as session:
        task = activities.add_activity(
            session,
            owner.actor,
            record_type="contact",
            record_id=contact.id,
            kind="task",
            subject="Call back",
            assignee_id=member.actor.user_id,
        )
        with pytest.raises(ValidationError, match="member of this organisation"):
            activities.add_activity(
                session,
                owner.actor,
                record_type="contact",
                record_id=contact.id,
                kind="task",
                subject="Leak",
                assignee_id=stranger.actor.user_id,
            )
    assert task.assignee_id == member.actor.user_id


def test_bad_activity_is_explained():
    owner = factories.signup()
    contact = _contact(owner)
    with factories.scoped(owner) as session, pytest.raises(ValidationError) as err:
        activities.add_activity(
            session,
            owner.actor,
            record_type="contact",
            record_id=contact.id,
            kind="gossip",
            subject=" ",
            due_at=datetime(2030, 1, 1),
        )
    assert set(err.value.fields) == {"kind", "subject", "due_at"}


def test_viewer_cannot_log_and_strangers_cannot_see():
    owner = factories.signup()
    viewer = factories.member(owner, "viewer")
    stranger = factories.signup("Elsewhere")
    contact = _contact(owner)
    with factories.scoped(viewer) as session, pytest.raises(PermissionDenied):
        activities.add_activity(
            session,
            viewer.actor,
            record_type="contact",
            record_id=contact.id,
            kind="note",
            subject="Sneaky",
        )
    with factories.scoped(viewer) as session:
        assert activities.timeline(session, viewer.actor, "contact", contact.id)
    with factories.scoped(stranger) as session, pytest.raises(NotFound):
        activities.timeline(session, stranger.actor, "contact", contact.id)
    with tenant_session(stranger.actor.org_id) as session:
        assert session.exec(select(Activity)).all() == []
