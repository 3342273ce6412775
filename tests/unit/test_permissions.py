"""The permission matrix: what each role may and may not do."""

import itertools

import pytest

from crmapp.models.tenancy import Role
from crmapp.services.platform.errors import PermissionDenied
from crmapp.services.tenancy.permissions import Perm, can, permissions_for, require


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            Role.VIEWER,
            {Perm.RECORD_READ},
            {Perm.RECORD_CREATE, Perm.RECORD_UPDATE, Perm.ORG_UPDATE},
        ),
        (
            Role.MEMBER,
            {Perm.RECORD_CREATE, Perm.RECORD_UPDATE},
            {Perm.MEMBER_INVITE, Perm.AUDIT_VIEW, Perm.RECORD_RESTORE},
        ),
        (
            Role.ADMIN,
            {Perm.MEMBER_INVITE, Perm.AUDIT_VIEW, Perm.ORG_UPDATE, Perm.RECORD_RESTORE},
            {Perm.OWNERSHIP_GRANT},
        ),
        (
            Role.OWNER,
            {Perm.OWNERSHIP_GRANT, Perm.BILLING_MANAGE, Perm.AUDIT_VIEW},
            set(),
        ),
    ],
)
def test_each_role_gets_exactly_its_tier(role, allowed, refused):
    for perm in allowed:
        assert can(role, perm), f"{role} should {perm}"
    for perm in refused:
        assert not can(role, perm), f"{role} should not {perm}"


def test_tiers_are_nested():
    tiers = [set(permissions_for(r)) for r in (Role.VIEWER, Role.MEMBER, Role.ADMIN, Role.OWNER)]
    for lower, higher in itertools.pairwise(tiers):
        assert lower < higher


def test_refusal_says_who_and_what():
    with pytest.raises(PermissionDenied, match="Viewers can't create records"):
        require(Role.VIEWER, Perm.RECORD_CREATE)


def test_unknown_or_missing_role_may_do_nothing():
    assert not can(None, Perm.RECORD_READ)
    assert not can("superuser", Perm.RECORD_READ)
    assert permissions_for(None) == []
    with pytest.raises(PermissionDenied):
        require(None, Perm.RECORD_READ)


def test_every_role_may_comment_on_social_posts_but_a_viewer_writes_nothing_else():
    """Review comments are a Viewer's one write: the matrix says so, and nothing else of a
    write tier comes with it."""
    for role in Role:
        assert can(role, Perm.SOCIAL_COMMENT), f"{role} should comment on social posts"
    viewer = set(permissions_for(Role.VIEWER))
    assert viewer == {Perm.RECORD_READ.value, Perm.SOCIAL_COMMENT.value}
    with pytest.raises(PermissionDenied):
        require(Role.VIEWER, Perm.RECORD_UPDATE)
