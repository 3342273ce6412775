"""Settings: organisation, members and roles, invitations, and the user's own profile."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp import routes
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import ServiceError, ValidationError
from crmapp.services.tenancy import auth, invitations, orgs
from crmapp.services.tenancy.permissions import ROLE_LABELS
from crmapp.settings import get_settings
from crmapp.state.session import SessionState


class SettingsState(SessionState):
    """Everything on the settings page."""

    org_error: str = ""
    members: list[dict[str, str]] = []
    invitations: list[dict[str, str]] = []
    invite_error: str = ""
    invite_link: str = ""
    profile_error: str = ""
    password_errors: dict[str, str] = {}
    timezones: list[str] = orgs.TIMEZONES

    @rx.event
    def load(self):
        """Fetch the organisation, members and pending invitations."""
        actor = self._actor()
        if actor is None:
            return
        self.invite_link = ""
        self._reload(actor)

    def _reload(self, actor: Actor) -> None:
        with tenant_session(actor.org_id, actor.user_id) as session:
            self.members = [
                {
                    "user_id": m.user_id,
                    "name": m.name,
                    "email": m.email,
                    "role": m.role,
                    "role_label": ROLE_LABELS.get(m.role, m.role),
                    "joined": timefmt.local(m.joined, self._tz()),
                    "is_me": "yes" if m.user_id == self._user_id else "",
                }
                for m in orgs.list_members(session, actor)
            ]
            invites = invitations.list_invitations(session, actor) if self.can_admin else []
            self.invitations = [
                {
                    "id": str(i.id),
                    "email": i.email,
                    "role_label": ROLE_LABELS.get(i.role, i.role),
                    "expires": timefmt.local(i.expires_at, self._tz()),
                }
                for i in invites
            ]

    @rx.event
    def rename_org(self, form: dict):
        """Save the organisation's name."""
        self.org_error = ""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                orgs.rename_org(session, actor, form.get("org_name", ""))
        except ServiceError as err:
            self.org_error = str(err)
            return None
        self._refresh()
        return rx.toast.success("Organisation renamed.")

    @rx.event
    def invite(self, form: dict):
        """Create an invitation and show its link to copy."""
        self.invite_error, self.invite_link = "", ""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                _inv, token = invitations.create_invitation(
                    session, actor, form.get("email", ""), form.get("role", "member")
                )
        except ServiceError as err:
            self.invite_error = str(err)
            return None
        self.invite_link = routes.invite_url(get_settings().public_url, token)
        self._reload(actor)
        return None

    @rx.event
    def revoke_invitation(self, invitation_id: str):
        """Make an invitation link stop working."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                invitations.revoke_invitation(session, actor, uuid.UUID(invitation_id))
        except ServiceError as err:
            return rx.toast.error(str(err))
        return [SettingsState.load, rx.toast.success("Invitation revoked.")]

    @rx.event
    def change_role(self, user_id: str, role: str):
        """Give a member another role."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                orgs.change_role(session, actor, uuid.UUID(user_id), role)
        except ServiceError as err:
            return [SettingsState.load, rx.toast.error(str(err))]
        return [SettingsState.load, rx.toast.success("Role changed.")]

    @rx.event
    def remove_member(self, user_id: str):
        """Take someone out of the organisation."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                orgs.remove_member(session, actor, uuid.UUID(user_id))
        except ServiceError as err:
            return rx.toast.error(str(err))
        return [SettingsState.load, rx.toast.success("Member removed.")]

    @rx.event
    def save_profile(self, form: dict):
        """Save the user's name and time zone."""
        self.profile_error = ""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            orgs.set_name(actor.user_id, form.get("name", ""))
            orgs.set_timezone(actor.user_id, form.get("timezone", self.timezone))
        except ServiceError as err:
            self.profile_error = str(err)
            return None
        self._refresh()
        return [SettingsState.load, rx.toast.success("Profile saved.")]

    @rx.event
    def set_timezone_choice(self, tz: str):
        """Remember the picked zone until the profile is saved."""
        self.timezone = tz

    @rx.event
    def change_password(self, form: dict):
        """Set a new password; every other session of the user is signed out."""
        self.password_errors = {}
        try:
            self.auth_token = auth.change_password(
                token=self.auth_token,
                current=form.get("current_password", ""),
                new=form.get("new_password", ""),
                client=self._client(),
            )
        except ValidationError as err:
            self.password_errors = err.fields
            return None
        except ServiceError as err:
            self.password_errors = {"current_password": str(err)}
            return None
        return rx.toast.success("Password changed. Other sessions were signed out.")
