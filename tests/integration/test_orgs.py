"""Members, roles and invitations: the service enforces the matrix even without the UI."""

from __future__ import annotations

import uuid

import pytest

from crmapp.services.crm import basic_records
from crmapp.services.platform.errors import NotFound, PermissionDenied, ValidationError
from crmapp.services.tenancy import auth, invitations, orgs
from tests import factories


def test_viewer_cannot_create_or_edit_through_the_service():
    owner = factories.signup("Strict")
    viewer = factories.member(owner, "viewer")
    with factories.scoped(owner) as session:
        contact = basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Kept")
        )
    with factories.scoped(viewer) as session:
        with pytest.raises(PermissionDenied, match="Viewers can't create"):
            basic_records.create_contact(session, viewer.actor, basic_records.ContactInput("Nope"))
        with pytest.raises(PermissionDenied, match="Viewers can't edit"):
            basic_records.update_contact(
                session, viewer.actor, contact.id, basic_records.ContactInput("Changed")
            )
        with pytest.raises(PermissionDenied):
            orgs.rename_org(session, viewer.actor, "Hijacked")
        rows, total = basic_records.list_contacts(session, viewer.actor)
    assert total == 1 and rows[0].first_name == "Kept"


def test_member_cannot_invite_or_manage():
    owner = factories.signup()
    member = factories.member(owner, "member")
    with factories.scoped(member) as session:
        with pytest.raises(PermissionDenied):
            invitations.create_invitation(session, member.actor, factories.email(), "viewer")
        with pytest.raises(PermissionDenied):
            orgs.change_role(session, member.actor, owner.actor.user_id, "viewer")


def test_admin_manages_members_but_not_ownership():
    owner = factories.signup()
    admin = factories.member(owner, "admin")
    member = factories.member(owner, "member")
    with factories.scoped(admin) as session:
        orgs.change_role(session, admin.actor, member.actor.user_id, "viewer")
        with pytest.raises(PermissionDenied):
            orgs.change_role(session, admin.actor, member.actor.user_id, "owner")
        with pytest.raises(PermissionDenied):
            orgs.change_role(session, admin.actor, owner.actor.user_id, "member")
    assert auth.resolve(member.token).role == "viewer"


def test_the_last_owner_stays():
    owner = factories.signup()
    with (
        factories.scoped(owner) as session,
        pytest.raises(ValidationError, match="one Owner"),
    ):
        orgs.change_role(session, owner.actor, owner.actor.user_id, "admin")


def test_removed_member_loses_access_at_once():
    owner = factories.signup("Team")
    member = factories.member(owner, "member")
    with factories.scoped(owner) as session:
        orgs.remove_member(session, owner.actor, member.actor.user_id)
    view = auth.resolve(member.token)
    assert view.org_id is None and view.actor(factories.client()) is None


def test_invitation_link_works_once():
    owner = factories.signup("Once")
    address = factories.email("invitee")
    with factories.scoped(owner) as session:
        _inv, link = invitations.create_invitation(session, owner.actor, address, "viewer")
    view = invitations.get_invitation(link)
    assert (view.org_name, view.email, view.role, view.status) == (
        "Once",
        address,
        "viewer",
        "pending",
    )
    token = invitations.signup_with_invitation(
        link, name="Invitee", password=factories.PASSWORD, client=factories.client()
    )
    assert auth.resolve(token).role == "viewer"
    assert invitations.get_invitation(link).status == "accepted"
    with pytest.raises(ValidationError):
        invitations.signup_with_invitation(
            link, name="Again", password=factories.PASSWORD, client=factories.client()
        )


def test_revoked_and_forged_links_do_not_work():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        inv, link = invitations.create_invitation(session, owner.actor, factories.email(), "member")
    with factories.scoped(owner) as session:
        invitations.revoke_invitation(session, owner.actor, inv.id)
    assert invitations.get_invitation(link).status == "revoked"
    with pytest.raises(ValidationError, match="revoked"):
        invitations.signup_with_invitation(
            link, name="Late", password=factories.PASSWORD, client=factories.client()
        )
    assert invitations.get_invitation(f"{uuid.uuid4()}.forged") is None
    assert invitations.get_invitation("garbage") is None
    with pytest.raises(NotFound):
        invitations.signup_with_invitation(
            "garbage", name="X", password=factories.PASSWORD, client=factories.client()
        )


def test_invitation_for_someone_else_cannot_be_accepted():
    owner = factories.signup()
    bystander = factories.signup("Bystander org")
    with factories.scoped(owner) as session:
        _inv, link = invitations.create_invitation(session, owner.actor, factories.email(), "admin")
    with pytest.raises(PermissionDenied, match="is for"):
        invitations.accept_invitation(link, bystander.token, factories.client())


def test_timezone_must_be_a_real_zone():
    owner = factories.signup()
    orgs.set_timezone(owner.actor.user_id, "Europe/Paris")
    assert auth.resolve(owner.token).timezone == "Europe/Paris"
    with pytest.raises(ValidationError):
        orgs.set_timezone(owner.actor.user_id, "Mars/Olympus")


def test_joining_by_invitation_keeps_the_browsers_time_zone():
    owner = factories.signup("Zone Org")
    with factories.scoped(owner) as session:
        _inv, link = invitations.create_invitation(
            session, owner.actor, factories.email("ny"), "member"
        )
    with pytest.raises(ValidationError) as err:
        invitations.signup_with_invitation(
            link,
            name="Nia",
            password=factories.PASSWORD,
            client=factories.client(),
            timezone="Atlantis/Capital",
        )
    assert set(err.value.fields) == {"timezone"}
    token = invitations.signup_with_invitation(
        link,
        name="Nia",
        password=factories.PASSWORD,
        client=factories.client(),
        timezone="America/New_York",
    )
    assert auth.resolve(token).timezone == "America/New_York"
