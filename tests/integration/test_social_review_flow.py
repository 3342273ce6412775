"""What the composer's buttons do, decided by the services: Publish now publishes or says why
not (an edited post needs review again), a time chosen before "Submit for review" travels with
the review and approval schedules it (or takes the approver's time), every role may comment on
a post in review, and a sandbox account is named once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crmapp.models.social import SocialAccount, SocialPost
from crmapp.services.platform.errors import PermissionDenied, ValidationError
from crmapp.services.social import accounts, post_views, posts, review
from crmapp.services.social.posts import PostInput
from tests import factories
from tests.social_support import compose, connect, notes, reset_script, targets


@pytest.fixture(autouse=True)
def _reset_script():
    reset_script()


def _approvals(owner, required: bool = True) -> None:
    with factories.scoped(owner) as session:
        review.set_approvals_required(session, owner.actor, required)


def _post_row(signed, post) -> SocialPost:
    with factories.scoped(signed) as session:
        return posts.get_post(session, signed.actor, post.id)


def _approved_by_owner():
    """An Owner requiring approval, a Member's post for two sandbox accounts, approved."""
    owner = factories.signup()
    author = factories.member(owner, "member")
    _approvals(owner)
    first, second = connect(owner, "sandbox"), connect(owner, "sandbox")
    post = compose(author, first, second, text="Harbour tours start Monday")
    with factories.scoped(author) as session:
        review.submit(session, author.actor, post.id)
    with factories.scoped(owner) as session:
        review.approve(session, owner.actor, post.id)
    return owner, author, post, [first.id, second.id]


def test_publish_now_after_editing_an_approved_post_says_it_needs_review_again():
    _owner, author, post, account_ids = _approved_by_owner()
    assert {t.state for t in targets(author, post)} == {"approved"}
    edited = PostInput(text="Harbour tours start Tuesday", account_ids=account_ids)
    saving = factories.scoped(author)  # what the composer does: save, then publish, at once
    with pytest.raises(review.NeedsReview, match="review") as refused, saving as session:
        posts.update_post(session, author.actor, post.id, edited)
        review.publish_now(session, author.actor, post.id)
    assert "submit" in str(refused.value).lower()
    assert {t.state for t in targets(author, post)} == {"approved"}, "nothing was half done"
    assert _post_row(author, post).scheduled_at is None, "no 'Scheduled for …' either"


def test_publish_now_of_a_post_in_review_or_rejected_says_why_not():
    owner = factories.signup()
    author = factories.member(owner, "member")
    _approvals(owner)
    post = compose(author, connect(owner, "sandbox"))
    with factories.scoped(author) as session, pytest.raises(review.NeedsReview):
        review.publish_now(session, author.actor, post.id)  # a draft: submit it first
    with factories.scoped(author) as session:
        review.submit(session, author.actor, post.id)
    with factories.scoped(author) as session, pytest.raises(review.NeedsReview, match="waiting"):
        review.publish_now(session, author.actor, post.id)
    with factories.scoped(owner) as session:
        review.reject(session, owner.actor, post.id, "Add the price")
    with factories.scoped(author) as session, pytest.raises(review.NeedsReview, match="reject"):
        review.publish_now(session, author.actor, post.id)
    assert {t.state for t in targets(author, post)} == {"rejected"}


def test_publish_now_where_no_approval_is_needed_publishes_drafts_at_once():
    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"), connect(owner, "sandbox"))
    before = datetime.now(UTC)
    with factories.scoped(owner) as session:
        review.publish_now(session, owner.actor, post.id)
    done = targets(owner, post)
    assert {t.state for t in done} == {"scheduled"}
    assert all(
        before - timedelta(seconds=1) <= t.next_attempt_at <= datetime.now(UTC) for t in done
    )


def test_publish_now_of_a_scheduled_post_brings_it_forward():
    owner, _author, post, _ids = _approved_by_owner()
    with factories.scoped(owner) as session:
        review.schedule(session, owner.actor, post.id, datetime(2031, 1, 2, 9), "UTC")
        review.publish_now(session, owner.actor, post.id)
    assert all(t.next_attempt_at <= datetime.now(UTC) for t in targets(owner, post))


def test_the_composers_schedule_button_queues_drafts_only_where_no_approval_is_needed():
    owner = factories.signup()
    free = compose(owner, connect(owner, "sandbox"))
    with factories.scoped(owner) as session:
        review.schedule(
            session, owner.actor, free.id, datetime(2031, 3, 4, 10), "UTC", release=True
        )
    assert targets(owner, free)[0].state == "scheduled"
    _approvals(owner)
    held = compose(owner, connect(owner, "sandbox"))
    with factories.scoped(owner) as session:
        review.schedule(
            session, owner.actor, held.id, datetime(2031, 3, 4, 10), "UTC", release=True
        )
    assert targets(owner, held)[0].state == "draft"
    assert _post_row(owner, held).scheduled_at == datetime(2031, 3, 4, 10, tzinfo=UTC)


