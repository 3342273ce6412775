"""Accepting an invitation link."""

from __future__ import annotations

import reflex as rx

from crmapp import routes
from crmapp.services.tenancy import auth, invitations
from crmapp.services.tenancy.permissions import ROLE_LABELS
from crmapp.state.session import SessionState, attempt


class InviteState(SessionState):
    """What the link offers and the form to accept it."""

    status: str = "loading"  # loading | invalid | pending | accepted | revoked | expired
    invite_org: str = ""
    invite_email: str = ""
    invite_role: str = ""
    has_account: bool = False
    signed_in_as: str = ""
    error: str = ""
    field_errors: dict[str, str] = {}

    def _token(self) -> str:
        """The invitation's token, from the link (`/invite/<token>`)."""
        return str(self.router.page.params.get("invite_token", ""))

    @rx.event
    def load(self):
        """Look the link up."""
        self.error, self.field_errors = "", {}
        view = invitations.get_invitation(self._token())
        if view is None:
            self.status = "invalid"
            return
        self.status = view.status
        self.invite_org, self.invite_email = view.org_name, view.email
        self.invite_role = ROLE_LABELS.get(view.role, view.role)
        self.has_account = view.has_account
        session = auth.resolve(self.auth_token)
        self.signed_in_as = session.email if session else ""

    @rx.event
    def accept(self):
        """Join as the signed-in user."""
        done = attempt(
            invitations.accept_invitation, self._token(), self.auth_token, self._client()
        )
        self.error = done.error
        if not done.ok:
            return None
        self._refresh()
        return rx.redirect(routes.DASHBOARD)

    @rx.event
    def create_account(self, form: dict):
        """Create the invitee's account and join."""
        done = attempt(
            invitations.signup_with_invitation,
            self._token(),
            name=form.get("name", ""),
            password=form.get("password", ""),
            client=self._client(),
            timezone=form.get("timezone", "") or "UTC",
        )
        self.field_errors = done.fields
        self.error = done.form_error
        if not done.ok:
            return None
        return self._signed_in(done.value)
