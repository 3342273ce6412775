"""List views: filters (built-in and custom), sort, pages, saved views, bulk actions, export."""

from __future__ import annotations

import csv
import io

import pytest

from crmapp.services.crm import bulk_actions, custom_fields, list_views, records, saved_views
from crmapp.services.crm.list_views import ListSpec
from crmapp.services.platform.errors import NotFound, PermissionDenied, ValidationError
from tests import factories


def _seed(owner):
    with factories.scoped(owner) as session:
        custom_fields.create_field(
            session, owner.actor, "company", label="ARR", field_type="number"
        )
        custom_fields.create_field(
            session, owner.actor, "company", label="Renewal", field_type="date"
        )
        for name, industry, tags, arr, renewal in [
            ("Acme", "Rockets", "vip", "900", "2027-03-01"),
            ("Bolt", "Energy", "vip, q4", "12000", "2026-12-01"),
            ("Cask", "Drinks", "", "150", ""),
            ("Dune", "Energy", "q4", "", "2027-06-30"),
        ]:
            records.save_record(
                session,
                owner.actor,
                "company",
                None,
                {"name": name, "industry": industry, "tags": tags},
                {"arr": arr, "renewal": renewal},
            )


def _names(owner, spec: ListSpec, page: int = 1, page_size: int = 25) -> list[str]:
    with factories.scoped(owner) as session:
        result = list_views.list_page(session, owner.actor, "company", spec, page, page_size)
    return [r["name"] for r in result.rows]


def test_filters_on_built_in_tag_and_custom_fields():
    owner = factories.signup()
    _seed(owner)
    f = lambda field, op, value="": {"field": field, "op": op, "value": value}  # noqa: E731
    assert _names(
        owner, ListSpec(filters=[f("industry", "is", "energy")], sort="name", desc=False)
    ) == ["Bolt", "Dune"]
    assert sorted(_names(owner, ListSpec(filters=[f("tags", "has", "vip")]))) == ["Acme", "Bolt"]
    assert _names(
        owner, ListSpec(filters=[f("custom.arr", "gte", "900")], sort="custom.arr", desc=False)
    ) == ["Acme", "Bolt"]
    assert _names(
        owner, ListSpec(filters=[f("custom.renewal", "lte", "2027-03-01")], sort="name", desc=False)
    ) == ["Acme", "Bolt"]
    assert _names(owner, ListSpec(filters=[f("custom.arr", "empty")])) == ["Dune"]
    assert (
        _names(owner, ListSpec(filters=[f("tags", "has", "q4"), f("custom.arr", "lte", "100")]))
        == []
    )
    with pytest.raises(ValidationError, match="enter a number"):
        _names(owner, ListSpec(filters=[f("custom.arr", "gte", "lots")]))


def test_sort_numbers_as_numbers_and_page_through():
    owner = factories.signup()
    _seed(owner)
    # As text "900" > "12000"; as numbers it is the other way round. Empty values sort last.
    assert _names(owner, ListSpec(sort="custom.arr", desc=True)) == ["Bolt", "Acme", "Cask", "Dune"]
    with factories.scoped(owner) as session:
        second = list_views.list_page(
            session, owner.actor, "company", ListSpec(sort="name", desc=False), page=2, page_size=3
        )
    assert (second.total, second.pages, [r["name"] for r in second.rows]) == (4, 2, ["Dune"])
    assert {c.key for c in second.columns} >= {"name", "custom.arr", "custom.renewal", "owner_id"}


def test_saved_views_are_private_unless_shared():
    owner = factories.signup()
    member = factories.member(owner, "member")
    spec = ListSpec(filters=[{"field": "tags", "op": "has", "value": "vip"}], sort="name")
    with factories.scoped(member) as session:
        mine = saved_views.save_view(session, member.actor, "company", "VIPs", spec, shared=False)
        saved_views.save_view(session, member.actor, "company", "Team", spec, shared=True)
    with factories.scoped(owner) as session:
        assert [v.name for v in saved_views.list_views(session, owner.actor, "company")] == ["Team"]
        with pytest.raises(NotFound):
            saved_views.get_view(session, owner.actor, mine.id)
    with factories.scoped(member) as session:
        views = saved_views.list_views(session, member.actor, "company")
        assert [v.name for v in views] == ["Team", "VIPs"]
        assert ListSpec.from_dict(views[1].spec) == spec
        # Saving under the same name replaces, it does not duplicate.
        saved_views.save_view(session, member.actor, "company", "VIPs", ListSpec(), shared=False)
        assert len(saved_views.list_views(session, member.actor, "company")) == 2
    viewer = factories.member(owner, "viewer")
    with factories.scoped(viewer) as session:
        team = saved_views.list_views(session, viewer.actor, "company")[0]
        with pytest.raises(PermissionDenied):
            saved_views.delete_view(session, viewer.actor, team.id)


def test_bulk_assign_tag_and_delete_the_matching_rows():
    owner = factories.signup()
    member = factories.member(owner, "member")
    viewer = factories.member(owner, "viewer")
    _seed(owner)
    energy = ListSpec(filters=[{"field": "industry", "op": "is", "value": "Energy"}])
    with factories.scoped(owner) as session:
        ids = list_views.matching_ids(session, owner.actor, "company", energy)
        assert len(ids) == 2
        assert (
            bulk_actions.bulk_apply(
                session, owner.actor, "company", ids, "assign_owner", str(member.actor.user_id)
            )
            == 2
        )
        assert bulk_actions.bulk_apply(session, owner.actor, "company", ids, "add_tag", "hot") == 2
        assert bulk_actions.bulk_apply(session, owner.actor, "company", ids, "add_tag", "hot") == 0
    with factories.scoped(viewer) as session, pytest.raises(PermissionDenied):
        bulk_actions.bulk_apply(session, viewer.actor, "company", ids, "delete")
    mine = {"field": "owner_id", "op": "is", "value": str(member.actor.user_id)}
    assert sorted(_names(owner, ListSpec(filters=[mine]))) == ["Bolt", "Dune"]
    hot = {"field": "tags", "op": "has", "value": "hot"}
    assert sorted(_names(owner, ListSpec(filters=[hot]))) == ["Bolt", "Dune"]
    with factories.scoped(member) as session:
        assert bulk_actions.bulk_apply(session, member.actor, "company", ids, "delete") == 2
    assert sorted(_names(owner, ListSpec())) == ["Acme", "Cask"]


def test_export_follows_the_filters_and_includes_custom_fields():
    owner = factories.signup()
    _seed(owner)
    spec = ListSpec(
        filters=[{"field": "tags", "op": "has", "value": "vip"}], sort="name", desc=False
    )
    with factories.scoped(owner) as session:
        text = list_views.export_csv(session, owner.actor, "company", spec)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["Name"], r["ARR"], r["Tags"]) for r in rows] == [
        ("Acme", "900", "vip"),
        ("Bolt", "12,000", "vip, q4"),
    ]
    assert "Address" in rows[0]  # every built-in field, not only the list's columns


def test_another_tenant_never_sees_views_or_fields():
    owner, stranger = factories.signup(), factories.signup("Other")
    _seed(owner)
    with factories.scoped(owner) as session:
        saved_views.save_view(session, owner.actor, "company", "Shared", ListSpec(), shared=True)
    with factories.scoped(stranger) as session:
        assert saved_views.list_views(session, stranger.actor, "company") == []
        assert custom_fields.list_fields(session, stranger.actor, "company") == []
        assert list_views.list_page(session, stranger.actor, "company", ListSpec()).total == 0