def test_a_time_chosen_before_submitting_travels_with_the_review_and_approval_schedules_it():
    owner = factories.signup()
    author = factories.member(owner, "member")
    _approvals(owner)
    post = compose(author, connect(owner, "sandbox"))
    with factories.scoped(author) as session:
        review.submit(
            session, author.actor, post.id, local=datetime(2031, 6, 1, 9, 30), tz="Europe/Paris"
        )
    with factories.scoped(owner) as session:  # what the reviewer sees
        seen = post_views.post_view(session, owner.actor, post.id, "Europe/Paris")
    assert (seen["date"], seen["time"], seen["timezone"]) == ("2031-06-01", "09:30", "Europe/Paris")
    assert seen["scheduled"] and seen["state"] == "pending_review"
    with factories.scoped(owner) as session:
        review.approve(session, owner.actor, post.id)
    (target,) = targets(owner, post)
    assert target.state == "scheduled"
    assert target.next_attempt_at == datetime(2031, 6, 1, 7, 30, tzinfo=UTC)  # CEST
    assert "scheduled" in notes(author, "social.approved")[0].message


def test_the_approver_chooses_the_time_when_none_was_set():
    owner = factories.signup()
    author = factories.member(owner, "member")
    _approvals(owner)
    post = compose(author, connect(owner, "sandbox"))
    with factories.scoped(author) as session:
        review.submit(session, author.actor, post.id)
    with factories.scoped(owner) as session:
        review.approve(session, owner.actor, post.id, local=datetime(2031, 2, 3, 8, 0), tz="UTC")
    (target,) = targets(owner, post)
    assert (target.state, target.next_attempt_at) == (
        "scheduled",
        datetime(2031, 2, 3, 8, 0, tzinfo=UTC),
    )


def test_approval_without_any_time_leaves_the_post_approved_to_publish_by_hand():
    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    _approvals(owner)
    with factories.scoped(owner) as session:
        review.submit(session, owner.actor, post.id)
        review.approve(session, owner.actor, post.id)
    assert targets(owner, post)[0].state == "approved"


def test_a_time_that_passed_while_in_review_is_not_approved_as_is():
    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    _approvals(owner)
    with factories.scoped(owner) as session:
        review.submit(
            session,
            owner.actor,
            post.id,
            local=(datetime.now(UTC) + timedelta(minutes=5)).replace(tzinfo=None),
            tz="UTC",
        )
    with factories.scoped(owner) as session:
        row = session.get(SocialPost, post.id)
        assert row is not None
        row.scheduled_at = datetime.now(UTC) - timedelta(hours=2)  # review took a while
        session.add(row)
    with factories.scoped(owner) as session, pytest.raises(ValidationError, match="passed"):
        review.approve(session, owner.actor, post.id)
    assert targets(owner, post)[0].state == "pending_review"


def test_a_past_time_is_refused_on_submit_and_nothing_is_submitted():
    owner = factories.signup()
    post = compose(owner, connect(owner, "sandbox"))
    with factories.scoped(owner) as session, pytest.raises(ValidationError, match="passed"):
        review.submit(session, owner.actor, post.id, local=datetime(2020, 1, 1, 9), tz="UTC")
    assert targets(owner, post)[0].state == "draft"


def test_a_viewer_may_comment_on_a_post_and_nothing_more():
    owner = factories.signup()
    viewer = factories.member(owner, "viewer")
    post = compose(owner, connect(owner, "sandbox"))
    with factories.scoped(viewer) as session:
        review.add_comment(session, viewer.actor, post.id, "Could we add the opening hours?")
    with factories.scoped(owner) as session:
        (comment,) = review.comments(session, owner.actor, post.id)
    assert comment.author_id == viewer.actor.user_id
    assert "opening hours" in notes(owner, "social.comment")[0].message
    with factories.scoped(viewer) as session, pytest.raises(PermissionDenied):
        review.submit(session, viewer.actor, post.id)
    with factories.scoped(viewer) as session, pytest.raises(PermissionDenied):
        review.publish_now(session, viewer.actor, post.id)


def test_a_sandbox_account_is_named_once():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        account = accounts.connect_sandbox(session, owner.actor, name="Harbour News")
        assert accounts.view(account).display_name == "Harbour News"
        legacy = session.get(SocialAccount, account.id)
        assert legacy is not None
        legacy.display_name = "Harbour News (sandbox)"  # as older versions named them
        assert accounts.view(legacy).display_name == "Harbour News"
        assert accounts.view(legacy).sandbox
