"""Social posts through the real services: the target state machine, approvals with their
notifications and audit trail, DST-aware scheduling, the due schedule under row-level security."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import select

from crmapp.models.audit import AuditEvent
from crmapp.models.social import SocialAccount, SocialPostTarget
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import PermissionDenied, ValidationError
from crmapp.services.social import posts, publishing, review
from crmapp.services.social.posts import PostInput, WrongPostState
from tests import factories
from tests.social_support import (
    compose,
    connect,
    make_due,
    notes,
    reset_script,
    targets,
)


@pytest.fixture(autouse=True)
def _reset_script():
    reset_script()


def test_scheduling_stores_utc_and_the_zone_and_queues_approved_targets():
    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    local = datetime(2030, 7, 1, 9, 30)
    with factories.scoped(owner) as session:
        review.submit(session, owner.actor, post.id)
        review.schedule(session, owner.actor, post.id, local, "Europe/Paris")
    (target,) = targets(owner, post)
    assert target.state == "scheduled"
    assert target.next_attempt_at == datetime(2030, 7, 1, 7, 30, tzinfo=UTC)  # CEST = UTC+2
    with tenant_session(None) as session:  # the dispatcher's view, without a tenant
        due = session.exec(
            text("SELECT due_at FROM social_schedule WHERE target_id = :t"), params={"t": target.id}
        ).one()  # type: ignore[call-overload]
    assert due[0] == target.next_attempt_at
    with factories.scoped(owner) as session:
        review.schedule(session, owner.actor, post.id, None, "Europe/Paris")
    assert targets(owner, post)[0].state == "approved"
    with tenant_session(None) as session:
        gone = session.exec(
            text("SELECT count(*) FROM social_schedule WHERE target_id = :t"),
            params={"t": target.id},
        ).one()  # type: ignore[call-overload]
    assert gone[0] == 0


def test_dst_gaps_are_refused_and_repeated_hours_mean_the_first():
    with pytest.raises(ValidationError, match="does not exist"):
        review.to_utc(datetime(2030, 3, 31, 2, 30), "Europe/Paris")  # clocks go forward
    first = review.to_utc(datetime(2030, 10, 27, 2, 30), "Europe/Paris")  # clocks go back
    assert first == datetime(2030, 10, 27, 0, 30, tzinfo=UTC)
    assert review.to_utc(datetime(2030, 3, 10, 12, 0), "America/New_York") == datetime(
        2030, 3, 10, 16, 0, tzinfo=UTC
    )  # EDT began that morning
    with pytest.raises(ValidationError, match="Unknown time zone"):
        review.to_utc(datetime(2030, 1, 1), "Mars/Olympus")


def test_approval_flow_notifies_and_audits_with_ip():
    owner = factories.signup()
    author = factories.member(owner, "member")
    with factories.scoped(owner) as session:
        review.set_approvals_required(session, owner.actor, True)
    account = connect(owner, "sandbox")
    post = compose(author, account)
    with factories.scoped(author) as session:
        review.submit(session, author.actor, post.id)
    assert targets(author, post)[0].state == "pending_review"
    assert notes(owner, "social.review"), "reviewers are told"
    with factories.scoped(author) as session, pytest.raises(PermissionDenied):
        review.approve(session, author.actor, post.id)
    with factories.scoped(owner) as session, pytest.raises(ValidationError):
        review.reject(session, owner.actor, post.id, "  ")
    with factories.scoped(owner) as session:
        review.add_comment(session, owner.actor, post.id, "Shorter, please", "sandbox")
        review.reject(session, owner.actor, post.id, "Too long for the audience")
    assert targets(author, post)[0].state == "rejected"
    assert "Too long" in notes(author, "social.rejected")[0].message
    with factories.scoped(author) as session:
        posts.update_post(
            session,
            author.actor,
            post.id,
            PostInput(text="Short and sweet", account_ids=[account.id]),
        )
        review.schedule(session, author.actor, post.id, datetime(2030, 1, 2, 9), "UTC")
        review.submit(session, author.actor, post.id)
    with factories.scoped(owner) as session:
        review.approve(session, owner.actor, post.id, "Good to go")
    assert targets(owner, post)[0].state == "scheduled"
    with factories.scoped(owner) as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity_id == str(post.id))).all()
    actions = [e.action for e in events]
    for action in (
        "social_post.pending_review",
        "social_post.rejected",
        "social_post.approved",
        "social_post.scheduled",
        "social_post.commented",
    ):
        assert action in actions
    assert all(e.ip for e in events if e.action == "social_post.approved")


def test_invalid_moves_are_refused():
    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    with factories.scoped(owner) as session, pytest.raises(WrongPostState):
        review.approve(session, owner.actor, post.id)  # not in review
    with factories.scoped(owner) as session, pytest.raises(WrongPostState):
        review.retry_failed(session, owner.actor, post.id)


def test_other_tenants_see_nothing_and_cannot_touch_the_schedule():
    owner, stranger = factories.signup(), factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    make_due(owner, post)
    with factories.scoped(stranger) as session:
        assert session.exec(select(SocialPostTarget)).all() == []
        assert session.exec(select(SocialAccount)).all() == []
        deleted = session.exec(text("DELETE FROM social_schedule"))  # type: ignore[call-overload]
        assert deleted.rowcount == 0
    assert owner.actor.org_id in publishing.due_orgs()
    publishing.publish_due(owner.actor.org_id)
    assert owner.actor.org_id not in publishing.due_orgs()


def test_scheduling_also_asks_rq_to_start_at_the_instant_once():
    from jobs.queues import queue
    from jobs.social import PUBLISH_QUEUE, enqueue_publish_at

    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    with factories.scoped(owner) as session:
        review.submit(session, owner.actor, post.id)
        review.schedule(session, owner.actor, post.id, datetime(2031, 5, 4, 10, 0), "Europe/Lisbon")
        due = posts.next_due(session, post.id)
    assert due == datetime(2031, 5, 4, 9, 0, tzinfo=UTC)
    enqueue_publish_at(owner.actor.org_id, due)
    enqueue_publish_at(owner.actor.org_id, due)
    registry = queue(PUBLISH_QUEUE).scheduled_job_registry
    ids = [i for i in registry.get_job_ids() if str(owner.actor.org_id) in i]
    assert len(ids) == 1
    assert registry.get_scheduled_time(ids[0]).replace(tzinfo=UTC) == due
    registry.remove(ids[0])
