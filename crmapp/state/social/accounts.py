"""Social → Accounts: connected accounts and the connect flows (the approvals switch is
`tenancy.approvals`).

No token ever reaches this state: the services hand out `AccountView`s (no tokens) and consent
URLs; the flow's secrets wait sealed in Redis on the server.
"""

from __future__ import annotations

import uuid

import reflex as rx
from sqlmodel import Session

from crmapp import routes
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.social import accounts, connect
from crmapp.services.social.accounts import AccountView
from crmapp.services.tenancy.permissions import Perm
from crmapp.state.session import SessionState

NOT_CONFIGURED = "not configured"
# Networks that connect through the network's own login page, as the buttons name them.
OAUTH_BUTTONS = (
    ("x", "X"),
    ("linkedin", "LinkedIn"),
    ("facebook", "Facebook Page"),
    ("instagram", "Instagram (business, via Facebook login)"),
)
COMMON_ZONES = (
    "UTC", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Paris", "Europe/Berlin",
    "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Stockholm", "Europe/Warsaw",
    "Europe/Athens", "Europe/Helsinki", "Europe/Istanbul", "Europe/Moscow", "Africa/Lagos",
    "Africa/Cairo", "Africa/Johannesburg", "Africa/Nairobi", "Asia/Dubai", "Asia/Karachi",
    "Asia/Kolkata", "Asia/Dhaka", "Asia/Bangkok", "Asia/Jakarta", "Asia/Singapore",
    "Asia/Hong_Kong", "Asia/Shanghai", "Asia/Tokyo", "Asia/Seoul", "Australia/Perth",
    "Australia/Brisbane", "Australia/Sydney", "Pacific/Auckland", "Pacific/Honolulu",
    "America/Anchorage", "America/Los_Angeles", "America/Phoenix", "America/Denver",
    "America/Chicago", "America/New_York", "America/Halifax", "America/St_Johns",
    "America/Mexico_City", "America/Bogota", "America/Lima", "America/Santiago",
    "America/Sao_Paulo", "America/Argentina/Buenos_Aires",
)  # fmt: skip


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
    # network -> "" when it can connect; else, for Owners and Admins, the setting to give the
    # server, and for everyone else NOT_CONFIGURED (setting names stay with administrators)
    missing: dict[str, str] = {network: "" for network, _label in OAUTH_BUTTONS}
    callback_url: str = ""
    sandbox_error: str = ""
    mastodon_error: str = ""
    bluesky_error: str = ""
    bluesky_handle: str = ""  # prefilled by Reconnect on a Bluesky account
    loaded: bool = False

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
        admin = Perm.ORG_UPDATE.value in self.perms
        self.missing = {}
        for network, _label in OAUTH_BUTTONS:
            setting = connect.missing_setting(network)
            self.missing[network] = setting if admin or not setting else NOT_CONFIGURED
        self.callback_url = connect.redirect_uri()
        self.loaded = True
        return None

    def _begin(self, network: str, instance_url: str = ""):
        done = self._service(connect.begin, network, instance_url=instance_url)
        if not done.ok:
            if network == "mastodon" and done.login is None:
                self.mastodon_error = done.error
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
    def connect_mastodon(self, form: dict):
        """Register Tandem with the user's Mastodon server and go to its consent page."""
        self.mastodon_error = ""
        return self._begin("mastodon", str(form.get("instance", "")))

    @rx.event
    def connect_bluesky(self, form: dict):
        """Connect a Bluesky account with an app password (the password is not kept)."""
        done = self._service(
            connect.connect_bluesky,
            handle=str(form.get("handle", "")),
            app_password=str(form.get("app_password", "")),
            timezone=self.timezone,
        )
        self.bluesky_error = done.error
        if not done.ok:
            return done.login
        self.bluesky_handle = ""
        name = done.value.handle
        return [SocialAccountsState.load, rx.toast.success(f"Connected {name} on Bluesky.")]

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
        if row["network"] == "bluesky":
            self.bluesky_handle = row["handle"].lstrip("@")
            return rx.toast.info(
                f"Enter a new app password for {row['handle']} in the Bluesky form below."
            )
        instance = ""
        if row["network"] == "mastodon":
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
