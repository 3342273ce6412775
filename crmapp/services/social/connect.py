"""Connecting accounts, for every network the way its class says (`SocialProvider.connect`):
OAuth2 (state checked, PKCE where the network takes it) through the app in Settings or one
registered on the user's own server, an app password, and the choice of authors after login
(LinkedIn person or company pages, Facebook Pages, Instagram business accounts).

The flow's secrets (PKCE verifier, a per-server app's client secret, the tokens of the authors
the user is choosing between) wait in Redis for at most ten minutes, sealed under the
organisation's data key; the state is single-use and bound to the user who started the flow.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from sqlmodel import Session

from crmapp import routes
from crmapp.models.social import SocialAccount
from crmapp.services.platform import secrets
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import PermissionDenied, ValidationError
from crmapp.services.platform.redis_client import get_redis
from crmapp.services.social import accounts, registry
from crmapp.services.social.base import (
    Connect,
    Identity,
    OAuthFlow,
    SocialError,
    SocialProvider,
    TokenSet,
)
from crmapp.services.tenancy.permissions import Perm, can, require
from crmapp.settings import Settings, get_settings

TTL_SECONDS = 600
CALLBACK_PATH = routes.SOCIAL_CONNECT_CALLBACK
NOT_CONFIGURED = "not configured"  # what a network not set up says to non-administrators
# The connect methods a user starts from the accounts page (the sandbox has a form of its own).
OFFERED = (Connect.OAUTH, Connect.OAUTH_PER_INSTANCE, Connect.APP_PASSWORD)
_LOGIN_PAGE = (Connect.OAUTH, Connect.OAUTH_PER_INSTANCE)


@dataclass(frozen=True)
class Choice:
    """An author the user may connect after logging in (no tokens)."""

    index: int
    kind: str
    handle: str
    display_name: str


@dataclass(frozen=True)
class ConnectOption:
    """One network the accounts page offers to connect, and how."""

    network: str
    label: str  # the button's or form's name ("Facebook Page", "Mastodon")
    method: str  # a `Connect` value
    missing: str  # "" when it can connect; else the setting to give the server (Owners and
    # Admins) or NOT_CONFIGURED (everyone else: setting names stay with administrators)
    hint: str = ""  # an example server or handle
    help_text: str = ""
    help_url: str = ""


def redirect_uri() -> str:
    """Where networks send the user back (register it with each network's app)."""
    return get_settings().public_url.rstrip("/") + CALLBACK_PATH


def missing_setting(network: str) -> str:
    """The environment variable to set before `network` can connect ("" when ready): the first
    of the Settings fields its class names (`settings`) that is empty."""
    settings = get_settings()
    for name in registry.provider_class(network).settings:
        if not getattr(settings, name):
            alias = Settings.model_fields[name].alias
            return alias or name.upper()
    return ""


def options(actor: Actor) -> list[ConnectOption]:
    """Every network a user connects from the accounts page, in listing order."""
    admin = can(actor.role, Perm.ORG_UPDATE)
    out = []
    for cls in registry.classes():
        if cls.connect not in OFFERED:
            continue
        missing = missing_setting(cls.name)
        out.append(
            ConnectOption(
                network=cls.name,
                label=cls.connect_label or cls.label,
                method=cls.connect.value,
                missing=missing if admin or not missing else NOT_CONFIGURED,
                hint=cls.connect_hint,
                help_text=cls.connect_help[0],
                help_url=cls.connect_help[1],
            )
        )
    return out


def _connecting(network: str, methods: tuple[Connect, ...], what: str) -> SocialProvider:
    cls = registry.find(network)
    if cls is None or cls.connect not in methods:
        raise ValidationError({"network": f"{network} does not connect {what}"})
    return cls()


def _key(state: str, stage: str = "flow") -> str:
    return f"social:oauth:{stage}:{state}"


def _put(session: Session, org_id: uuid.UUID, key: str, payload: dict[str, Any]) -> None:
    sealed = secrets.seal(session, org_id, json.dumps(payload))
    get_redis().set(key, f"{org_id}|{sealed}", ex=TTL_SECONDS)


def _take(session: Session, actor: Actor, key: str) -> dict[str, Any]:
    raw = get_redis().getdel(key)
    if not raw:
        raise ValidationError({"state": "This connection expired or was already used; start again"})
    org, _, sealed = (raw.decode() if isinstance(raw, bytes) else str(raw)).partition("|")
    if org != str(actor.org_id):
        raise PermissionDenied("This connection was started in another organisation")
    payload: dict[str, Any] = json.loads(secrets.open_sealed(session, actor.org_id, sealed))
    if payload.get("user") != str(actor.user_id):
        raise PermissionDenied("This connection was started by someone else")
    return payload


def begin(session: Session, actor: Actor, network: str, *, instance_url: str = "") -> str:
    """Start an OAuth connection; returns the network's consent URL to send the user to.

    `instance_url` is the user's server, for networks that connect per server.
    """
    require(actor.role, Perm.RECORD_CREATE)
    provider = _connecting(network, _LOGIN_PAGE, "through a login page")
    if missing := missing_setting(network):
        raise ValidationError({"network": f"Set {missing} (and its secret) to connect {network}"})
    state, verifier = generate_token(32), generate_token(64) if provider.pkce else ""
    challenge = create_s256_code_challenge(verifier) if verifier else ""
    try:
        client = provider.register_client(instance_url=instance_url, redirect_uri=redirect_uri())
        flow = OAuthFlow(redirect_uri(), state, challenge, verifier, client)
        url = provider.authorization_url(flow)
    except SocialError as error:
        raise ValidationError({"network": str(error)}) from error
    payload = {"user": str(actor.user_id), "network": network, "verifier": verifier}
    _put(session, actor.org_id, _key(state), {**payload, "client": client})
    return url


def complete(
    session: Session, actor: Actor, *, state: str, code: str, error: str = ""
) -> list[Choice]:
    """Finish the login the network redirected back from: exchange the code and list the
    authors these tokens can publish as (kept for `choose`)."""
    payload = _take(session, actor, _key(state))
    if error:
        raise ValidationError({"code": f"The network did not connect the account: {error}"})
    network = payload["network"]
    provider = registry.get_provider(network)
    flow = OAuthFlow(redirect_uri(), state, "", payload["verifier"], payload.get("client") or {})
    try:
        tokens = provider.exchange_code(flow, code)
        found = provider.identities(tokens)
    except SocialError as err:
        raise ValidationError({"code": str(err)}) from err
    if not found:
        raise ValidationError({"code": "That login has no account or page Tandem can post as"})
    identities = [_dump(i) for i in found]
    pending = {"user": str(actor.user_id), "network": network, "identities": identities}
    _put(session, actor.org_id, _key(state, "choose"), pending)
    return [Choice(n, i.kind, i.handle, i.display_name) for n, i in enumerate(found)]


def choose(
    session: Session, actor: Actor, *, state: str, indexes: list[int], timezone: str = "UTC"
) -> list[SocialAccount]:
    """Connect the authors the user picked from `complete`'s list."""
    if not indexes:
        raise ValidationError({"choice": "Pick at least one account or page"})
    pending = _take(session, actor, _key(state, "choose"))
    found = [_load(i) for i in pending["identities"]]
    picked = [found[i] for i in sorted(set(indexes)) if 0 <= i < len(found)]
    return [
        accounts.save_identity(session, actor, pending["network"], i, timezone=timezone)
        for i in picked
    ]


def sign_in(
    session: Session,
    actor: Actor,
    network: str,
    *,
    handle: str,
    app_password: str,
    instance_url: str = "",
    timezone: str = "UTC",
) -> SocialAccount:
    """Connect an account of a network that takes a handle and an app password (the password
    itself is not kept: the session's tokens are, sealed)."""
    require(actor.role, Perm.RECORD_CREATE)
    provider = _connecting(network, (Connect.APP_PASSWORD,), "with an app password")
    if not handle.strip() or not app_password.strip():
        raise ValidationError({"handle": "Enter the handle and an app password"})
    try:
        identity = provider.sign_in(
            handle=handle.strip(), password=app_password.strip(), instance_url=instance_url.strip()
        )
    except SocialError as err:
        raise ValidationError({"app_password": str(err)}) from err
    return accounts.save_identity(session, actor, network, identity, timezone=timezone)


def _dump(identity: Identity) -> dict[str, Any]:
    t = identity.tokens
    tokens = {
        "access_token": t.access_token,
        "refresh_token": t.refresh_token,
        "expires_at": t.expires_at.isoformat() if t.expires_at else None,
        "scope": t.scope,
        "extra": t.extra,
    }
    return {
        "kind": identity.kind,
        "remote_id": identity.remote_id,
        "handle": identity.handle,
        "display_name": identity.display_name,
        "base_url": identity.base_url,
        "extra": identity.extra,
        "tokens": tokens,
    }


def _load(data: dict[str, Any]) -> Identity:
    t = data["tokens"]
    tokens = TokenSet(
        access_token=t["access_token"],
        refresh_token=t["refresh_token"],
        expires_at=datetime.fromisoformat(t["expires_at"]) if t["expires_at"] else None,
        scope=t["scope"],
        extra=t["extra"],
    )
    return Identity(
        kind=data["kind"],
        remote_id=data["remote_id"],
        handle=data["handle"],
        display_name=data["display_name"],
        tokens=tokens,
        base_url=data["base_url"],
        extra=data["extra"],
    )
