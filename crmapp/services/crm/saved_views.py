"""Saved list views: a name for a ListSpec, private to its author or shared with the team."""

from __future__ import annotations

import uuid

from sqlalchemy import or_
from sqlmodel import Session, col, select

from crmapp.models.views import RECORD_ENTITIES, SavedView
from crmapp.services.crm.list_views import ListSpec
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.errors import NotFound, PermissionDenied, ValidationError
from crmapp.services.tenancy import audit
from crmapp.services.tenancy.permissions import Perm, can, require


def list_views(session: Session, actor: Actor, entity: str) -> list[SavedView]:
    """The actor's own views of `entity` and the shared ones, by name."""
    require(actor.role, Perm.RECORD_READ)
    return list(
        session.exec(
            select(SavedView)
            .where(
                SavedView.org_id == actor.org_id,
                SavedView.entity == entity,
                or_(col(SavedView.user_id) == actor.user_id, col(SavedView.shared).is_(True)),
            )
            .order_by(col(SavedView.name))
        ).all()
    )


def save_view(
    session: Session, actor: Actor, entity: str, name: str, spec: ListSpec, *, shared: bool
) -> SavedView:
    """Save `spec` under `name`; saving again under the same name replaces the actor's view."""
    require(actor.role, Perm.RECORD_READ)
    name = name.strip()
    if entity not in RECORD_ENTITIES:
        raise ValidationError({"entity": "Views are of contacts, companies or deals."})
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if len(name) > 80:
        raise ValidationError({"name": "View names are at most 80 characters."})
    mine = session.exec(
        select(SavedView).where(
            SavedView.org_id == actor.org_id,
            SavedView.entity == entity,
            SavedView.user_id == actor.user_id,
            SavedView.name == name,
        )
    ).first()
    view = mine or SavedView(org_id=actor.org_id, user_id=actor.user_id, entity=entity, name=name)
    view.spec, view.shared = spec.to_dict(), shared
    session.add(view)
    audit.record(
        session,
        actor,
        "view.saved",
        "saved_view",
        view.id,
        {"entity": entity, "name": name, "shared": shared},
    )
    return view


def get_view(session: Session, actor: Actor, view_id: uuid.UUID) -> SavedView:
    """A view the actor may use."""
    view = session.get(SavedView, view_id)
    if (
        view is None
        or view.org_id != actor.org_id
        or not (view.shared or view.user_id == actor.user_id)
    ):
        raise NotFound("That view was not found.")
    return view


def delete_view(session: Session, actor: Actor, view_id: uuid.UUID) -> str:
    """Delete one of the actor's views (Admins and Owners may delete shared views too)."""
    view = get_view(session, actor, view_id)
    if view.user_id != actor.user_id and not can(actor.role, Perm.FIELDS_MANAGE):
        raise PermissionDenied("Only its author or an Admin can delete a shared view.")
    session.delete(view)
    audit.record(session, actor, "view.deleted", "saved_view", view.id, {"name": view.name})
    return view.name
