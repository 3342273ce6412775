"""Dashboard figures: open value by stage, won/lost this month, my tasks due today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from crmapp.services.crm import activities, basic_records, dashboard, pipelines
from tests import factories


def test_pipeline_by_stage_and_this_months_results():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        basic_records.create_deal(session, owner.actor, title="A", value="100", stage="Lead")
        basic_records.create_deal(session, owner.actor, title="B", value="250", stage="Proposal")
        won = basic_records.create_deal(
            session, owner.actor, title="C", value="1000", stage="Proposal"
        )
        lost = basic_records.create_deal(session, owner.actor, title="D", value="40", stage="Lead")
    with factories.scoped(owner) as session:
        stages = {
            s.name: s.id
            for s in pipelines.stages(
                session, owner.actor, pipelines.default_pipeline(session, owner.actor).id
            )
        }
        pipelines.move_deal(session, owner.actor, won.id, stages["Won"])
        pipelines.move_deal(session, owner.actor, lost.id, stages["Lost"])
    with factories.scoped(owner) as session:
        figures = dashboard.dashboard(session, owner.actor, "UTC")
    assert [(s.name, s.count, s.value) for s in figures.by_stage] == [
        ("Lead", 1, Decimal("100")),
        ("Qualified", 0, Decimal("0")),
        ("Proposal", 1, Decimal("250")),
        ("Negotiation", 0, Decimal("0")),
    ]
    assert (figures.won_count, figures.won_value) == (1, Decimal("1000"))
    assert (figures.lost_count, figures.lost_value) == (1, Decimal("40"))
    next_month = datetime.now(UTC) + timedelta(days=40)
    with factories.scoped(owner) as session:
        later = dashboard.dashboard(session, owner.actor, "UTC", now=next_month)
    assert later.won_count == 0


def test_tasks_due_today_in_my_zone_only_mine_and_open():
    owner = factories.signup()
    member = factories.member(owner, "member")
    now = datetime(2030, 6, 10, 20, 0, tzinfo=UTC)  # 22:00 in Paris, 06:00 next day in Sydney
    with factories.scoped(owner) as session:
        contact = basic_records.create_contact(
            session, owner.actor, basic_records.ContactInput("Tess")
        )

    def task(signed, subject, due):
        with factories.scoped(signed) as session:
            return activities.add_activity(
                session,
                signed.actor,
                record_type="contact",
                record_id=contact.id,
                kind="task",
                subject=subject,
                due_at=due,
            )

    task(owner, "late", now - timedelta(days=2))
    task(owner, "tonight", now + timedelta(hours=1))  # 23:00 Paris, same day
    task(owner, "tomorrow", now + timedelta(hours=5))  # 01:00 Paris next day
    done = task(owner, "done already", now - timedelta(hours=1))
    task(member, "someone else's", now)
    with factories.scoped(owner) as session:
        activities.complete_task(session, owner.actor, done.id)
    with factories.scoped(owner) as session:
        paris = dashboard.dashboard(session, owner.actor, "Europe/Paris", now=now)
        sydney = dashboard.dashboard(session, owner.actor, "Australia/Sydney", now=now)
    assert [t.subject for t in paris.due_today] == ["late", "tonight"]
    assert [t.overdue for t in paris.due_today] == [True, False]
    assert [t.subject for t in sydney.due_today] == ["late", "tonight", "tomorrow"]


def test_deal_created_as_won_counts_as_won_this_month():
    owner = factories.signup()
    with factories.scoped(owner) as session:
        deal = basic_records.create_deal(
            session, owner.actor, title="Signed already", value="70", stage="Won"
        )
        assert deal.closed_by == owner.actor.user_id and deal.closed_at is not None
    with factories.scoped(owner) as session:
        figures = dashboard.dashboard(session, owner.actor, "UTC")
    assert (figures.won_count, figures.won_value) == (1, Decimal("70"))


def test_next_steps_are_done_once_the_workspace_has_them():
    from crmapp.services.tenancy import invitations
    from tests.integration.test_proposals import make_proposal

    owner = factories.signup("Starting Out")
    with factories.scoped(owner) as session:
        fresh = dashboard.next_steps(session, owner.actor, "UTC")
    assert fresh == dashboard.NextSteps(contacts=False, team=False, timezone=False, proposal=False)
    with factories.scoped(owner) as session:
        basic_records.create_contact(session, owner.actor, basic_records.ContactInput("Tess"))
        invitations.create_invitation(session, owner.actor, factories.email("team"), "member")
    make_proposal(owner)
    with factories.scoped(owner) as session:
        done = dashboard.next_steps(session, owner.actor, "Europe/Paris")
    assert done == dashboard.NextSteps(contacts=True, team=True, timezone=True, proposal=True)
