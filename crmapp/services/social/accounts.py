"""Connected accounts: save what a connect flow found, seal its tokens, hand them to providers.

Tokens live only sealed in `social_account` (services/platform/secrets.py envelope encryption);
they are opened for the duration of a provider call (`credentials`) and never returned to the UI,
logged or written to the audit trail. A refresh keeps the newest refresh token and never wipes it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import available_timezones

from sqlmodel import Session, col, select

from crmapp import routes
from crmapp.models.base import utcnow
from crmapp.models.social import SocialAccount
from crmapp.services.platform import secrets
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, PermissionDenied, ValidationError
from crmapp.services.social.base import AccountAuth, Connect, Identity, TokenSet
from crmapp.services.social.registry import provider_class
from crmapp.services.tenancy import audit, notifications
from crmapp.services.tenancy.permissions import Perm, can, require


@dataclass(frozen=True)
class AccountView:
    """What the UI may know about an account (no tokens)."""

    id: str
    network: str
    network_label: str
    kind: str
    handle: str
    display_name: str
    sandbox: bool
    status: str
    status_reason: str
    timezone: str
    token_expires_at: datetime | None
    owner_id: str
    base_url: str = ""  # a Mastodon instance or Bluesky PDS (where a reconnect goes)
    connect: str = Connect.OAUTH.value  # how the network connects (`Connect`)


def view(account: SocialAccount) -> AccountView:
    """The browser-safe view of `account`."""
    cls = provider_class(account.network)
    label = cls.kind_labels.get(account.kind) or cls.label
    name = account.display_name or account.handle
    if account.sandbox:  # older versions put "(sandbox)" into the name; the badge says it now
        name = name.removesuffix(" (sandbox)")
    return AccountView(
        id=str(account.id),
        network=account.network,
        network_label=label,
        kind=account.kind,
        handle=account.handle,
        display_name=name,
        sandbox=account.sandbox,
        status=account.status,
        status_reason=account.status_reason,
        timezone=account.timezone,
        token_expires_at=account.token_expires_at,
        owner_id=str(account.owner_id),
        base_url=account.base_url,
        connect=cls.connect.value,
    )


def list_accounts(
    session: Session, actor: Actor, *, include_disconnected: bool = False
) -> list[SocialAccount]:
    """The organisation's accounts, sandbox last, then by network and name."""
    require(actor.role, Perm.RECORD_READ)
    query = select(SocialAccount).where(SocialAccount.org_id == actor.org_id)
    if not include_disconnected:
        query = query.where(SocialAccount.status != "disconnected")
    rows = list(session.exec(query).all())
    return sorted(rows, key=lambda a: (a.sandbox, a.network, a.display_name.lower()))


def get_account(session: Session, org_id: uuid.UUID, account_id: uuid.UUID) -> SocialAccount:
    """One account of the organisation (NotFound otherwise)."""
    account = session.exec(
        select(SocialAccount).where(SocialAccount.org_id == org_id, SocialAccount.id == account_id)
    ).first()
    if account is None:
        raise NotFound("No such social account in this organisation")
    return account


def _check_zone(tz: str) -> str:
    if tz not in available_timezones():
        raise ValidationError({"timezone": f"Unknown time zone {tz!r}"})
    return tz


def save_identity(
    session: Session,
    actor: Actor,
    network: str,
    identity: Identity,
    *,
    timezone: str = "UTC",
    secret_extra: dict[str, Any] | None = None,
    sandbox: bool = False,
) -> SocialAccount:
    """Connect (or reconnect) the author `identity` on `network`: tokens sealed, status active.

    Reconnecting an account already here updates it in place (same id, so scheduled posts keep
    their target) and keeps its refresh token when the network sent none.
    """
    require(actor.role, Perm.RECORD_CREATE)
    provider_class(network)  # unknown networks are refused
    account = session.exec(
        select(SocialAccount).where(
            SocialAccount.org_id == actor.org_id,
            SocialAccount.network == network,
            SocialAccount.remote_id == identity.remote_id,
        )
    ).first()
    created = account is None
    if account is None:
        account = SocialAccount(
            org_id=actor.org_id,
            network=network,
            remote_id=identity.remote_id,
            owner_id=actor.user_id,
            timezone=_check_zone(timezone),
        )
    account.kind = identity.kind
    account.handle = identity.handle
    account.display_name = identity.display_name
    account.base_url = identity.base_url
    account.sandbox = sandbox
    account.extra = {**(account.extra or {}), **identity.extra}
    account.status, account.status_reason, account.refresh_failures = "active", "", 0
    _store_tokens(session, account, identity.tokens, secret_extra)
    account.updated_at = utcnow()
    session.add(account)
    session.flush()
    audit.record(
        session,
        actor,
        "social_account.connected" if created else "social_account.reconnected",
        "social_account",
        account.id,
        {"network": network, "handle": identity.handle, "kind": identity.kind},
    )
    return account


