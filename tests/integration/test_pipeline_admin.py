"""Editing pipelines and stages: the rules, the deals that move, roles, audit, tenants."""

from __future__ import annotations

import pytest
from sqlmodel import select

from crmapp.models.audit import AuditEvent
from crmapp.services.crm import basic_records, pipeline_admin, pipelines, records
from crmapp.services.platform.errors import NotFound, PermissionDenied, ValidationError
from tests import factories


def _names(session, actor, pipeline_id) -> list[str]:
    return [s.name for s in pipelines.stages(session, actor, pipeline_id)]


def test_add_rename_reorder_and_delete_stages():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        pid = pipelines.default_pipeline(session, owner.actor).id
        discovery = pipeline_admin.add_stage(
            session, owner.actor, pid, name="Discovery", probability=15
        )
        pipeline_admin.add_stage(
            session, owner.actor, pid, name="On hold", kind="lost", probability=0
        )
    with factories.scoped(owner) as session:
        # An open stage goes before the first closed one; a closed one at the end.
        assert _names(session, owner.actor, pid) == [
            "Lead",
            "Qualified",
            "Proposal",
            "Negotiation",
            "Discovery",
            "Won",
            "Lost",
            "On hold",
        ]
        for _ in range(3):
            pipeline_admin.move_stage(session, owner.actor, discovery.id, -1)
        pipeline_admin.update_stage(
            session, owner.actor, discovery.id, name="Discovery call", kind="open", probability="20"
        )
    with factories.scoped(owner) as session:
        assert _names(session, owner.actor, pid)[:3] == ["Lead", "Discovery call", "Qualified"]
        positions = [s.position for s in pipelines.stages(session, owner.actor, pid)]
        assert positions == list(range(8))
        with pytest.raises(ValidationError, match="share a name"):
            pipeline_admin.add_stage(session, owner.actor, pid, name="lead")
        with pytest.raises(ValidationError, match="0 to 100"):
            pipeline_admin.add_stage(session, owner.actor, pid, name="X", probability=140)


def test_a_pipeline_keeps_an_open_a_won_and_a_lost_stage():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        pid = pipelines.default_pipeline(session, owner.actor).id
        won = pipelines.stage_named(session, owner.actor, "Won")
        with pytest.raises(ValidationError, match="one won"):
            pipeline_admin.delete_stage(session, owner.actor, won.id)
        with pytest.raises(ValidationError, match="one won"):
            pipeline_admin.update_stage(
                session, owner.actor, won.id, name="Won", kind="open", probability=100
            )
    with factories.scoped(owner) as session:
        assert "Won" in _names(session, owner.actor, pid)


def test_deleting_a_stage_with_deals_moves_them_first():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        basic_records.create_deal(session, owner.actor, title="A", stage="Proposal")
        deal = basic_records.create_deal(session, owner.actor, title="B", stage="Proposal")
        proposal = pipelines.stage_named(session, owner.actor, "Proposal")
        won = pipelines.stage_named(session, owner.actor, "Won")
    with factories.scoped(owner) as session:
        with pytest.raises(ValidationError, match="2 deal"):
            pipeline_admin.delete_stage(session, owner.actor, proposal.id)
        assert pipeline_admin.delete_stage(session, owner.actor, proposal.id, won.id) == 2
    with factories.scoped(owner) as session:
        row = records.get_record(session, owner.actor, "deal", deal.id)
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "pipeline.stage_deleted")
        ).one()
    assert row.stage_id == won.id and row.closed_at is not None
    assert event.changes == {"stage": "Proposal", "deals_moved": 2, "moved_to": "Won"}


def test_several_pipelines_default_and_deletion_rules():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        renewals = pipeline_admin.create_pipeline(session, owner.actor, "Renewals")
        with pytest.raises(ValidationError, match="already a pipeline"):
            pipeline_admin.create_pipeline(session, owner.actor, "renewals")
        first = pipelines.stages(session, owner.actor, renewals.id)[0]
        deal = records.save_record(
            session, owner.actor, "deal", None, {"title": "Renew", "stage_id": str(first.id)}
        )
    assert deal.pipeline_id == renewals.id
    with factories.scoped(owner) as session:
        views = pipeline_admin.list_pipelines(session, owner.actor)
        assert [v.pipeline.name for v in views] == ["Sales pipeline", "Renewals"]
        assert views[1].deals[first.id] == 1
        board = pipelines.board(session, owner.actor, pipeline_id=renewals.id)
        assert board[0].count == 1
        with pytest.raises(ValidationError, match="1 deal"):
            pipeline_admin.delete_pipeline(session, owner.actor, renewals.id)
        pipeline_admin.make_default(session, owner.actor, renewals.id)
    with factories.scoped(owner) as session:
        assert pipelines.default_pipeline(session, owner.actor).id == renewals.id
        sales = next(
            v.pipeline
            for v in pipeline_admin.list_pipelines(session, owner.actor)
            if v.pipeline.name == "Sales pipeline"
        )
        assert pipeline_admin.delete_pipeline(session, owner.actor, sales.id) == "Sales pipeline"
        with pytest.raises(ValidationError, match="default"):
            pipeline_admin.delete_pipeline(session, owner.actor, renewals.id)


def test_only_admins_and_owners_edit_and_tenants_stay_apart():
    owner = factories.signup()
    member = factories.member(owner, "member")
    stranger = factories.signup("Other")
    with factories.scoped(owner) as session:
        pid = pipelines.default_pipeline(session, owner.actor).id
    with factories.scoped(member) as session:
        assert len(pipeline_admin.list_pipelines(session, member.actor)) == 1  # may look
        with pytest.raises(PermissionDenied):
            pipeline_admin.add_stage(session, member.actor, pid, name="Nope")
    with factories.scoped(stranger) as session:
        with pytest.raises(NotFound):
            pipeline_admin.add_stage(session, stranger.actor, pid, name="Sneaky")
        assert [v.pipeline.id for v in pipeline_admin.list_pipelines(session, stranger.actor)] != [
            pid
        ]
