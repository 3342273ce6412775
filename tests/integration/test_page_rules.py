"""Rules pages used to decide themselves, now named services they call: what the composer's
Schedule did (queued or waiting for an approval), saving before an action (an unedited post keeps
its approval), when an edit loses a review, who may disconnect an account, what opening the bell
does, and which import policies an entity offers."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest

from crmapp.services.crm import imports
from crmapp.services.platform.db import tenant_session
from crmapp.services.social import accounts, posts, review
from crmapp.services.social.posts import PostInput
from crmapp.services.tenancy import notifications
from tests import factories
from tests.social_support import compose, connect, reset_script, targets


@pytest.fixture(autouse=True)
def _reset_script():
    reset_script()


def test_schedule_says_whether_the_post_is_queued_or_waits_for_an_approval():
    owner = factories.signup()
    free = compose(owner, connect(owner, "sandbox"))
    with factories.scoped(owner) as session:
        queued = review.schedule_released(
            session, owner.actor, free.id, datetime(2031, 3, 4, 10), "UTC"
        )
    assert queued is True and targets(owner, free)[0].state == "scheduled"
    with factories.scoped(owner) as session:
        review.set_approvals_required(session, owner.actor, True)
    held = compose(owner, connect(owner, "sandbox"))
    with factories.scoped(owner) as session:
        queued = review.schedule_released(
            session, owner.actor, held.id, datetime(2031, 3, 4, 10), "UTC"
        )
    assert queued is False and targets(owner, held)[0].state == "draft"


def test_saving_before_an_action_keeps_an_unedited_posts_approval_and_resets_an_edited_one():
    owner = factories.signup()
    account = connect(owner, "sandbox")
    with factories.scoped(owner) as session:
        post_id = posts.save_post(session, owner.actor, None, PostInput("New", [account.id]))
        review.submit(session, owner.actor, post_id)  # no approvals: approved at once
    post = SimpleNamespace(id=post_id)
    assert targets(owner, post)[0].state == "approved"
    with factories.scoped(owner) as session:
        assert posts.save_post(session, owner.actor, post_id, None) == post_id
    assert targets(owner, post)[0].state == "approved", "nothing edited: nothing lost"
    with factories.scoped(owner) as session:
        posts.save_post(session, owner.actor, post_id, PostInput("Edited", [account.id]))
    assert targets(owner, post)[0].state == "draft"


def test_an_edit_loses_a_review_or_an_approval_but_not_a_draft():
    assert all(posts.edit_loses_review(s) for s in ("approved", "scheduled", "pending_review"))
    assert not any(posts.edit_loses_review(s) for s in ("draft", "failed", "rejected", ""))


def test_the_owner_of_an_account_or_an_admin_may_disconnect_it():
    owner = factories.signup()
    member = factories.member(owner, "member")
    other = factories.member(owner, "member")
    account = connect(member, "sandbox")
    assert accounts.may_disconnect(member.actor, account.owner_id)
    assert accounts.may_disconnect(owner.actor, account.owner_id)
    assert not accounts.may_disconnect(other.actor, account.owner_id)


def test_opening_the_bell_shows_what_was_unread_and_marks_everything_read():
    owner = factories.signup()
    with tenant_session(owner.actor.org_id) as session:
        notifications.notify(session, owner.actor.org_id, owner.actor.user_id, "t", "First")
        notifications.notify(session, owner.actor.org_id, owner.actor.user_id, "t", "Second")
    with factories.scoped(owner) as session:
        opened = notifications.open_recent(session, owner.actor)
    assert sorted((n.message, unread) for n, unread in opened) == [
        ("First", True),
        ("Second", True),
    ]
    with factories.scoped(owner) as session:
        assert notifications.unread_count(session, owner.actor) == 0
        again = notifications.open_recent(session, owner.actor)
    assert [unread for _n, unread in again] == [False, False]


def test_import_policies_name_what_rows_are_matched_on():
    assert [p for p, _label in imports.policy_choices("contact")] == ["skip", "update", "create"]
    assert "email matches a contact" in imports.policy_choices("contact")[0][1]
    assert "domain matches a company" in imports.policy_choices("company")[0][1]
    assert imports.policy_choices("deal") == [], "deals are never matched"
