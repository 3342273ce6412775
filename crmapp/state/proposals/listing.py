"""Proposals: the list (filter by status, pages) and the new-proposal dialog."""

from __future__ import annotations

import math
import uuid

import reflex as rx
from sqlmodel import Session

from crmapp import routes
from crmapp.services.ai import budget
from crmapp.services.platform import timefmt
from crmapp.services.platform.actor import Actor
from crmapp.services.proposals import documents, editor_view, templates
from crmapp.state.session import SessionState


class ProposalsState(SessionState):
    """The list and the dialog."""

    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    status: str = ""
    dialog_open: bool = False
    deal_choices: list[dict[str, str]] = []
    template_choices: list[dict[str, str]] = []
    chosen_deal: str = ""
    error: str = ""
    budget_level: str = "ok"
    budget_text: str = ""

    @rx.var
    def pages(self) -> int:
        """How many pages."""
        return max(1, math.ceil(self.total / documents.PAGE_SIZE))

    @rx.event
    def load(self):
        """The list; `?deal=<id>` opens the dialog for that deal."""

        def read(session: Session, actor: Actor):
            found = documents.list_proposals(session, actor, status=self.status, page=self.page)
            return found, budget.state(session, actor.org_id)

        done = self._service(read)
        if not done.ok:
            return done.toast
        (rows, self.total), state = done.value
        self.budget_level = state.level.value
        self.budget_text = f"${state.spent_usd:,.2f} of ${state.budget_usd:,.2f} this month"
        self.rows = [
            {**r.__dict__, "updated_at": timefmt.local(r.updated_at, self._tz())} for r in rows
        ]
        deal = str(self.router.page.params.get("deal", ""))
        if deal:
            return ProposalsState.open_dialog(deal)
        return None

    @rx.event
    def filter_status(self, status: str):
        """Show one status (or all)."""
        self.status, self.page = ("" if status == "all" else status), 1
        return ProposalsState.load

    @rx.event
    def next_page(self):
        """Next page."""
        self.page = min(self.page + 1, self.pages)
        return ProposalsState.load

    @rx.event
    def prev_page(self):
        """Previous page."""
        self.page = max(1, self.page - 1)
        return ProposalsState.load

    @rx.event
    def open_dialog(self, deal_id: str = ""):
        """Choices for a new proposal."""

        def read(session: Session, actor: Actor):
            return editor_view.deal_options(session, actor), templates.list_templates(
                session, actor
            )

        done = self._service(read)
        if not done.ok:
            return done.toast
        self.deal_choices, choices = done.value
        self.template_choices = [
            {"id": str(t.id), "name": t.name, "description": t.description} for t in choices
        ]
        self.chosen_deal, self.error, self.dialog_open = deal_id, "", True
        return None

    @rx.event
    def set_dialog_open(self, value: bool):
        """Open or close the dialog."""
        self.dialog_open = value

    @rx.event
    def create(self, form: dict):
        """Create the draft and open it in the editor."""
        try:
            deal_id = uuid.UUID(str(form.get("deal_id") or ""))
            template_id = uuid.UUID(str(form.get("template_id") or ""))
        except ValueError:
            self.error = "Choose a deal and a template."
            return None
        done = self._service(
            documents.create_proposal,
            deal_id=deal_id,
            template_id=template_id,
            voice=str(form.get("voice", "consultative")),
            title=str(form.get("title", "")),
        )
        self.error = done.error
        if not done.ok:
            return done.login
        self.dialog_open = False
        return rx.redirect(routes.proposal(done.value.id))
