"""The deal pipeline: default stages, board totals, moving deals (and undoing), Won/Lost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crmapp.services.crm import basic_records, pipelines
from crmapp.services.platform.errors import PermissionDenied, ValidationError
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.audit import AuditFilter
from tests import factories


def _stage_ids(signed):
    with factories.scoped(signed) as session:
        pipeline = pipelines.default_pipeline(session, signed.actor)
        return {s.name: s.id for s in pipelines.stages(session, signed.actor, pipeline.id)}


def test_new_organisation_gets_the_default_stages_in_order():
    owner = factories.signup()
    assert list(_stage_ids(owner)) == [
        "Lead",
        "Qualified",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]


def test_board_groups_deals_with_counts_and_totals_per_currency():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        basic_records.create_deal(session, owner.actor, title="A", value="1,000", stage="Proposal")
        basic_records.create_deal(session, owner.actor, title="B", value="250.50", stage="Proposal")
        basic_records.create_deal(
            session, owner.actor, title="C", value="99", stage="Proposal", currency="eur"
        )
    with factories.scoped(owner) as session:
        columns = {c.stage.name: c for c in pipelines.board(session, owner.actor)}
    proposal = columns["Proposal"]
    assert proposal.count == 3
    assert proposal.totals() == {"USD": Decimal("1250.50"), "EUR": Decimal("99")}
    assert [c.title for c in proposal.cards] == ["A", "B", "C"]  # biggest first
    assert columns["Lead"].count == 0


def test_board_filters_by_owner():
    owner = factories.signup()
    member = factories.member(owner, "member")
    with factories.scoped(owner) as session:
        basic_records.create_deal(session, owner.actor, title="Mine")
    with factories.scoped(member) as session:
        basic_records.create_deal(session, member.actor, title="Theirs")
    with factories.scoped(owner) as session:
        columns = pipelines.board(session, owner.actor, owner_id=member.actor.user_id)
    assert [card.title for c in columns for card in c.cards] == ["Theirs"]


def test_move_to_won_records_when_and_who_and_undo_clears_it():
    owner = factories.signup()
    stages = _stage_ids(owner)
    with factories.scoped(owner) as session:
        deal = basic_records.create_deal(session, owner.actor, title="Big one", value="5000")
    with factories.scoped(owner) as session:
        move = pipelines.move_deal(session, owner.actor, deal.id, stages["Won"])
    assert (move.from_stage, move.to_stage) == ("Lead", "Won")
    with factories.scoped(owner) as session:
        won = session.get(type(deal), deal.id)
        assert won.stage_id == stages["Won"]
        assert won.closed_by == owner.actor.user_id and won.closed_at is not None
        pipelines.move_deal(session, owner.actor, deal.id, move.from_stage_id)  # undo
    with factories.scoped(owner) as session:
        back = session.get(type(deal), deal.id)
        assert back.stage_id == stages["Lead"] and back.closed_at is None
        events, _ = audit.list_events(
            session, owner.actor, AuditFilter(action="deal.stage_changed")
        )
    assert sorted(tuple(e.changes["stage"]) for e in events) == [("Lead", "Won"), ("Won", "Lead")]


def test_viewer_cannot_move_deals():
    owner = factories.signup()
    viewer = factories.member(owner, "viewer")
    stages = _stage_ids(owner)
    with factories.scoped(owner) as session:
        deal = basic_records.create_deal(session, owner.actor, title="Locked")
    with factories.scoped(viewer) as session, pytest.raises(PermissionDenied):
        pipelines.move_deal(session, viewer.actor, deal.id, stages["Won"])


def test_stage_of_another_organisation_is_refused():
    owner = factories.signup()
    stranger = factories.signup("Stranger")
    with factories.scoped(owner) as session:
        deal = basic_records.create_deal(session, owner.actor, title="Mine")
    foreign_stage = _stage_ids(stranger)["Won"]
    with factories.scoped(owner) as session, pytest.raises(ValidationError):
        pipelines.move_deal(session, owner.actor, deal.id, foreign_stage)


def test_unknown_stage_and_bad_value_are_explained():
    owner = factories.signup()
    with factories.scoped(owner) as session, pytest.raises(ValidationError) as err:
        basic_records.create_deal(session, owner.actor, title="", value="12k", stage="Maybe")
    assert set(err.value.fields) == {"title", "value", "stage"}
    assert "Lead" in err.value.fields["stage"]
