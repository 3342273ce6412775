"""The deal board: drag between stages (persisted at once, undoable), click a card to open the
deal, owner filter, new deal (the deals list's form)."""

from __future__ import annotations

import uuid

import reflex as rx
from sqlmodel import Session

from crmapp import routes
from crmapp.services.crm import pipeline_admin, pipelines
from crmapp.services.platform.actor import Actor
from crmapp.services.platform.wording import plural
from crmapp.services.tenancy import orgs
from crmapp.state.crm.record_form import RecordFormMixin
from crmapp.state.session import SessionState

ALL_OWNERS = "all"


def _money(totals: dict) -> str:
    if not totals:
        return "—"
    return " · ".join(f"{amount:,.0f} {currency}" for currency, amount in sorted(totals.items()))


class PipelineState(RecordFormMixin, SessionState):
    """Columns, cards, the last move (for undo) and the New deal form."""

    columns: list[dict[str, str]] = []
    cards: list[dict[str, str]] = []
    owners: list[dict[str, str]] = []
    owner_filter: str = ALL_OWNERS
    last_move: dict[str, str] = {}
    error: str = ""
    pipeline_id: str = ""
    pipeline_choices: list[dict[str, str]] = []

    @rx.event
    def load(self):
        """Fetch the board (with the owner filter) and the people who own deals."""
        owner = None if self.owner_filter == ALL_OWNERS else uuid.UUID(self.owner_filter)

        def read(session: Session, actor: Actor):
            views = pipeline_admin.list_pipelines(session, actor)
            self.pipeline_choices = [
                {"id": str(v.pipeline.id), "name": v.pipeline.name} for v in views
            ]
            ids = [c["id"] for c in self.pipeline_choices]
            if self.pipeline_id not in ids:
                self.pipeline_id = ids[0] if ids else ""
            chosen = uuid.UUID(self.pipeline_id) if self.pipeline_id else None
            columns = pipelines.board(session, actor, pipeline_id=chosen, owner_id=owner)
            return columns, orgs.list_members(session, actor)

        done = self._service(read)
        if not done.ok:
            return done.toast
        columns, members = done.value
        self.columns = [
            {
                "id": str(c.stage.id),
                "name": c.stage.name,
                "kind": c.stage.kind,
                "count": str(c.count),
                "label": f"{c.stage.name}: {plural(c.count, 'deal')}",
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
        return None

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
        done = self._service(pipelines.move_deal, uuid.UUID(deal_id), uuid.UUID(stage_id))
        if not done.ok:
            return [PipelineState.load, done.toast]
        move = done.value
        self.last_move = (
            {}
            if undo
            else {
                "deal_id": str(move.deal_id),
                "from_stage_id": str(move.from_stage_id),
                "text": f"Moved “{move.title}” from {move.from_stage} to {move.to_stage}.",
            }
        )
        return PipelineState.load

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

    def _entity(self) -> str:
        return "deal"

    def _after_save(self):
        return [PipelineState.load]

    @rx.event
    def new_deal(self):
        """The New deal form, in the first stage of the pipeline on screen."""
        opened = self.open_new()
        if self.form_open and self.columns:
            self.form = {**self.form, "stage_id": self.columns[0]["id"]}
        return opened

    @rx.event
    def open_deal(self, deal_id: str):
        """A card was clicked (or Enter pressed on it): open the deal's page."""
        try:
            return rx.redirect(f"{routes.DEALS}/{uuid.UUID(deal_id)}")
        except ValueError:
            return None
