"""The one permission matrix: what each role may do. Services call `require` before acting."""

from __future__ import annotations

import enum

from crmapp.models.tenancy import Role
from crmapp.services.platform.errors import PermissionDenied


class Perm(enum.StrEnum):
    """Actions a role may be allowed."""

    RECORD_READ = "record.read"
    RECORD_CREATE = "record.create"
    RECORD_UPDATE = "record.update"
    RECORD_DELETE = "record.delete"
    RECORD_RESTORE = "record.restore"
    ORG_UPDATE = "org.update"
    MEMBER_INVITE = "member.invite"
    MEMBER_MANAGE = "member.manage"
    AUDIT_VIEW = "audit.view"
    FIELDS_MANAGE = "fields.manage"
    PIPELINE_MANAGE = "pipeline.manage"
    BILLING_MANAGE = "billing.manage"
    OWNERSHIP_GRANT = "ownership.grant"
    PROPOSAL_APPROVE = "proposal.approve"
    PROPOSAL_MARK_PAID = "proposal.mark_paid"
    TEMPLATES_MANAGE = "templates.manage"
    SOCIAL_APPROVE = "social.approve"
    SOCIAL_COMMENT = "social.comment"


# Review comments on social posts are the one write a Viewer may make (asking for a change is
# part of reading a draft); every other write needs the Member role.
_READ = {Perm.RECORD_READ, Perm.SOCIAL_COMMENT}
_WRITE = _READ | {Perm.RECORD_CREATE, Perm.RECORD_UPDATE, Perm.RECORD_DELETE}
_ADMIN = _WRITE | {
    Perm.RECORD_RESTORE,
    Perm.ORG_UPDATE,
    Perm.MEMBER_INVITE,
    Perm.MEMBER_MANAGE,
    Perm.AUDIT_VIEW,
    Perm.FIELDS_MANAGE,
    Perm.PIPELINE_MANAGE,
    Perm.PROPOSAL_APPROVE,
    Perm.PROPOSAL_MARK_PAID,
    Perm.TEMPLATES_MANAGE,
    Perm.SOCIAL_APPROVE,
}

MATRIX: dict[Role, frozenset[Perm]] = {
    Role.VIEWER: frozenset(_READ),
    Role.MEMBER: frozenset(_WRITE),
    Role.ADMIN: frozenset(_ADMIN),
    Role.OWNER: frozenset(_ADMIN | {Perm.BILLING_MANAGE, Perm.OWNERSHIP_GRANT}),
}

_DESCRIBE = {
    Perm.RECORD_READ: "view records",
    Perm.RECORD_CREATE: "create records",
    Perm.RECORD_UPDATE: "edit records",
    Perm.RECORD_DELETE: "delete records",
    Perm.RECORD_RESTORE: "restore deleted records",
    Perm.ORG_UPDATE: "change organisation settings",
    Perm.MEMBER_INVITE: "invite members",
    Perm.MEMBER_MANAGE: "change members' roles",
    Perm.AUDIT_VIEW: "view the audit trail",
    Perm.FIELDS_MANAGE: "manage custom fields",
    Perm.PIPELINE_MANAGE: "edit pipelines and stages",
    Perm.BILLING_MANAGE: "manage billing",
    Perm.OWNERSHIP_GRANT: "make someone an owner",
    Perm.PROPOSAL_APPROVE: "approve proposals",
    Perm.PROPOSAL_MARK_PAID: "mark proposals paid",
    Perm.TEMPLATES_MANAGE: "edit proposal templates",
    Perm.SOCIAL_APPROVE: "approve social posts",
    Perm.SOCIAL_COMMENT: "comment on social posts",
}

ROLE_LABELS: dict[str, str] = {
    Role.OWNER: "Owner",
    Role.ADMIN: "Admin",
    Role.MEMBER: "Member",
    Role.VIEWER: "Viewer",
}


def can(role: Role | str | None, perm: Perm) -> bool:
    """Whether `role` may perform `perm`."""
    if role is None:
        return False
    try:
        return perm in MATRIX[Role(role)]
    except ValueError:
        return False


def require(role: Role | str | None, perm: Perm) -> None:
    """Raise `PermissionDenied` with a sentence a user understands unless `role` may `perm`."""
    if not can(role, perm):
        known = role is not None and role in Role._value2member_map_
        who = f"{ROLE_LABELS[Role(role)]}s" if known and role is not None else "You"
        raise PermissionDenied(f"{who} can't {_DESCRIBE[perm]} in this organisation.")


def permissions_for(role: Role | str | None) -> list[str]:
    """The role's permissions as strings (the UI uses them to hide or disable controls)."""
    if role is None or role not in Role._value2member_map_:
        return []
    return sorted(p.value for p in MATRIX[Role(role)])
