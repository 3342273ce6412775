"""The composer's review side: approve / reject, comments, and the per-target status with the
actions for unknown and failed outcomes (polled while something is scheduled or publishing)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from typing import Any

import reflex as rx

from crmapp import routes
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError
from crmapp.services.social import post_views, posts, review
from crmapp.services.social.post_views import ACTIVE_STATES
from crmapp.services.tenancy.permissions import Perm
from jobs.social import enqueue_publish_at


class ComposerReviewMixin(rx.State, mixin=True):
    """Review, comments and target status of the post in the composer."""

    targets: list[dict[str, str]] = []
    comments: list[dict[str, str]] = []
    reject_error: str = ""

    @rx.var
    def can_approve(self) -> bool:
        """Whether the user may approve or reject posts (Owner/Admin)."""
        return Perm.SOCIAL_APPROVE.value in self.perms  # type: ignore[attr-defined]

    @rx.var
    def in_review(self) -> bool:
        """Whether some target waits for review."""
        return any(t["state"] == "pending_review" for t in self.targets)

    @rx.var
    def polling(self) -> bool:
        """Whether something is scheduled or publishing (the status list refreshes itself)."""
        return any(t["state"] in ACTIVE_STATES for t in self.targets)

    @rx.var
    def has_failed(self) -> bool:
        """Whether a target failed (Retry applies)."""
        return any(t["state"] == "failed" for t in self.targets)

    @rx.var
    def ready_to_publish(self) -> bool:
        """Whether every target is approved or scheduled (Publish now applies once approval
        was needed; pressing it after an edit says that the post needs review again)."""
        return bool(self.targets) and all(
            t["state"] in ("approved", "scheduled") for t in self.targets
        )

    @rx.var
    def can_comment(self) -> bool:
        """Whether the user may comment on the post (every role, Viewers included)."""
        return Perm.SOCIAL_COMMENT.value in self.perms  # type: ignore[attr-defined]

    def _run(self, fn: Callable[..., Any], done: str, *args: Any, **kwargs: Any):
        actor = self._actor()  # type: ignore[attr-defined]
        post_id = self._post_uuid()  # type: ignore[attr-defined]
        if actor is None or post_id is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                fn(session, actor, post_id, *args, **kwargs)
        except ServiceError as err:
            self._reload()  # type: ignore[attr-defined]
            return rx.toast.error(str(err))
        self._queue_at_instant(actor, post_id)
        self._reload()  # type: ignore[attr-defined]
        return rx.toast.success(done)

    def _queue_at_instant(self, actor: Any, post_id: Any) -> None:
        """Ask RQ's scheduler to publish at the post's time (the dispatcher's sweep of
        PostgreSQL publishes it anyway should Redis be unavailable now)."""
        with tenant_session(actor.org_id, actor.user_id) as session:
            due = posts.next_due(session, post_id)
        if due is not None:
            with contextlib.suppress(Exception):
                enqueue_publish_at(actor.org_id, due)

    @rx.event
    def approve(self):
        """Approve the post in review at the time under When (the author's, or one the
        approver picks there); without a time it waits, approved, to be scheduled or
        published by hand."""
        try:
            local = self._chosen_time()  # type: ignore[attr-defined]
        except ServiceError as err:
            return rx.toast.error(str(err))
        hint = self.sched_hint  # type: ignore[attr-defined]
        done = (f"Approved: it goes out {hint}." if local and hint
                else "Approved. No time is set: schedule it or publish it now.")  # fmt: skip
        return self._run(review.approve, done, local=local, tz=self.sched_tz)  # type: ignore[attr-defined]

    @rx.event
    def reject(self, form: dict):
        """Send the post back with a reason the author sees."""
        reason = str(form.get("reason", "")).strip()
        if not reason:
            self.reject_error = "Say what should change before rejecting."
            return None
        self.reject_error = ""
        return self._run(review.reject, "Rejected: the author sees your reason.", reason)

    @rx.event
    def add_comment(self, form: dict):
        """A comment on the post, or on one network's variant."""
        body = str(form.get("body", ""))
        network = str(form.get("network", ""))
        return self._run(review.add_comment, "Comment added.", body, network)

    @rx.event
    def retry(self):
        """Queue the failed targets again now."""
        return self._run(review.retry_failed, "Queued again.")

    def _resolve(self, target_id: str, went_out: bool, url: str = ""):
        """A person checked the network: the post is there, or it is not (publish again)."""
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                review.resolve_unknown(session, actor, uuid.UUID(target_id), went_out=went_out,
                                       remote_url=url)  # fmt: skip
        except (ServiceError, ValueError) as err:
            self._reload()  # type: ignore[attr-defined]
            return rx.toast.error(str(err))
        self._reload()  # type: ignore[attr-defined]
        return rx.toast.success("Marked published." if went_out else "Publishing again.")

    @rx.event
    def mark_published(self, target_id: str, form: dict):
        """ "It's there": mark the target published (with the link, when given)."""
        return self._resolve(target_id, True, str(form.get("remote_url", "")))

    @rx.event
    def publish_again(self, target_id: str):
        """ "Not there": publish it again."""
        return self._resolve(target_id, False)

    @rx.event
    def refresh(self, _value: Any = None):
        """Re-read the status while something is scheduled or publishing."""
        if not self.polling or self.dirty:  # type: ignore[attr-defined]
            return None
        actor = self._actor()  # type: ignore[attr-defined]
        post_id = self._post_uuid()  # type: ignore[attr-defined]
        if actor is None or post_id is None:
            return None
        with tenant_session(actor.org_id, actor.user_id) as session:
            data = post_views.status_view(session, actor, post_id, self._tz())  # type: ignore[attr-defined]
        self.targets = data["targets"]
        self.post_state, self.post_state_label = data["state"], data["state_label"]  # type: ignore[has-type]
        self.post_editable = data["editable"]  # type: ignore[has-type]
        return None
