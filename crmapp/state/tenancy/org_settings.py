"""Settings: organisation, members and roles, invitations, and the user's own profile."""

from __future__ import annotations

import uuid

import reflex as rx
from sqlmodel import Session

from crmapp import routes
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.tenancy import auth, invitations, orgs
from crmapp.services.tenancy.permissions import ROLE_LABELS
from crmapp.settings import get_settings
from crmapp.state.session import SessionState, attempt


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
        self.invite_link = ""
        return self._reload()

    def _reload(self):
        def read(session: Session, actor: Actor):
            members = orgs.list_members(session, actor)
            invites = invitations.list_invitations(session, actor) if self.can_admin else []
            return members, invites

        done = self._service(read)
        if not done.ok:
            return done.toast
        members, invites = done.value
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
            for m in members
        ]
        self.invitations = [
            {
                "id": str(i.id),
                "email": i.email,
                "role_label": ROLE_LABELS.get(i.role, i.role),
                "expires": timefmt.local(i.expires_at, self._tz()),
            }
            for i in invites
        ]
        return None

    @rx.event
    def rename_org(self, form: dict):
        """Save the organisation's name."""
        done = self._service(orgs.rename_org, form.get("org_name", ""))
        self.org_error = done.error
        if not done.ok:
            return done.login
        self._refresh()
        return rx.toast.success("Organisation renamed.")

    @rx.event
    def invite(self, form: dict):
        """Create an invitation and show its link to copy."""
        self.invite_link = ""
        done = self._service(
            invitations.create_invitation, form.get("email", ""), form.get("role", "member")
        )
        self.invite_error = done.error
        if not done.ok:
            return done.login
        _invitation, token = done.value
        self.invite_link = routes.invite_url(get_settings().public_url, token)
        return self._reload()

    @rx.event
    def revoke_invitation(self, invitation_id: str):
        """Make an invitation link stop working."""
        done = self._service(invitations.revoke_invitation, uuid.UUID(invitation_id))
        if not done.ok:
            return done.toast
        return [SettingsState.load, rx.toast.success("Invitation revoked.")]

    @rx.event
    def change_role(self, user_id: str, role: str):
        """Give a member another role."""
        done = self._service(orgs.change_role, uuid.UUID(user_id), role)
        if not done.ok:
            return [SettingsState.load, done.toast]
        return [SettingsState.load, rx.toast.success("Role changed.")]

    @rx.event
    def remove_member(self, user_id: str):
        """Take someone out of the organisation."""
        done = self._service(orgs.remove_member, uuid.UUID(user_id))
        if not done.ok:
            return done.toast
        return [SettingsState.load, rx.toast.success("Member removed.")]

    @rx.event
    def save_profile(self, form: dict):
        """Save the user's name and time zone."""
        actor = self._actor()
        if actor is None:
            return self._to_login()
        name, tz = form.get("name", ""), form.get("timezone", self.timezone)

        def save(user_id: uuid.UUID) -> None:
            orgs.set_name(user_id, name)
            orgs.set_timezone(user_id, tz)

        done = attempt(save, actor.user_id)
        self.profile_error = done.error
        if not done.ok:
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
        done = attempt(
            auth.change_password,
            token=self.auth_token,
            current=form.get("current_password", ""),
            new=form.get("new_password", ""),
            client=self._client(),
        )
        wrong = {"current_password": done.error} if done.error else {}
        self.password_errors = done.fields or wrong
        if not done.ok:
            return None
        self.auth_token = done.value
        return rx.toast.success("Password changed. Other sessions were signed out.")
