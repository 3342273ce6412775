"""The composer's review side: approve / reject, comments, and the per-target status with the
actions for unknown and failed outcomes (polled while something is scheduled or publishing)."""

from __future__ import annotations

import uuid
from typing import Any

import reflex as rx

from crmapp.services.social import post_views, review
from crmapp.services.social.post_views import ACTIVE_STATES
from crmapp.services.tenancy.permissions import Perm
from crmapp.state.session import attempt
from crmapp.state.social.composer_assist import ComposerAssistState


class ComposerReviewState(ComposerAssistState):
    """Review, comments and target status of the post in the composer."""

    reject_error: str = ""

    @rx.var
    def can_approve(self) -> bool:
        """Whether the user may approve or reject posts (Owner/Admin)."""
        return Perm.SOCIAL_APPROVE.value in self.perms

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
        """Whether every target may go out now (Publish now applies once approval was needed;
        pressing it after an edit says that the post needs review again)."""
        return bool(self.targets) and all(t["state"] in review.READY_STATES for t in self.targets)

    @rx.var
    def can_comment(self) -> bool:
        """Whether the user may comment on the post (every role, Viewers included)."""
        return Perm.SOCIAL_COMMENT.value in self.perms

    @rx.event
    def approve(self):
        """Approve the post in review at the time under When (the author's, or one the
        approver picks there); without a time it waits, approved, to be scheduled or
        published by hand."""
        when = attempt(self._chosen_time)
        if not when.ok:
            return when.toast
        local, tz, hint = when.value, self.sched_tz, self.sched_hint
        done = (
            f"Approved: it goes out {hint}."
            if local and hint
            else "Approved. No time is set: schedule it or publish it now."
        )
        return self._on_post(
            lambda s, a, p: review.approve(s, a, p, local=local, tz=tz), done, save=False
        )

    @rx.event
    def reject(self, form: dict):
        """Send the post back with a reason the author sees."""
        reason = str(form.get("reason", "")).strip()
        if not reason:
            self.reject_error = "Say what should change before rejecting."
            return None
        self.reject_error = ""
        return self._on_post(
            lambda s, a, p: review.reject(s, a, p, reason),
            "Rejected: the author sees your reason.",
            save=False,
        )

    @rx.event
    def add_comment(self, form: dict):
        """A comment on the post, or on one network's variant."""
        body, network = str(form.get("body", "")), str(form.get("network", ""))
        return self._on_post(
            lambda s, a, p: review.add_comment(s, a, p, body, network), "Comment added.", save=False
        )

    @rx.event
    def retry(self):
        """Queue the failed targets again now."""
        return self._on_post(review.retry_failed, "Queued again.", save=False)

    def _resolve(self, target_id: str, went_out: bool, url: str = ""):
        """A person checked the network: the post is there, or it is not (publish again)."""
        done = self._service(
            review.resolve_unknown, uuid.UUID(target_id), went_out=went_out, remote_url=url
        )
        if done.login is not None:
            return done.login
        self._reload()
        if not done.ok:
            return done.toast
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
        post_id = self._post_uuid()
        if not self.polling or self.dirty or post_id is None:
            return None
        done = self._service(post_views.status_view, post_id, self._tz())
        if not done.ok:
            return done.toast
        data = done.value
        self.targets = data["targets"]
        self.post_state, self.post_state_label = data["state"], data["state_label"]
        self.post_editable = data["editable"]
        return None
