"""Connecting accounts: OAuth2 (state checked, PKCE), Mastodon app registration, Bluesky app
passwords, and the choice of authors after login (LinkedIn person or company pages, Facebook
Pages, Instagram business accounts).

The flow's secrets (PKCE verifier, a Mastodon app's client secret, the tokens of the authors the
user is choosing between) wait in Redis for at most ten minutes, sealed under the organisation's
data key; the state is single-use and bound to the user who started the flow.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
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
from crmapp.services.social import accounts
from crmapp.services.social.base import Identity, SocialError, TokenSet, get_provider
from crmapp.services.social.providers import bluesky, mastodon
from crmapp.services.tenancy.permissions import Perm, require
from crmapp.settings import get_settings

TTL_SECONDS = 600
CALLBACK_PATH = routes.SOCIAL_CONNECT_CALLBACK
OAUTH_NETWORKS = ("x", "linkedin", "facebook", "instagram", "mastodon")
_CREDENTIALS = {
    "x": ("x_client_id", "TANDEM_X_CLIENT_ID"),
    "linkedin": ("linkedin_client_id", "TANDEM_LINKEDIN_CLIENT_ID"),
    "facebook": ("meta_app_id", "TANDEM_META_APP_ID"),
    "instagram": ("meta_app_id", "TANDEM_META_APP_ID"),
}


@dataclass(frozen=True)
class Choice:
    """An author the user may connect after logging in (no tokens)."""

    index: int
    kind: str
    handle: str
    display_name: str


def redirect_uri() -> str:
    """Where networks send the user back (register it with each network's app)."""
    return get_settings().public_url.rstrip("/") + CALLBACK_PATH


def missing_setting(network: str) -> str:
    """The environment variable to set before `network` can connect ("" when ready)."""
    field, env = _CREDENTIALS.get(network, ("", ""))
    return env if field and not getattr(get_settings(), field) else ""


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
    """Start an OAuth connection; returns the network's consent URL to send the user to."""
    require(actor.role, Perm.RECORD_CREATE)
    if network not in OAUTH_NETWORKS:
        raise ValidationError({"network": f"{network} does not connect through a login page"})
    if missing := missing_setting(network):
        raise ValidationError({"network": f"Set {missing} (and its secret) to connect {network}"})
    state, verifier = generate_token(32), generate_token(64)
    payload: dict[str, Any] = {"user": str(actor.user_id), "network": network, "verifier": verifier}
    provider = get_provider(network)
    challenge = create_s256_code_challenge(verifier)
    try:
        if network == "mastodon":
            instance = _instance(instance_url)
            app = mastodon.register_app(instance, redirect_uri())
            payload["app"] = {"instance_url": instance, **app}
            url = mastodon.MastodonProvider().authorization_url(
                redirect_uri=redirect_uri(), state=state, code_challenge=challenge,
                app=mastodon.MastodonApp(instance, app["client_id"], app["client_secret"]),
            )  # fmt: skip
        else:
            url = provider.authorization_url(
                redirect_uri=redirect_uri(), state=state, code_challenge=challenge
            )
    except SocialError as error:
        raise ValidationError({"network": str(error)}) from error
    _put(session, actor.org_id, _key(state), payload)
    return url


def _instance(instance_url: str) -> str:
    value = instance_url.strip().rstrip("/")
    if not value:
        raise ValidationError({"instance": "Enter your Mastodon server, e.g. mastodon.social"})
    if not value.startswith(("http://", "https://")):
        value = "https://" + value
    return value


def complete(
    session: Session, actor: Actor, *, state: str, code: str, error: str = ""
) -> list[Choice]:
    """Finish the login the network redirected back from: exchange the code and list the
    authors these tokens can publish as (kept for `choose`)."""
    payload = _take(session, actor, _key(state))
    if error:
        raise ValidationError({"code": f"The network did not connect the account: {error}"})
    network = payload["network"]
    provider = get_provider(network)
    try:
        if network == "mastodon":
            app = mastodon.MastodonApp(**payload["app"])
            tokens = mastodon.MastodonProvider().exchange_code(
                code=code, redirect_uri=redirect_uri(), code_verifier=payload["verifier"], app=app
            )
        else:
            tokens = provider.exchange_code(
                code=code, redirect_uri=redirect_uri(), code_verifier=payload["verifier"]
            )
        found = provider.identities(tokens)
    except SocialError as err:
        raise ValidationError({"code": str(err)}) from err
    if not found:
        raise ValidationError({"code": "That login has no account or page Tandem can post as"})
    pending = {"user": str(actor.user_id), "network": network,
               "identities": [_dump(i) for i in found]}  # fmt: skip
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


def connect_bluesky(
    session: Session, actor: Actor, *, handle: str, app_password: str, pds_url: str = "",
    timezone: str = "UTC",
) -> SocialAccount:  # fmt: skip
    """Connect a Bluesky account with its handle and an app password (the password itself is
    not kept: the session's tokens are, sealed)."""
    require(actor.role, Perm.RECORD_CREATE)
    if not handle.strip() or not app_password.strip():
        raise ValidationError({"handle": "Enter the handle and an app password"})
    try:
        identity = bluesky.create_session(pds_url.strip(), handle.strip(), app_password.strip())
    except SocialError as err:
        raise ValidationError({"app_password": str(err)}) from err
    return accounts.save_identity(session, actor, "bluesky", identity, timezone=timezone)


def _dump(identity: Identity) -> dict[str, Any]:
    t = identity.tokens
    return {
        "kind": identity.kind, "remote_id": identity.remote_id, "handle": identity.handle,
        "display_name": identity.display_name, "base_url": identity.base_url,
        "extra": identity.extra,
        "tokens": {"access_token": t.access_token, "refresh_token": t.refresh_token,
                   "expires_at": t.expires_at.isoformat() if t.expires_at else None,
                   "scope": t.scope, "extra": t.extra},
    }  # fmt: skip


def _load(data: dict[str, Any]) -> Identity:
    from datetime import datetime

    t = data["tokens"]
    tokens = TokenSet(
        access_token=t["access_token"], refresh_token=t["refresh_token"],
        expires_at=datetime.fromisoformat(t["expires_at"]) if t["expires_at"] else None,
        scope=t["scope"], extra=t["extra"],
    )  # fmt: skip
    return Identity(kind=data["kind"], remote_id=data["remote_id"], handle=data["handle"],
                    display_name=data["display_name"], tokens=tokens, base_url=data["base_url"],
                    extra=data["extra"])  # fmt: skip