def connect_sandbox(
    session: Session, actor: Actor, *, name: str, timezone: str = "UTC"
) -> SocialAccount:
    """A sandbox account (publishes into Tandem itself; labelled Sandbox everywhere, once)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the sandbox account a name"})
    handle = "@" + "".join(ch for ch in name.lower() if ch.isalnum())[:30] + ".sandbox"
    identity = Identity(
        kind="user",
        remote_id=f"sandbox-{uuid.uuid4().hex[:12]}",
        handle=handle,
        display_name=name,  # "Sandbox" is the network's label, shown once beside it
        tokens=TokenSet(access_token="sandbox"),
    )
    return save_identity(session, actor, "sandbox", identity, timezone=timezone, sandbox=True)


def _secret_extra(session: Session, account: SocialAccount) -> dict[str, Any]:
    if not account.secret_extra_sealed:
        return {}
    opened = secrets.open_sealed(session, account.org_id, account.secret_extra_sealed)
    return dict(json.loads(opened))


def _store_tokens(
    session: Session,
    account: SocialAccount,
    tokens: TokenSet,
    secret_extra: dict[str, Any] | None = None,
) -> None:
    # A token set's extras (a Page's long-lived user token, a refresh token's own expiry) are
    # as secret as the tokens: sealed beside them, merged into what was there.
    extra = {**tokens.extra, **(secret_extra or {})}
    if extra:
        merged = {**_secret_extra(session, account), **extra}
        account.secret_extra_sealed = secrets.seal(session, account.org_id, json.dumps(merged))
    if tokens.access_token:
        account.access_token_sealed = secrets.seal(session, account.org_id, tokens.access_token)
    # Networks that do not rotate send no refresh token: keep the one we have (never wipe it).
    if tokens.refresh_token:
        account.refresh_token_sealed = secrets.seal(session, account.org_id, tokens.refresh_token)
    account.token_expires_at = tokens.expires_at


def store_refreshed(session: Session, account: SocialAccount, tokens: TokenSet) -> None:
    """Save the result of a token refresh (system action, no audit of token values)."""
    _store_tokens(session, account, tokens)
    account.status, account.status_reason, account.refresh_failures = "active", "", 0
    account.last_refreshed_at = account.updated_at = utcnow()
    session.add(account)


def credentials(session: Session, account: SocialAccount) -> AccountAuth:
    """The account with its tokens opened, for one provider call."""

    def opened(value: str) -> str:
        return secrets.open_sealed(session, account.org_id, value) if value else ""

    extra = {**(account.extra or {}), **_secret_extra(session, account)}
    return AccountAuth(
        network=account.network,
        remote_id=account.remote_id,
        handle=account.handle,
        kind=account.kind,
        base_url=account.base_url,
        access_token=opened(account.access_token_sealed),
        refresh_token=opened(account.refresh_token_sealed),
        expires_at=account.token_expires_at,
        extra=extra,
    )


def needs_reconnect(session: Session, account: SocialAccount, reason: str) -> None:
    """Mark the account unusable until its owner reconnects it, and tell the owner (once)."""
    first = account.status != "needs_reconnect"
    account.status, account.status_reason = "needs_reconnect", reason[:300]
    account.updated_at = utcnow()
    session.add(account)
    if first:
        label = provider_class(account.network).label
        notifications.notify(
            session,
            account.org_id,
            account.owner_id,
            "social.reconnect",
            f"Reconnect your {label} account {account.handle}: {reason}"[:300],
            routes.SOCIAL_ACCOUNTS,
        )


def set_timezone(session: Session, actor: Actor, account_id: uuid.UUID, tz: str) -> SocialAccount:
    """The zone the account's audience lives in (shown beside the author's own when scheduling)."""
    require(actor.role, Perm.RECORD_UPDATE)
    account = get_account(session, actor.org_id, account_id)
    before = account.timezone
    account.timezone = _check_zone(tz)
    session.add(account)
    audit.record(
        session,
        actor,
        "social_account.timezone",
        "social_account",
        account.id,
        {"timezone": [before, account.timezone]},
    )
    return account


def may_disconnect(actor: Actor, owner_id: uuid.UUID | str) -> bool:
    """Whether `actor` may disconnect an account that `owner_id` connected: its owner, or an
    Admin or Owner."""
    return str(owner_id) == str(actor.user_id) or can(actor.role, Perm.MEMBER_MANAGE)


def disconnect(session: Session, actor: Actor, account_id: uuid.UUID) -> SocialAccount:
    """Forget the account's tokens; its scheduled posts to it fail with a reason. The owner who
    connected it or an Admin may do this."""
    account = get_account(session, actor.org_id, account_id)
    if not may_disconnect(actor, account.owner_id):
        raise PermissionDenied("Only the person who connected it or an Admin can disconnect it")
    account.status, account.status_reason = "disconnected", "Disconnected"
    account.access_token_sealed = account.refresh_token_sealed = ""
    account.secret_extra_sealed = ""
    account.updated_at = utcnow()
    session.add(account)
    audit.record(
        session,
        actor,
        "social_account.disconnected",
        "social_account",
        account.id,
        {"network": account.network, "handle": account.handle},
    )
    return account


def expiring(session: Session, before: datetime) -> list[SocialAccount]:
    """Active accounts (of the session's organisation) whose token expires before `before`."""
    return list(
        session.exec(
            select(SocialAccount).where(
                SocialAccount.status == "active",
                col(SocialAccount.sandbox).is_(False),
                col(SocialAccount.token_expires_at).is_not(None),
                col(SocialAccount.token_expires_at) < before,
            )
        ).all()
    )
