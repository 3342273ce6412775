"""Sign-up, login, logout, sessions and passwords.

The browser only ever holds the opaque signed token returned here; identity is resolved from the
server-side `user_session` row on every request.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from redis import Redis
from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.tenancy import Membership, Organization, Role, User, UserSession
from crmapp.services.crm import pipelines
from crmapp.services.platform import ratelimit, timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import set_scope, tenant_session
from crmapp.services.platform.errors import InvalidCredentials, ValidationError, format_wait
from crmapp.services.platform.redis_client import get_redis
from crmapp.services.tenancy import audit, tokens
from crmapp.services.tenancy.passwords import hash_password, password_problem, verify_password
from crmapp.settings import get_settings

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
LOGIN_IP_LIMIT = 50  # per IP per window: generous, since offices share an address
SIGNUP_EMAIL_LIMIT = 5  # sign-up attempts for one address per window


@dataclass(frozen=True)
class Client:
    """Where a request came from (recorded on sessions and audit events)."""

    ip: str = ""
    user_agent: str = ""


@dataclass(frozen=True)
class OrgChoice:
    """One organisation the user belongs to."""

    id: str
    name: str
    role: str


@dataclass(frozen=True)
class SessionView:
    """What a valid session token resolves to."""

    user_id: uuid.UUID
    email: str
    name: str
    timezone: str
    org_id: uuid.UUID | None
    org_name: str
    role: Role | None
    orgs: list[OrgChoice] = field(default_factory=list)

    def actor(self, client: Client) -> Actor | None:
        """The actor for service calls, or None when the user has no organisation."""
        if self.org_id is None or self.role is None:
            return None
        return Actor(
            self.user_id,
            self.org_id,
            self.role,
            self.email,
            client.ip,
            client.user_agent,
        )


def normalize_email(email: str) -> str:
    """Trimmed, lower-cased email."""
    return (email or "").strip().lower()


ZONE_PROBLEM = "Pick a time zone from the list (for example Europe/Paris)."


def validate_signup(
    email: str, password: str, name: str, org_name: str | None, timezone: str = "UTC"
) -> None:
    """Raise `ValidationError` listing every field that is wrong."""
    problems: dict[str, str] = {}
    if not timefmt.is_zone(timezone):
        problems["timezone"] = ZONE_PROBLEM
    if not EMAIL_RE.match(email):
        problems["email"] = "Enter a valid email address."
    if not name.strip():
        problems["name"] = "Enter your name."
    if org_name is not None and not org_name.strip():
        problems["org_name"] = "Name your organisation."
    weak = password_problem(password)
    if weak:
        problems["password"] = weak
    if problems:
        raise ValidationError(problems)


def new_session(
    session: Session, user_id: uuid.UUID, org_id: uuid.UUID | None, client: Client
) -> str:
    token, digest = tokens.issue()
    now = utcnow()
    session.add(
        UserSession(
            user_id=user_id,
            token_hash=digest,
            active_org_id=org_id,
            ip=client.ip[:64],
            user_agent=client.user_agent[:512],
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=get_settings().session_ttl_hours),
        )
    )
    return token


def _actor(user: User, org_id: uuid.UUID, role: Role, client: Client) -> Actor:
    return Actor(user.id, org_id, role, user.email, client.ip, client.user_agent)


def signup(
    *,
    email: str,
    password: str,
    name: str,
    org_name: str,
    client: Client,
    timezone: str = "UTC",
    redis: Redis | None = None,
) -> str:
    """Create a user, their organisation (as Owner) and a session; returns the session token.

    `timezone` is the IANA zone the user's browser reported (they may change it in the form).
    """
    redis = redis or get_redis()
    settings = get_settings()
    email = normalize_email(email)
    window = settings.signup_window_seconds
    ratelimit.enforce(
        redis,
        [
            ("signup_ip", client.ip, settings.signup_max_attempts, window),
            ("signup_email", email, SIGNUP_EMAIL_LIMIT, window),
        ],
        "sign-up attempts",
    )
    ratelimit.hit(redis, "signup_ip", client.ip or "unknown", window=window)
    ratelimit.hit(redis, "signup_email", email or "unknown", window=window)
    timezone = timezone.strip()
    validate_signup(email, password, name, org_name, timezone)
    with tenant_session(None) as session:
        if session.exec(select(User).where(User.email == email)).first():
            raise ValidationError({"email": "An account with this email exists. Log in instead."})
        user = User(
            email=email,
            name=name.strip(),
            password_hash=hash_password(password),
            timezone=timezone,
        )
        org = Organization(name=org_name.strip())
        set_scope(session, org_id=org.id, user_id=user.id)
        session.add(user)
        session.add(org)
        session.flush()
        session.add(Membership(org_id=org.id, user_id=user.id, role=Role.OWNER))
        pipelines.create_default_pipeline(session, org.id)
        token = new_session(session, user.id, org.id, client)
        actor = _actor(user, org.id, Role.OWNER, client)
        audit.record(session, actor, "org.created", "organization", org.id, {"name": org.name})
        audit.record(session, actor, "user.signed_up", "user", user.id, {"email": email})
    return token


def login(
    *,
    email: str,
    password: str,
    client: Client,
    previous_token: str | None = None,
    redis: Redis | None = None,
) -> str:
    """Check credentials (rate-limited per account and per IP) and start a fresh session.

    A previous session token presented by the same browser is revoked (rotation on login).
    """
    redis = redis or get_redis()
    settings = get_settings()
    window = settings.login_window_seconds
    email = normalize_email(email)
    ratelimit.enforce(
        redis,
        [
            ("login_account", email, settings.login_max_attempts, window),
            ("login_ip", client.ip, LOGIN_IP_LIMIT, window),
        ],
        "failed logins",
    )
    with tenant_session(None) as session:
        user = session.exec(select(User).where(User.email == email)).first() if email else None
        if not verify_password(user.password_hash if user else None, password) or user is None:
            ratelimit.hit(redis, "login_account", email or "unknown", window=window)
            ratelimit.hit(redis, "login_ip", client.ip or "unknown", window=window)
            hint = _attempts_left(redis, email, "failed logins")
            raise InvalidCredentials(f"Wrong email or password. {hint}")
        ratelimit.clear(redis, "login_account", email)
        _revoke(session, previous_token)
        set_scope(session, user_id=user.id)
        membership = _first_membership(session, user.id)
        org_id = membership.org_id if membership else None
        token = new_session(session, user.id, org_id, client)
        if membership:
            set_scope(session, org_id=membership.org_id)
            actor = _actor(user, membership.org_id, Role(membership.role), client)
            audit.record(session, actor, "user.logged_in", "user", user.id)
    return token


def _attempts_left(redis: Redis, email: str, what: str) -> str:
    """After a wrong password: how many tries remain on the account, or how long to wait."""
    settings = get_settings()
    limit = settings.login_max_attempts
    left = limit - ratelimit.count(redis, "login_account", email)
    if left > 0:
        return f"{left} attempt{'s' if left != 1 else ''} left before a pause."
    wait = ratelimit.retry_after(
        redis, "login_account", email, limit=limit, window=settings.login_window_seconds
    )
    return f"Too many {what}: try again in {format_wait(wait)}."


def _first_membership(session: Session, user_id: uuid.UUID) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.user_id == user_id).order_by(col(Membership.created_at))
    ).first()


def _revoke(session: Session, token: str | None) -> UserSession | None:
    digest = tokens.verify(token)
    if digest is None:
        return None
    row = session.exec(select(UserSession).where(UserSession.token_hash == digest)).first()
    if row and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
    return row


def _live_session(session: Session, token: str | None) -> UserSession | None:
    digest = tokens.verify(token)
    if digest is None:
        return None
    row = session.exec(select(UserSession).where(UserSession.token_hash == digest)).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row


def resolve(token: str | None) -> SessionView | None:
    """The user and active organisation behind `token`, or None if invalid, expired or revoked."""
    if tokens.verify(token) is None:
        return None
    with tenant_session(None) as session:
        row = _live_session(session, token)
        if row is None:
            return None
        user = session.get(User, row.user_id)
        if user is None:
            return None
        set_scope(session, user_id=user.id)
        pairs = session.exec(
            select(Membership, Organization)
            .join(Organization, col(Organization.id) == col(Membership.org_id))
            .where(Membership.user_id == user.id)
            .order_by(col(Organization.name))
        ).all()
        orgs = [OrgChoice(str(o.id), o.name, m.role) for m, o in pairs]
        active = next((p for p in pairs if p[1].id == row.active_org_id), None) or (
            pairs[0] if pairs else None
        )
        now = utcnow()
        changed = False
        if active is not None and row.active_org_id != active[1].id:
            row.active_org_id, changed = active[1].id, True
        if changed or now - row.last_seen_at > timedelta(minutes=5):
            row.last_seen_at = now
            session.add(row)
        return SessionView(
            user_id=user.id,
            email=user.email,
            name=user.name,
            timezone=user.timezone,
            org_id=active[1].id if active else None,
            org_name=active[1].name if active else "",
            role=Role(active[0].role) if active else None,
            orgs=orgs,
        )


def logout(token: str | None, client: Client) -> None:
    """Revoke the session behind `token` (no-op when it is already invalid)."""
    with tenant_session(None) as session:
        row = _revoke(session, token)
        if row is None or row.active_org_id is None:
            return
        user = session.get(User, row.user_id)
        set_scope(session, org_id=row.active_org_id, user_id=row.user_id)
        membership = session.exec(
            select(Membership).where(
                Membership.user_id == row.user_id,
                Membership.org_id == row.active_org_id,
            )
        ).first()
        if user and membership:
            actor = _actor(user, row.active_org_id, Role(membership.role), client)
            audit.record(session, actor, "user.logged_out", "user", user.id)


def switch_org(token: str | None, org_id: uuid.UUID) -> None:
    """Make `org_id` the session's active organisation (the user must belong to it)."""
    with tenant_session(None) as session:
        row = _live_session(session, token)
        if row is None:
            raise InvalidCredentials("Your session has ended. Log in again.")
        set_scope(session, user_id=row.user_id)
        member = session.exec(
            select(Membership).where(Membership.user_id == row.user_id, Membership.org_id == org_id)
        ).first()
        if member is None:
            raise ValidationError({"org": "You are not a member of that organisation."})
        row.active_org_id = org_id
        session.add(row)


