"""The proposal editor's lifecycle actions: review and approval, send and links, paid, PDF."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import reflex as rx

from crmapp import routes
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError
from crmapp.services.proposals import export, lifecycle, sharing
from crmapp.services.tenancy.permissions import Perm


class ProposalFlowMixin(rx.State, mixin=True):
    """Actions that move a proposal along; mixed into the editor's state."""

    links: list[dict[str, str]] = []
    views: list[dict[str, str]] = []
    signature: dict[str, str] = {}
    share_url: str = ""

    @rx.var
    def can_approve(self) -> bool:
        """Whether the user may approve proposals and mark them paid."""
        return Perm.PROPOSAL_APPROVE.value in self.perms  # type: ignore[attr-defined]

    def _call(self, fn: Callable[..., Any], *args: Any, quiet: bool = False, **kwargs: Any):
        """Run `fn(session, actor, proposal_id, *args)`, then show the proposal as it is now."""
        actor, proposal_id = self._actor(), self._proposal_id()  # type: ignore[attr-defined]
        if actor is None or proposal_id is None:
            return rx.redirect(routes.LOGIN)
        self.error, self.field_errors = "", {}  # type: ignore[has-type]
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                result = fn(session, actor, proposal_id, *args, **kwargs)
        except ServiceError as err:
            self.field_errors = getattr(err, "fields", {})
            self._reload()  # type: ignore[attr-defined]
            return rx.toast.error(str(err))
        self._reload()  # type: ignore[attr-defined]
        if isinstance(result, str) and result.startswith("http"):
            self.share_url = result
        return None if quiet else rx.toast.success("Saved.")

    @rx.event
    def submit_review(self):
        """Ask an Owner or Admin to approve."""
        return self._call(lifecycle.submit_for_review)

    @rx.event
    def approve(self):
        """Approve (Owner/Admin)."""
        return self._call(lifecycle.approve)

    @rx.event
    def request_changes(self, form: dict):
        """Send back to draft with a note (Owner/Admin)."""
        return self._call(lifecycle.request_changes, str(form.get("note", "")))

    @rx.event
    def withdraw(self):
        """Take it out of review."""
        return self._call(lifecycle.withdraw)

    @rx.event
    def send(self, form: dict):
        """Send: freeze the content and create a tracked link."""
        days = str(form.get("expires_days", "30") or "0")
        return self._call(sharing.send, expires_days=int(days) if days.isdigit() else 30)

    @rx.event
    def new_link(self):
        """Another tracked link."""
        return self._call(sharing.new_link)

    @rx.event
    def revoke_link(self, link_id: str):
        """Stop a link from working."""
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                sharing.revoke_link(session, actor, uuid.UUID(link_id))
        except ServiceError as err:
            return rx.toast.error(str(err))
        self._reload()  # type: ignore[attr-defined]
        return rx.toast.success("Link revoked: it no longer opens the proposal.")

    @rx.event
    def recall(self):
        """Back to draft to change it (links stop working)."""
        return self._call(lifecycle.recall)

    @rx.event
    def mark_paid(self):
        """Signed → Paid (Owner/Admin)."""
        return self._call(lifecycle.mark_paid)

    @rx.event
    def download_pdf(self):
        """The PDF, rendered from the same document."""
        actor, proposal_id = self._actor(), self._proposal_id()  # type: ignore[attr-defined]
        if actor is None or proposal_id is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                name, data = export.proposal_pdf(session, actor, proposal_id, self.timezone)  # type: ignore[attr-defined]
        except ServiceError as err:  # e.g. gone meanwhile, or not this organisation's
            return rx.toast.error(str(err))
        return rx.download(data=data, filename=name, mime_type="application/pdf")
