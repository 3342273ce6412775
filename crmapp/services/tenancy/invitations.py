"""Invitations: a link that lets someone join the organisation with a role, by logging in or by
signing up from the link."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from crmapp import routes
from crmapp.models.base import utcnow
from crmapp.models.tenancy import (
    Invitation,
    Membership,
    Organization,
    Role,
    User,
    UserSession,
)
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import get_in_org, set_scope, tenant_session
from crmapp.services.platform.errors import NotFound, PermissionDenied, ValidationError
from crmapp.services.tenancy import audit, tokens
from crmapp.services.tenancy.auth import (
    EMAIL_RE,
    Client,
    new_session,
    normalize_email,
    validate_signup,
)
from crmapp.services.tenancy.passwords import hash_password
from crmapp.services.tenancy.permissions import Perm, require
from crmapp.settings import get_settings

INVITABLE_ROLES = (Role.ADMIN, Role.MEMBER, Role.VIEWER)


@dataclass(frozen=True)
class InvitationView:
    """What the invite page shows before the invitee accepts."""

    org_id: uuid.UUID
    org_name: str
    email: str
    role: str
    status: str  # pending | accepted | revoked | expired
    has_account: bool


def create_invitation(
    session: Session, actor: Actor, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite `email` with `role`; returns the invitation and the secret token for its link."""
    require(actor.role, Perm.MEMBER_INVITE)
    email = normalize_email(email)
    problems = {}
    if not EMAIL_RE.match(email):
        problems["email"] = "Enter a valid email address."
    if role not in {r.value for r in INVITABLE_ROLES}:
        problems["role"] = "Invite as Admin, Member or Viewer."
    if problems:
        raise ValidationError(problems)
    existing = session.exec(
        select(Membership)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.org_id == actor.org_id, User.email == email)
    ).first()
    if existing:
        raise ValidationError({"email": "That person is already a member."})
    raw = secrets.token_urlsafe(24)
    invitation = Invitation(
        org_id=actor.org_id,
        email=email,
        role=role,
        token_hash=tokens.token_hash(raw),
        invited_by=actor.user_id,
        expires_at=utcnow() + timedelta(days=get_settings().invitation_ttl_days),
    )
    session.add(invitation)
    audit.record(
        session,
        actor,
        "invitation.created",
        "invitation",
        invitation.id,
        {"email": email, "role": role},
    )
    return invitation, f"{actor.org_id}.{raw}"


def invitation_path(token: str) -> str:
    """The in-app path of an invitation link."""
    return routes.invite(token)


def list_invitations(session: Session, actor: Actor) -> list[Invitation]:
    """Pending (not accepted, not revoked, not expired) invitations, newest first."""
    require(actor.role, Perm.MEMBER_INVITE)
    return list(
        session.exec(
            select(Invitation)
            .where(
                Invitation.org_id == actor.org_id,
                col(Invitation.accepted_at).is_(None),
                col(Invitation.revoked_at).is_(None),
                Invitation.expires_at > utcnow(),
            )
            .order_by(col(Invitation.created_at).desc())
        ).all()
    )


def revoke_invitation(session: Session, actor: Actor, invitation_id: uuid.UUID) -> None:
    """Make an invitation link stop working."""
    require(actor.role, Perm.MEMBER_INVITE)
    inv = get_in_org(session, Invitation, invitation_id, actor.org_id, "Invitation not found.")
    inv.revoked_at = utcnow()
    session.add(inv)
    audit.record(session, actor, "invitation.revoked", "invitation", inv.id, {"email": inv.email})


def _split_invite(token: str) -> tuple[uuid.UUID, str] | None:
    try:
        org_part, raw = token.split(".", 1)
        return uuid.UUID(org_part), raw
    except (ValueError, AttributeError):
        return None


def _find_invitation(session: Session, token: str) -> Invitation | None:
    parts = _split_invite(token)
    if parts is None:
        return None
    org_id, raw = parts
    set_scope(session, org_id=org_id)
    return session.exec(
        select(Invitation).where(
            Invitation.org_id == org_id, Invitation.token_hash == tokens.token_hash(raw)
        )
    ).first()


def _status(inv: Invitation) -> str:
    if inv.accepted_at:
        return "accepted"
    if inv.revoked_at:
        return "revoked"
    if inv.expires_at <= utcnow():
        return "expired"
    return "pending"


def get_invitation(token: str) -> InvitationView | None:
    """What an invitation link offers, or None for a link that was never issued."""
    with tenant_session(None) as session:
        inv = _find_invitation(session, token)
        if inv is None:
            return None
        org = session.get(Organization, inv.org_id)
        has_account = session.exec(select(User.id).where(User.email == inv.email)).first()
        return InvitationView(
            inv.org_id,
            org.name if org else "",
            inv.email,
            inv.role,
            _status(inv),
            has_account is not None,
        )


def _accept(session: Session, inv: Invitation, user: User, client: Client) -> None:
    if _status(inv) != "pending":
        raise ValidationError({"invitation": f"This invitation is {_status(inv)}."})
    if normalize_email(user.email) != inv.email:
        raise PermissionDenied(f"This invitation is for {inv.email}. Log in with that address.")
    set_scope(session, org_id=inv.org_id, user_id=user.id)
    already = session.exec(
        select(Membership).where(Membership.org_id == inv.org_id, Membership.user_id == user.id)
    ).first()
    if already is None:
        session.add(Membership(org_id=inv.org_id, user_id=user.id, role=inv.role))
    inv.accepted_at = utcnow()
    inv.accepted_by = user.id
    session.add(inv)
    actor = Actor(user.id, inv.org_id, Role(inv.role), user.email, client.ip, client.user_agent)
    audit.record(session, actor, "invitation.accepted", "invitation", inv.id, {"role": inv.role})


def accept_invitation(token: str, session_token: str | None, client: Client) -> uuid.UUID:
    """A logged-in user joins the invitation's organisation, which becomes their active one."""
    with tenant_session(None) as session:
        digest = tokens.verify(session_token)
        row = (
            session.exec(select(UserSession).where(UserSession.token_hash == digest)).first()
            if digest
            else None
        )
        if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
            raise PermissionDenied("Log in to accept this invitation.")
        user = session.get(User, row.user_id)
        inv = _find_invitation(session, token)
        if inv is None or user is None:
            raise NotFound("This invitation link is not valid.")
        _accept(session, inv, user, client)
        row.active_org_id = inv.org_id
        session.add(row)
        return inv.org_id


def signup_with_invitation(
    token: str, *, name: str, password: str, client: Client, timezone: str = "UTC"
) -> str:
    """Create the invitee's account from the link and join; returns a session token.
    `timezone` is the IANA zone the invitee's browser reported (editable in the form)."""
    timezone = timezone.strip()
    with tenant_session(None) as session:
        inv = _find_invitation(session, token)
        if inv is None:
            raise NotFound("This invitation link is not valid.")
        validate_signup(inv.email, password, name, None, timezone)
        if session.exec(select(User).where(User.email == inv.email)).first():
            raise ValidationError({"email": "You already have an account: log in to accept."})
        user = User(
            email=inv.email,
            name=name.strip(),
            password_hash=hash_password(password),
            timezone=timezone,
        )
        session.add(user)
        session.flush()
        _accept(session, inv, user, client)
        return new_session(session, user.id, inv.org_id, client)