def _check_current_password(user: User, current: str, client: Client) -> None:
    """The current password, limited like a login: a wrong guess counts against the account's
    login attempts, so a stolen session cannot guess the password past the login lockout."""
    redis, settings = get_redis(), get_settings()
    limit, window = settings.login_max_attempts, settings.login_window_seconds
    ratelimit.enforce(
        redis,
        [
            ("login_account", user.email, limit, window),
            ("login_ip", client.ip, LOGIN_IP_LIMIT, window),
        ],
        "wrong passwords",
    )
    if verify_password(user.password_hash, current):
        ratelimit.clear(redis, "login_account", user.email)
        return
    ratelimit.hit(redis, "login_account", user.email, window=window)
    ratelimit.hit(redis, "login_ip", client.ip or "unknown", window=window)
    hint = _attempts_left(redis, user.email, "wrong passwords")
    raise ValidationError({"current_password": f"Your current password is not right. {hint}"})


def change_password(*, token: str | None, current: str, new: str, client: Client) -> str:
    """Set a new password, revoke every session of the user and return a fresh token."""
    with tenant_session(None) as session:
        row = _live_session(session, token)
        if row is None:
            raise InvalidCredentials("Your session has ended. Log in again.")
        user = session.get(User, row.user_id)
        assert user is not None
        _check_current_password(user, current, client)
        weak = password_problem(new)
        if weak:
            raise ValidationError({"new_password": weak})
        if current == new:
            raise ValidationError({"new_password": "Choose a password you have not used here."})
        user.password_hash = hash_password(new)
        session.add(user)
        now = utcnow()
        for other in session.exec(
            select(UserSession).where(
                UserSession.user_id == user.id, col(UserSession.revoked_at).is_(None)
            )
        ).all():
            other.revoked_at = now
            session.add(other)
        new_token = new_session(session, user.id, row.active_org_id, client)
        if row.active_org_id:
            set_scope(session, org_id=row.active_org_id, user_id=user.id)
            membership = session.exec(
                select(Membership).where(
                    Membership.user_id == user.id,
                    Membership.org_id == row.active_org_id,
                )
            ).first()
            if membership:
                actor = _actor(user, row.active_org_id, Role(membership.role), client)
                audit.record(session, actor, "user.password_changed", "user", user.id)
    return new_token
