"""Organisation settings (name, approvals, the monthly AI budget), members and roles, and the
user's own profile. Invitations are in `invitations`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from crmapp.models.tenancy import (
    Membership,
    Organization,
    Role,
    TenantRegistry,
    User,
)
from crmapp.services.ai import budget
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.db import tenant_session
from crmapp.services.platform.errors import NotFound, ValidationError
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, require


@dataclass(frozen=True)
class MemberView:
    """A row of the members table."""

    user_id: str
    name: str
    email: str
    role: str
    joined: datetime


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
        audit.record(
            session,
            actor,
            f"org.{flag}",
            "organization",
            org.id,
            {"required": [not required, required]},
        )


def set_budget(
    session: Session, actor: Actor, budget_usd: str, hard_stop: bool
) -> budget.BudgetState:
    """Set the organisation's monthly AI budget (USD) and whether to stop at 100% (Owner)."""
    require(actor.role, Perm.BILLING_MANAGE)
    try:
        amount = float(budget_usd.replace(",", "").replace("$", "").strip())
    except ValueError:
        raise ValidationError({"budget": "The budget must be an amount in dollars."}) from None
    if not 0 <= amount <= 1_000_000:
        raise ValidationError({"budget": "The budget must be between $0 and $1,000,000."})
    org = session.get(Organization, actor.org_id)
    assert org is not None
    before = (org.ai_monthly_budget_usd, org.ai_hard_stop)
    org.ai_monthly_budget_usd, org.ai_hard_stop = amount, hard_stop
    session.add(org)
    audit.record(
        session,
        actor,
        "org.ai_budget",
        "organization",
        org.id,
        {"budget_usd": [before[0], amount], "hard_stop": [before[1], hard_stop]},
    )
    return budget.state(session, actor.org_id)


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


def member_actor(org_id: uuid.UUID, user_id: uuid.UUID, source: str) -> Actor:
    """Who a job run on behalf of `user_id` acts as: the member, with their role as it is now
    (`source` names the job in the audit trail). Someone removed from the organisation since
    acts as a Viewer: they can no longer write."""
    with tenant_session(org_id, user_id) as session:
        member = session.exec(
            select(Membership).where(Membership.org_id == org_id, Membership.user_id == user_id)
        ).first()
        user = session.get(User, user_id)
    role = Role(member.role) if member else Role.VIEWER
    return Actor(user_id, org_id, role, user.email if user else "", source, f"tandem-{source}")


def all_org_ids() -> list[uuid.UUID]:
    """Every organisation, for work that visits each in turn (housekeeping, token refresh):
    without a tenant, row-level security hides `organization`, so `tenant_registry` (migration
    0008) names them."""
    with tenant_session(None) as session:
        return list(session.exec(select(TenantRegistry.id)).all())


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
