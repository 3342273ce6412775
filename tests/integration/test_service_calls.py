"""A page's call of a service (`call_as`) is one tenant transaction of the actor: committed when
the service returns, rolled back when it refuses, and the refusal comes back to show."""

from __future__ import annotations

from sqlmodel import Session

from crmapp.models.tenancy import Organization
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import ValidationError
from crmapp.services.tenancy import orgs
from crmapp.state.session import call_as
from tests import factories


def _org_name(signed) -> str:
    with factories.scoped(signed) as session:
        org = session.get(Organization, signed.actor.org_id)
        assert org is not None
        return org.name


def test_a_call_commits_when_it_returns_and_rolls_back_when_it_raises():
    owner = factories.signup(org_name="Harbour Tours")
    done = call_as(owner.actor, orgs.rename_org, "Harbour Tours & Co")
    assert done.ok
    assert _org_name(owner) == "Harbour Tours & Co"

    def rename_then_refuse(session: Session, actor: Actor) -> None:
        orgs.rename_org(session, actor, "Never Saved")
        raise ValidationError({"org_name": "That name is taken."})

    refused = call_as(owner.actor, rename_then_refuse)
    assert refused.fields == {"org_name": "That name is taken."}
    assert _org_name(owner) == "Harbour Tours & Co", "the refused call changed nothing"


def test_a_role_that_may_not_act_gets_the_services_own_words():
    owner = factories.signup(org_name="Quay Cafe")
    viewer = factories.member(owner, "viewer")
    done = call_as(viewer.actor, orgs.rename_org, "Viewer Was Here")
    assert not done.ok and done.fields == {}
    assert "Viewer" in done.error and "reference" not in done.error
    assert _org_name(owner) == "Quay Cafe"
