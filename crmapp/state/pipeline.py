"""The deal board: drag between stages (persisted at once, undoable), owner filter, new deal."""

from __future__ import annotations

import uuid

import reflex as rx

from crmapp import routes
from crmapp.services import orgs, pipeline_admin, pipelines, records
from crmapp.services.db import tenant_session
from crmapp.services.errors import ServiceError, ValidationError
from crmapp.state.session import SessionState

ALL_OWNERS = "all"


def _money(totals: dict) -> str:
    if not totals:
        return "—"
    return " · ".join(f"{amount:,.0f} {currency}" for currency, amount in sorted(totals.items()))


class PipelineState(SessionState):
    """Columns, cards and the last move (for undo)."""

    columns: list[dict[str, str]] = []
    cards: list[dict[str, str]] = []
    owners: list[dict[str, str]] = []
    owner_filter: str = ALL_OWNERS
    last_move: dict[str, str] = {}
    error: str = ""
    dialog_open: bool = False
    field_errors: dict[str, str] = {}
    pipeline_id: str = ""
    pipeline_choices: list[dict[str, str]] = []

    @rx.event
    def load(self):
        """Fetch the board (with the owner filter) and the people who own deals."""
        actor = self._actor()
        if actor is None:
            return
        owner = None if self.owner_filter == ALL_OWNERS else uuid.UUID(self.owner_filter)
        with tenant_session(actor.org_id, actor.user_id) as session:
            views = pipeline_admin.list_pipelines(session, actor)
            self.pipeline_choices = [
                {"id": str(v.pipeline.id), "name": v.pipeline.name} for v in views
            ]
            ids = [c["id"] for c in self.pipeline_choices]
            if self.pipeline_id not in ids:
                self.pipeline_id = ids[0] if ids else ""
            chosen = uuid.UUID(self.pipeline_id) if self.pipeline_id else None
            columns = pipelines.board(session, actor, pipeline_id=chosen, owner_id=owner)
            members = orgs.list_members(session, actor)
        self.columns = [
            {
                "id": str(c.stage.id),
                "name": c.stage.name,
                "kind": c.stage.kind,
                "count": str(c.count),
                "total": _money(c.totals()),
            }
            for c in columns
        ]
        self.cards = [
            {
                "id": card.id,
                "column": str(c.stage.id),
                "title": card.title,
                "value": f"{card.value:,.0f} {card.currency}",
                "company": card.company,
            }
            for c in columns
            for card in c.cards
        ]
        self.owners = [{"id": ALL_OWNERS, "name": "Everyone"}] + [
            {"id": m.user_id, "name": m.name} for m in members
        ]

    @rx.event
    def set_pipeline(self, value: str):
        """Show another pipeline's board."""
        self.pipeline_id, self.last_move = value, {}
        return PipelineState.load

    @rx.event
    def set_owner_filter(self, value: str):
        """Show one owner's deals (or everyone's)."""
        self.owner_filter = value
        return PipelineState.load

    def _move(self, deal_id: str, stage_id: str, *, undo: bool):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                move = pipelines.move_deal(session, actor, uuid.UUID(deal_id), uuid.UUID(stage_id))
        except (ServiceError, ValueError) as err:
            return [PipelineState.load, rx.toast.error(str(err))]
        self.last_move = (
            {}
            if undo
            else {
                "deal_id": str(move.deal_id),
                "from_stage_id": str(move.from_stage_id),
                "text": f"Moved “{move.title}” from {move.from_stage} to {move.to_stage}.",
            }
        )
        self.load()
        return None

    @rx.event
    def move(self, deal_id: str, stage_id: str):
        """A card was dropped on another stage."""
        return self._move(deal_id, stage_id, undo=False)

    @rx.event
    def undo(self):
        """Put the last moved deal back where it was."""
        if not self.last_move:
            return None
        return self._move(self.last_move["deal_id"], self.last_move["from_stage_id"], undo=True)

    @rx.event
    def set_dialog_open(self, value: bool):
        """Open or close the new-deal dialog."""
        self.dialog_open, self.field_errors = value, {}

    @rx.event
    def create_deal(self, form: dict):
        """Add a deal from the dialog."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with tenant_session(actor.org_id, actor.user_id) as session:
                records.save_record(
                    session, actor, "deal", None,
                    {k: str(form.get(k, "")) for k in ("title", "value", "currency", "stage_id")},
                )  # fmt: skip
        except ValidationError as err:
            self.field_errors = err.fields
            return None
        except ServiceError as err:
            self.field_errors = {"title": str(err)}
            return None
        self.dialog_open = False
        self.load()
        return rx.toast.success("Deal added.")
