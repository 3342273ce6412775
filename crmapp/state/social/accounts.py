"""Social → Accounts: connected accounts and the connect flows (the approvals switch is
`tenancy.approvals`).

No token ever reaches this state: the services hand out `AccountView`s (no tokens) and consent
URLs; the flow's secrets wait sealed in Redis on the server.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict

import reflex as rx
from sqlmodel import Session

from crmapp import routes
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.social import accounts, connect
from crmapp.services.social.accounts import AccountView
from crmapp.services.social.base import Connect
from crmapp.services.tenancy.permissions import Perm
from crmapp.state.session import SessionState

COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Helsinki",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Perth",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Halifax",
    "America/St_Johns",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
)


def _status_text(v: AccountView) -> str:
    if v.status == "active":
        return "Connected"
    if v.status == "needs_reconnect":
        return f"Reconnect needed: {v.status_reason}" if v.status_reason else "Reconnect needed"
    return "Disconnected"


def _expiry_text(v: AccountView, tz: str) -> str:
    if v.sandbox:
        return "No token needed"
    if v.token_expires_at is None:
        return "Token does not expire"
    return f"Token valid until {timefmt.local(v.token_expires_at, tz)} · renews automatically"


def _instance_of(session: Session, actor: Actor, account_id: uuid.UUID) -> str:
    """The server a Mastodon account lives on (where its reconnect goes)."""
    return accounts.view(accounts.get_account(session, actor.org_id, account_id)).base_url


class SocialAccountsState(SessionState):
    """The organisation's social accounts and how to connect more."""

    accounts: list[dict[str, str]] = []
    zones: list[str] = list(COMMON_ZONES)
    # The networks to connect (`connect.options`: network, label, method, missing, hint,
    # help_text, help_url), each with the `error` of its form and the handle Reconnect
    # `prefill`s there.
    connect_options: list[dict[str, str]] = []
    callback_url: str = ""
    sandbox_error: str = ""
    loaded: bool = False

    def _options(self, method: Connect) -> list[dict[str, str]]:
        return [o for o in self.connect_options if o["method"] == method.value]

    @rx.var
    def oauth_options(self) -> list[dict[str, str]]:
        """The networks connected through their login page with the server's app."""
        return self._options(Connect.OAUTH)

    @rx.var
    def server_options(self) -> list[dict[str, str]]:
        """The networks connected through the login page of the user's own server."""
        return self._options(Connect.OAUTH_PER_INSTANCE)

    @rx.var
    def password_options(self) -> list[dict[str, str]]:
        """The networks connected with a handle and an app password."""
        return self._options(Connect.APP_PASSWORD)

    def _set_option(self, network: str, **changes: str) -> None:
        self.connect_options = [
            {**o, **changes} if o["network"] == network else o for o in self.connect_options
        ]

    def _option(self, network: str) -> dict[str, str]:
        return next((o for o in self.connect_options if o["network"] == network), {})

    @rx.var
    def can_manage_all(self) -> bool:
        """Whether the user may disconnect accounts others connected (Admins, Owners)."""
        return Perm.MEMBER_MANAGE.value in self.perms

    def _row(self, actor: Actor, v: AccountView) -> dict[str, str]:
        return {
            "id": v.id,
            "network": v.network,
            "label": v.network_label,
            "name": v.display_name,
            "handle": v.handle,
            "sandbox": "yes" if v.sandbox else "",
            "status": v.status,
            "status_text": _status_text(v),
            "expiry": _expiry_text(v, self._tz()),
            "timezone": v.timezone,
            "feed": routes.sandbox_feed(v.id) if v.sandbox else "",
            "can_disconnect": "yes"
            if v.status != "disconnected" and accounts.may_disconnect(actor, v.owner_id)
            else "",
            "can_reconnect": "yes" if not v.sandbox and v.status != "active" else "",
            "connect": v.connect,
        }

    @rx.event
    def load(self):
        """The accounts (disconnected ones too) and which networks are set up."""

        def read(session: Session, actor: Actor) -> tuple[Actor, list[AccountView]]:
            found = accounts.list_accounts(session, actor, include_disconnected=True)
            return actor, [accounts.view(a) for a in found]

        done = self._service(read)
        if not done.ok:
            return done.toast
        actor, views = done.value
        # Active first, then needing attention, then disconnected (the service's order within).
        rank = {"active": 0, "needs_reconnect": 1, "disconnected": 2}
        views.sort(key=lambda v: rank.get(v.status, 3))
        self.accounts = [self._row(actor, v) for v in views]
        extra = sorted({v.timezone for v in views} - set(COMMON_ZONES))
        self.zones = list(COMMON_ZONES) + extra
        self.connect_options = [
            {**asdict(o), "error": "", "prefill": ""} for o in connect.options(actor)
        ]
        self.callback_url = connect.redirect_uri()
        self.loaded = True
        return None

    def _begin(self, network: str, instance_url: str = ""):
        done = self._service(connect.begin, network, instance_url=instance_url)
        if not done.ok:
            if done.login is None and self._option(network).get("method") == (
                Connect.OAUTH_PER_INSTANCE.value
            ):
                self._set_option(network, error=done.error)  # shown in the network's form
                return None
            return done.toast
        url = done.value
        # A plain redirect to another host replaces this page (`is_external` would open a new
        # tab from a server event, which popup blockers stop).
        return rx.redirect(url)

    @rx.event
    def connect(self, network: str):
        """Send the user to `network`'s consent page."""
        return self._begin(network)

    @rx.event
    def connect_server(self, form: dict):
        """Register Tandem with the user's own server (the form's network) and go to its
        consent page."""
        network = str(form.get("network", ""))
        self._set_option(network, error="")
        return self._begin(network, str(form.get("instance", "")))

    @rx.event
    def sign_in(self, form: dict):
        """Connect an account with a handle and an app password (the password is not kept)."""
        network = str(form.get("network", ""))
        done = self._service(
            connect.sign_in,
            network,
            handle=str(form.get("handle", "")),
            app_password=str(form.get("app_password", "")),
            timezone=self.timezone,
        )
        self._set_option(network, error=done.error)
        if not done.ok:
            return done.login
        self._set_option(network, prefill="")
        label = self._option(network).get("label", network)
        name = done.value.handle
        return [SocialAccountsState.load, rx.toast.success(f"Connected {name} on {label}.")]

    @rx.event
    def add_sandbox(self, form: dict):
        """A sandbox account: publishing that never leaves Tandem."""
        done = self._service(
            accounts.connect_sandbox, name=str(form.get("name", "")), timezone=self.timezone
        )
        self.sandbox_error = done.error
        if not done.ok:
            return done.login
        return [SocialAccountsState.load, rx.toast.success("Sandbox account added.")]

    @rx.event
    def reconnect(self, account_id: str):
        """Start the account's connect flow again (same account: scheduled posts keep it)."""
        row = next((a for a in self.accounts if a["id"] == account_id), None)
        if row is None:
            return rx.toast.error("That account is no longer here.")
        if row["connect"] == Connect.APP_PASSWORD.value:
            self._set_option(row["network"], prefill=row["handle"].lstrip("@"))
            label = self._option(row["network"]).get("label", row["network"])
            return rx.toast.info(
                f"Enter a new app password for {row['handle']} in the {label} form below."
            )
        instance = ""
        if row["connect"] == Connect.OAUTH_PER_INSTANCE.value:
            done = self._service(_instance_of, uuid.UUID(account_id))
            if not done.ok:
                return done.toast
            instance = done.value
        return self._begin(row["network"], instance)

    @rx.event
    def set_zone(self, account_id: str, tz: str):
        """The time zone the account's audience lives in."""
        done = self._service(accounts.set_timezone, uuid.UUID(account_id), tz)
        if not done.ok:
            return done.toast
        for row in self.accounts:
            if row["id"] == account_id:
                row["timezone"] = tz
        self.accounts = list(self.accounts)
        return rx.toast.success(f"Time zone set to {tz}.")

    @rx.event
    def disconnect(self, account_id: str):
        """Forget the account's tokens (its scheduled posts fail with a reason)."""
        done = self._service(accounts.disconnect, uuid.UUID(account_id))
        if not done.ok:
            return done.toast
        name = done.value.display_name or done.value.handle
        return [SocialAccountsState.load, rx.toast.success(f"Disconnected {name}.")]
