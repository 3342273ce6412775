"""Organisation settings, members and roles, invitations, and the user's own profile."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from crmapp.models.base import utcnow
from crmapp.models.tenancy import (
    Invitation,
    Membership,
    Organization,
    Role,
    User,
    UserSession,
)
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import set_scope, tenant_session
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
class MemberView:
    """A row of the members table."""

    user_id: str
    name: str
    email: str
    role: str
    joined: datetime


@dataclass(frozen=True)
class InvitationView:
    """What the invite page shows before the invitee accepts."""

    org_id: uuid.UUID
    org_name: str
    email: str
    role: str
    status: str  # pending | accepted | revoked | expired
    has_account: bool


def rename_org(session: Session, actor: Actor, name: str) -> Organization:
    """Rename the actor's organisation."""
    require(actor.role, Perm.ORG_UPDATE)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "The organisation needs a name."})
    if len(name) > 120:
        raise ValidationError({"name": "Keep the name under 120 characters."})
    org = session.get(Organization, actor.org_id)
    if org is None:
        raise NotFound("Organisation not found.")
    before = org.name
    org.name = name
    session.add(org)
    audit.record(session, actor, "org.renamed", "organization", org.id, {"name": [before, name]})
    return org


def list_members(session: Session, actor: Actor) -> list[MemberView]:
    """Everyone in the organisation, owners first."""
    require(actor.role, Perm.RECORD_READ)
    rows = session.exec(
        select(Membership, User)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.org_id == actor.org_id)
    ).all()
    order = {r: i for i, r in enumerate(Role)}
    views = [MemberView(str(u.id), u.name, u.email, m.role, m.created_at) for m, u in rows]
    return sorted(views, key=lambda v: (order.get(Role(v.role), 9), v.name.lower()))


APPROVAL_FLAGS = ("proposal_approvals", "social_approvals")


def approval_required(session: Session, org_id: uuid.UUID, flag: str) -> bool:
    """Whether the organisation requires an approval for `flag`'s kind of work (proposals
    before sending, social posts before scheduling)."""
    org = session.get(Organization, org_id)
    return bool(org and getattr(org, flag))


def set_approval_required(session: Session, actor: Actor, flag: str, required: bool) -> None:
    """Turn one approval requirement on or off (Owner/Admin); audited."""
    require(actor.role, Perm.ORG_UPDATE)
    if flag not in APPROVAL_FLAGS:
        raise ValueError(f"unknown approval flag {flag!r}")
    org = session.get(Organization, actor.org_id)
    if org is not None and getattr(org, flag) != required:
        setattr(org, flag, required)
        session.add(org)
        audit.record(session, actor, f"org.{flag}", "organization", org.id,
                     {"required": [not required, required]})  # fmt: skip


def admin_ids(session: Session, org_id: uuid.UUID) -> list[uuid.UUID]:
    """The Owners and Admins of the organisation (who approve proposals and posts)."""
    return list(
        session.exec(
            select(Membership.user_id).where(
                Membership.org_id == org_id,
                col(Membership.role).in_([Role.OWNER.value, Role.ADMIN.value]),
            )
        ).all()
    )


def _membership(session: Session, actor: Actor, user_id: uuid.UUID) -> Membership:
    member = session.exec(
        select(Membership).where(Membership.org_id == actor.org_id, Membership.user_id == user_id)
    ).first()
    if member is None:
        raise NotFound("That person is not a member of this organisation.")
    return member


def _owner_count(session: Session, org_id: uuid.UUID) -> int:
    return len(
        session.exec(
            select(Membership.id).where(
                Membership.org_id == org_id, Membership.role == Role.OWNER.value
            )
        ).all()
    )


def change_role(session: Session, actor: Actor, user_id: uuid.UUID, role: str) -> Membership:
    """Give a member another role. Only Owners grant or take away ownership; one Owner remains."""
    require(actor.role, Perm.MEMBER_MANAGE)
    if role not in Role._value2member_map_:
        raise ValidationError({"role": "Pick Owner, Admin, Member or Viewer."})
    member = _membership(session, actor, user_id)
    if Role.OWNER in (Role(role), Role(member.role)):
        require(actor.role, Perm.OWNERSHIP_GRANT)
    if (
        member.role == Role.OWNER
        and role != Role.OWNER
        and _owner_count(session, actor.org_id) <= 1
    ):
        raise ValidationError({"role": "An organisation needs at least one Owner."})
    before = member.role
    member.role = role
    session.add(member)
    audit.record(
        session,
        actor,
        "member.role_changed",
        "membership",
        member.id,
        {"user_id": str(user_id), "role": [before, role]},
    )
    return member


def remove_member(session: Session, actor: Actor, user_id: uuid.UUID) -> None:
    """Take someone out of the organisation (their sessions lose access at once)."""
    require(actor.role, Perm.MEMBER_MANAGE)
    member = _membership(session, actor, user_id)
    if member.role == Role.OWNER:
        require(actor.role, Perm.OWNERSHIP_GRANT)
        if _owner_count(session, actor.org_id) <= 1:
            raise ValidationError({"role": "An organisation needs at least one Owner."})
    session.delete(member)
    audit.record(
        session,
        actor,
        "member.removed",
        "membership",
        member.id,
        {"user_id": str(user_id), "role": member.role},
    )


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
    return f"/invite/{token}"


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
    inv = session.exec(
        select(Invitation).where(Invitation.id == invitation_id, Invitation.org_id == actor.org_id)
    ).first()
    if inv is None:
        raise NotFound("Invitation not found.")
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


TIMEZONES = sorted(timefmt.zones())


def set_timezone(user_id: uuid.UUID, tz: str) -> None:
    """Set the user's own IANA time zone (used to show every time in the app)."""
    if not timefmt.is_zone(tz):
        raise ValidationError({"timezone": "Pick a time zone from the list."})
    with tenant_session(None, user_id) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("User not found.")
        user.timezone = tz
        session.add(user)


def set_name(user_id: uuid.UUID, name: str) -> None:
    """Change the user's display name."""
    if not name.strip():
        raise ValidationError({"name": "Enter your name."})
    with tenant_session(None, user_id) as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("User not found.")
        user.name = name.strip()[:120]
        session.add(user)
